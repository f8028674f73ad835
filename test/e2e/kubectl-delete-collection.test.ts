// Deleting many objects at once through the HTTPS face. kubectl 1.32 never sends a
// deletecollection for `delete --all` or `delete -l`: it lists (with the selector), sends
// one DELETE per object, then waits for each to be gone. So these check what kubectl
// prints and what is left in the store, including a scheduled pod that only goes once
// its kubelet (here the test) confirms; and the collection DELETE itself, as
// client libraries and the namespace controller send it.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import type { WatchEvent } from '../../src/apiserver/request.ts';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

const pod = (name: string, namespace: string, extra: { labels?: Record<string, string>; nodeName?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, ...(extra.labels ? { labels: extra.labels } : {}) },
  spec: { ...(extra.nodeName ? { nodeName: extra.nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
});

const configMap = (name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels },
  data: { k: 'v' },
});

describe('kubectl delete --all and -l through the HTTPS face', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout.trim();
  const names = async (resource: string, namespace: string, labelSelector?: string) =>
    (await cluster.client.list(resource, namespace, labelSelector ? { labelSelector } : {})).items.map((o) => o.metadata.name).sort();

  /** A DELETE (or any method) with the admin's client certificate; the status and the parsed JSON answer. */
  const https = (method: string, path: string): Promise<{ status: number; body: Record<string, any> }> =>
    new Promise((resolve, reject) => {
      const req = request(new URL(path, cluster.url), { method, ca: cluster.pki.caCert, cert: cluster.pki.adminCert, key: cluster.pki.adminKey }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('delete pods --all removes unscheduled pods of the namespace only', async () => {
    await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    for (const name of ['p1', 'p2', 'p3']) await cluster.client.create('pods', pod(name, 'default'));
    await cluster.client.create('pods', pod('elsewhere', 'other'));

    const out = await ok('delete', 'pods', '--all');
    assert.deepEqual(out.split('\n').sort(), ['pod "p1" deleted', 'pod "p2" deleted', 'pod "p3" deleted']);
    assert.deepEqual(await names('pods', 'default'), []);
    assert.deepEqual(await names('pods', 'other'), ['elsewhere']);
    assert.equal(await ok('delete', 'pods', '--all'), 'No resources found', 'nothing left to delete is not an error');
  });

  it('delete pods --all waits for a scheduled pod until its kubelet confirms', async () => {
    await cluster.client.create('pods', pod('running', 'other', { nodeName: 'node-1' }));
    const marked = new Promise<KubeObject>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the delete never marked the pod')), 30_000);
      void cluster.client
        .watch('pods', 'other', { fieldSelector: 'metadata.name=running' }, (event: WatchEvent) => {
          const object = event.object as KubeObject;
          if (event.type === 'MODIFIED' && object.metadata.deletionTimestamp) {
            clearTimeout(timer);
            resolve(object);
          }
        })
        .then((stream) => marked.finally(() => stream.stop()));
    });
    const deleting = cluster.kubectl('delete', 'pods', '--all', '-n', 'other', '--timeout=30s');
    const graceful = await marked;
    assert.equal(graceful.metadata.deletionGracePeriodSeconds, 30);
    // Still there, marked, while kubectl waits; the unscheduled one went at once.
    assert.deepEqual(await names('pods', 'other'), ['running']);
    // The kubelet's confirmation: a delete with no grace left.
    await cluster.client.delete('pods', 'other', 'running', { gracePeriodSeconds: 0 });
    const result = await deleting;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n').sort(), ['pod "elsewhere" deleted', 'pod "running" deleted']);
    assert.deepEqual(await names('pods', 'other'), []);
  });

  it('delete cm -l app=x removes only the matching objects', async () => {
    await cluster.client.create('configmaps', configMap('x1', { app: 'x' }));
    await cluster.client.create('configmaps', configMap('x2', { app: 'x', tier: 'fe' }));
    await cluster.client.create('configmaps', configMap('y1', { app: 'y' }));

    const out = await ok('delete', 'cm', '-l', 'app=x');
    assert.deepEqual(out.split('\n').sort(), ['configmap "x1" deleted', 'configmap "x2" deleted']);
    assert.deepEqual(await names('configmaps', 'default', 'app'), ['y1']);

    assert.equal(await ok('delete', 'cm', '-l', 'app=x'), 'No resources found');
  });

  it('delete cm -l with a set-based selector', async () => {
    await cluster.client.create('configmaps', configMap('a1', { env: 'dev' }));
    await cluster.client.create('configmaps', configMap('a2', { env: 'test' }));
    await cluster.client.create('configmaps', configMap('a3', { env: 'prod' }));
    assert.deepEqual((await ok('delete', 'cm', '-l', 'env in (dev,test)')).split('\n').sort(), ['configmap "a1" deleted', 'configmap "a2" deleted']);
    assert.deepEqual(await names('configmaps', 'default', 'env'), ['a3']);
  });

  it('a collection DELETE (deletecollection) answers the deleted objects as a list', async () => {
    await cluster.client.create('configmaps', configMap('c1', { batch: 'b' }));
    await cluster.client.create('configmaps', configMap('c2', { batch: 'b' }));
    await cluster.client.create('configmaps', configMap('c3', { batch: 'c' }));
    const answer = await https('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=batch%3Db');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.kind, 'ConfigMapList');
    assert.deepEqual(answer.body.items.map((o: KubeObject) => o.metadata.name).sort(), ['c1', 'c2']);
    assert.deepEqual(await names('configmaps', 'default', 'batch'), ['c3']);
  });
});
