// @kubernetes/client-node 1.4 (the official JavaScript client) against the HTTPS face, with
// the generated admin kubeconfig (CA and client certificate): list, create, its default
// JSON patch and server-side apply, and a shared informer seeing add, update and delete.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

/** Resolves with the first value `check` returns, polling every 50 ms. */
async function eventually<T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('@kubernetes/client-node through the HTTPS face', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  let core: k8s.CoreV1Api;
  let kc: k8s.KubeConfig;
  before(async () => {
    cluster = await startHttpTestCluster();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });
  after(() => cluster?.dispose());

  it('lists namespaces', async () => {
    const list = await core.listNamespace();
    const names = list.items.map((ns) => ns.metadata?.name);
    for (const name of ['default', 'kube-system']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    assert.ok(list.metadata?.resourceVersion);
  });

  it('creates a ConfigMap, patches it with its default JSON patch, and applies it server-side', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'from-client-node' }, data: { a: '1' } },
    });
    assert.equal(created.metadata?.uid !== undefined, true);
    assert.deepEqual(created.data, { a: '1' });

    const patched = await core.patchNamespacedConfigMap({
      name: 'from-client-node',
      namespace: 'default',
      body: [{ op: 'add', path: '/data/b', value: '2' }],
    });
    assert.deepEqual(patched.data, { a: '1', b: '2' });

    const applied = await core.patchNamespacedConfigMap(
      {
        name: 'from-client-node',
        namespace: 'default',
        fieldManager: 'client-node',
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-client-node' }, data: { c: '3' } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
    assert.deepEqual(applied.data, { a: '1', b: '2', c: '3' });
    assert.ok(applied.metadata?.managedFields?.some((m) => m.manager === 'client-node' && m.operation === 'Apply'));
  });

  it('a shared informer sees add, update and delete', async () => {
    const namespace = 'default';
    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/configmaps`, () => core.listNamespacedConfigMap({ namespace }));
    const seen: string[] = [];
    const record = (type: string) => (object: k8s.V1ConfigMap) => {
      if (object.metadata?.name === 'watched') seen.push(`${type}:${object.data?.k ?? ''}`);
    };
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'watched' }, data: { k: 'one' } } });
      await eventually(() => (seen.includes('add:one') ? true : undefined), 'the add');
      await core.replaceNamespacedConfigMap({ name: 'watched', namespace, body: { metadata: { name: 'watched' }, data: { k: 'two' } } });
      await eventually(() => (seen.includes('update:two') ? true : undefined), 'the update');
      await core.deleteNamespacedConfigMap({ name: 'watched', namespace });
      await eventually(() => (seen.some((s) => s.startsWith('delete:')) ? true : undefined), 'the delete');
      assert.deepEqual(seen, ['add:one', 'update:two', 'delete:two']);
      assert.equal(informer.get('watched', namespace), undefined, 'the cache forgot it');
    } finally {
      await informer.stop();
    }
  });
});
