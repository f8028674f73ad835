// The real kubectl against the HTTPS face, write side: label, annotate, patch (merge,
// JSON and the default strategic), delete (immediate, and waiting for a finalizer), and
// get -w seeing a later change. Objects are seeded through the NATS client; `create -f`,
// `apply`, `edit`, `explain` and `scale` are in kubectl-apply.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import type { WatchEvent } from '../../src/apiserver/request.ts';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

const configMap = (name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...extra },
  data: { k: 'v' },
});

describe('kubectl writes through the HTTPS face', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout.trim();

  it('label and annotate', async () => {
    await cluster.client.create('configmaps', configMap('labelled'));
    assert.equal(await ok('label', 'cm', 'labelled', 'tier=fe'), 'configmap/labelled labeled');
    assert.equal(await ok('annotate', 'cm', 'labelled', 'owner=team-a'), 'configmap/labelled annotated');
    const stored = await cluster.client.get('configmaps', 'default', 'labelled');
    assert.equal(stored.metadata.labels?.tier, 'fe');
    assert.equal(stored.metadata.annotations?.owner, 'team-a');
    assert.equal(await ok('label', 'cm', 'labelled', 'tier-'), 'configmap/labelled unlabeled');
    assert.equal((await cluster.client.get('configmaps', 'default', 'labelled')).metadata.labels?.tier, undefined);
  });

  it('patch --type merge, --type json, and the default strategic merge patch', async () => {
    await cluster.client.create('configmaps', configMap('patched'));
    assert.equal(await ok('patch', 'cm', 'patched', '--type', 'merge', '-p', '{"data":{"k":"w","n":"1"}}'), 'configmap/patched patched');
    assert.equal(await ok('patch', 'cm', 'patched', '--type', 'json', '-p', '[{"op":"remove","path":"/data/n"}]'), 'configmap/patched patched');
    assert.deepEqual((await cluster.client.get('configmaps', 'default', 'patched')).data, { k: 'w' });
    assert.equal(await ok('patch', 'cm', 'patched', '-p', '{"data":{"k":"x","m":"2"}}'), 'configmap/patched patched');
    assert.deepEqual((await cluster.client.get('configmaps', 'default', 'patched')).data, { k: 'x', m: '2' });
  });

  it('delete removes at once, or waits until the finalizer is gone', async () => {
    await cluster.client.create('configmaps', configMap('gone'));
    assert.equal(await ok('delete', 'cm', 'gone'), 'configmap "gone" deleted');
    await assert.rejects(cluster.client.get('configmaps', 'default', 'gone'), /not found/);

    await cluster.client.create('configmaps', configMap('held', { finalizers: ['example.com/hold'] }));
    const marked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the delete never marked the object')), 30_000);
      void cluster.client
        .watch('configmaps', 'default', { fieldSelector: 'metadata.name=held' }, (event: WatchEvent) => {
          if (event.type === 'MODIFIED' && (event.object as KubeObject).metadata.deletionTimestamp) {
            clearTimeout(timer);
            resolve();
          }
        })
        .then((stream) => marked.finally(() => stream.stop()));
    });
    const deleting = cluster.kubectl('delete', 'cm', 'held', '--timeout=30s');
    await marked;
    await cluster.client.patch('configmaps', 'default', 'held', { metadata: { finalizers: null } });
    const result = await deleting;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'configmap "held" deleted');
  });

  it('get -w prints the list, then the rows of later changes', async () => {
    await cluster.client.create('configmaps', configMap('watched'));
    const child = cluster.spawnKubectl('get', 'cm', 'watched', '-w');
    let output = '';
    let changed: () => void = () => {};
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      changed();
    });
    child.on('exit', () => changed());
    // Resolves on the output event that matches; fails if kubectl exits or 30 s pass first.
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`kubectl get -w never printed ${pattern}; got:\n${output}`)), 30_000);
        changed = () => {
          if (pattern.test(output)) {
            clearTimeout(timer);
            resolve();
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(new Error(`kubectl get -w exited; got:\n${output}`));
          }
        };
        changed();
      });
    await seen(/^watched\s+1\s+\S+$/m);
    await cluster.client.patch('configmaps', 'default', 'watched', { data: { k: 'v', more: 'x', again: 'y' } });
    await seen(/^watched\s+3\s+\S+$/m);
    child.kill();
    assert.match(output, /^NAME\s+DATA\s+AGE$/m);
  });
});
