/**
 * The API's NATS face against a real nats-server: every verb, its Kubernetes semantics,
 * and its errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster.dispose();
});

function configMap(name: string, data: Record<string, string> = { a: '1' }, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

function deployment(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
}

async function rejects(promise: Promise<unknown>, code: number, reason: string, message?: RegExp): Promise<StatusError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.reason, reason, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected ${code} ${reason}`);
}

describe('bootstrap', () => {
  it('creates the system namespaces once serving', async () => {
    const names = (await cluster.client.list('namespaces')).items.map((n) => n.metadata.name).sort();
    for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.ok(names.includes(ns), `missing ${ns}`);
    const ns = await cluster.client.get('namespaces', undefined, 'default');
    assert.deepEqual((ns.status as { phase: string }).phase, 'Active');
  });
});

describe('create and get', () => {
  it('stores the object with uid, creationTimestamp, resourceVersion and defaults', async () => {
    const created = await cluster.client.create('deployments.apps', deployment('web'));
    assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(created.metadata.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(created.metadata.resourceVersion ?? '', /^\d+$/);
    assert.equal(created.metadata.generation, 1);
    const spec = created.spec as { strategy: { type: string }; revisionHistoryLimit: number };
    assert.equal(spec.strategy.type, 'RollingUpdate');
    assert.equal(spec.revisionHistoryLimit, 10);
    const read = await cluster.client.get('deployments.apps', 'default', 'web');
    assert.deepEqual(read, created);
  });

  it('answers 409 AlreadyExists for a second create of the same name', async () => {
    await cluster.client.create('configmaps', configMap('dup'));
    await rejects(cluster.client.create('configmaps', configMap('dup')), 409, 'AlreadyExists', /configmaps "dup" already exists/);
  });

  it('creates again after a delete (the tombstone is the expected last sequence)', async () => {
    const first = await cluster.client.create('configmaps', configMap('phoenix'));
    await cluster.client.delete('configmaps', 'default', 'phoenix');
    await rejects(cluster.client.get('configmaps', 'default', 'phoenix'), 404, 'NotFound');
    const second = await cluster.client.create('configmaps', configMap('phoenix', { b: '2' }));
    assert.notEqual(second.metadata.uid, first.metadata.uid);
    assert.ok(Number(second.metadata.resourceVersion) > Number(first.metadata.resourceVersion));
  });

  it('generates a name from generateName', async () => {
    const created = await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-', namespace: 'default' } });
    assert.match(created.metadata.name ?? '', /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('refuses a namespace that does not exist with 404', async () => {
    await rejects(cluster.client.create('configmaps', configMap('x', {}, 'nowhere')), 404, 'NotFound', /namespaces "nowhere" not found/);
  });

  it('does not write on dryRun', async () => {
    const dry = await cluster.client.create('configmaps', configMap('dry'), { dryRun: true });
    assert.equal(dry.metadata.name, 'dry');
    await rejects(cluster.client.get('configmaps', 'default', 'dry'), 404, 'NotFound');
  });
});

describe('update', () => {
  it('bumps generation on a spec change only, and resourceVersion on every change', async () => {
    const created = await cluster.client.create('deployments.apps', deployment('gen'));
    const relabeled = await cluster.client.update('deployments.apps', {
      ...created,
      metadata: { ...created.metadata, labels: { app: 'gen', extra: 'yes' } },
    });
    assert.equal(relabeled.metadata.generation, 1);
    assert.ok(Number(relabeled.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    const scaled = await cluster.client.update('deployments.apps', { ...relabeled, spec: { ...(relabeled.spec as object), replicas: 3 } });
    assert.equal(scaled.metadata.generation, 2);
  });

  it('answers 409 Conflict for a stale resourceVersion and writes nothing', async () => {
    const created = await cluster.client.create('configmaps', configMap('stale'));
    await cluster.client.update('configmaps', { ...created, data: { a: '2' } });
    await rejects(cluster.client.update('configmaps', { ...created, data: { a: '3' } }), 409, 'Conflict', /the object has been modified/);
    const read = await cluster.client.get('configmaps', 'default', 'stale');
    assert.deepEqual(read.data, { a: '2' });
  });

  it('writes nothing for an update that changes nothing', async () => {
    const created = await cluster.client.create('configmaps', configMap('same'));
    const again = await cluster.client.update('configmaps', created);
    assert.equal(again.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  it('keeps status on a main-resource update and takes only status through /status', async () => {
    const created = await cluster.client.create('deployments.apps', deployment('st'));
    const withStatus = await cluster.client.update('deployments.apps', { ...created, status: { replicas: 5 } }, { subresource: 'status' });
    assert.deepEqual((withStatus.status as { replicas: number }).replicas, 5);
    const main = await cluster.client.update('deployments.apps', { ...withStatus, status: { replicas: 9 } });
    assert.equal((main.status as { replicas: number }).replicas, 5);
  });

  it('answers 404 for an object that does not exist', async () => {
    await rejects(cluster.client.update('configmaps', configMap('ghost')), 404, 'NotFound');
  });
});

describe('patch', () => {
  it('applies a JSON merge patch', async () => {
    await cluster.client.create('configmaps', configMap('mp', { a: '1', b: '2' }));
    const patched = await cluster.client.patch('configmaps', 'default', 'mp', { data: { b: null, c: '3' } }, 'merge');
    assert.deepEqual(patched.data, { a: '1', c: '3' });
  });

  it('applies a JSON patch', async () => {
    await cluster.client.create('configmaps', configMap('jp', { a: '1' }));
    const patched = await cluster.client.patch('configmaps', 'default', 'jp', [{ op: 'add', path: '/data/z', value: '26' }], 'json');
    assert.deepEqual(patched.data, { a: '1', z: '26' });
  });

  it('validates the patched object (422) and writes nothing', async () => {
    const created = await cluster.client.create('deployments.apps', deployment('badpatch'));
    await rejects(cluster.client.patch('deployments.apps', 'default', 'badpatch', { spec: { replicas: -1 } }), 422, 'Invalid', /spec\.replicas/);
    const read = await cluster.client.get('deployments.apps', 'default', 'badpatch');
    assert.equal(read.metadata.resourceVersion, created.metadata.resourceVersion);
  });
});

describe('delete', () => {
  it('marks an object with finalizers and removes it when the last finalizer goes', async () => {
    await cluster.client.create('configmaps', { ...configMap('fin'), metadata: { name: 'fin', namespace: 'default', finalizers: ['example.com/hold'] } });
    const marked = await cluster.client.delete('configmaps', 'default', 'fin');
    assert.ok(marked.metadata.deletionTimestamp, 'deletionTimestamp set');
    const stillThere = await cluster.client.get('configmaps', 'default', 'fin');
    assert.ok(stillThere.metadata.deletionTimestamp);
    await cluster.client.patch('configmaps', 'default', 'fin', { metadata: { finalizers: null } });
    await rejects(cluster.client.get('configmaps', 'default', 'fin'), 404, 'NotFound');
  });

  it('records the propagation policy as Kubernetes does (orphan finalizer)', async () => {
    await cluster.client.create('deployments.apps', deployment('orphaned'));
    const marked = await cluster.client.delete('deployments.apps', 'default', 'orphaned', { propagationPolicy: 'Orphan' });
    assert.deepEqual(marked.metadata.finalizers, ['orphan']);
    assert.ok(marked.metadata.deletionTimestamp);
  });

  it('checks uid and resourceVersion preconditions', async () => {
    const created = await cluster.client.create('configmaps', configMap('pre'));
    await rejects(cluster.client.delete('configmaps', 'default', 'pre', { preconditions: { uid: 'not-the-uid' } }), 409, 'Conflict', /Precondition failed: UID/);
    await cluster.client.delete('configmaps', 'default', 'pre', { preconditions: { uid: created.metadata.uid } });
  });

  it('answers 404 for an object that does not exist', async () => {
    await rejects(cluster.client.delete('configmaps', 'default', 'never'), 404, 'NotFound', /configmaps "never" not found/);
  });

  it('deletes a collection by label selector', async () => {
    for (const name of ['c1', 'c2', 'c3']) {
      await cluster.client.create('configmaps', { ...configMap(name), metadata: { name, namespace: 'default', labels: { batch: name === 'c3' ? 'keep' : 'drop' } } });
    }
    const deleted = await cluster.client.deleteCollection('configmaps', 'default', { labelSelector: 'batch=drop' });
    assert.deepEqual(deleted.items.map((i) => i.metadata.name).sort(), ['c1', 'c2']);
    const left = await cluster.client.list('configmaps', 'default', { labelSelector: 'batch' });
    assert.deepEqual(left.items.map((i) => i.metadata.name), ['c3']);
  });
});

describe('list', () => {
  before(async () => {
    await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
    for (let i = 0; i < 25; i++) {
      const name = `item-${String(i).padStart(2, '0')}`;
      await cluster.client.create('configmaps', { ...configMap(name, { i: String(i) }, 'paging'), metadata: { name, namespace: 'paging', labels: { parity: i % 2 ? 'odd' : 'even' } } });
    }
  });

  it('filters by label and field selectors', async () => {
    const odd = await cluster.client.list('configmaps', 'paging', { labelSelector: 'parity=odd' });
    assert.equal(odd.items.length, 12);
    const one = await cluster.client.list('configmaps', undefined, { fieldSelector: 'metadata.name=item-07' });
    assert.deepEqual(one.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), ['paging/item-07']);
  });

  it('pages with limit and continue from one snapshot, even while writes go on', async () => {
    const first = await cluster.client.list('configmaps', 'paging', { limit: 10 });
    assert.equal(first.items.length, 10);
    assert.equal(first.metadata.remainingItemCount, 15);
    assert.ok(first.metadata.continue);
    // Changes after the first page must not show in later pages.
    await cluster.client.delete('configmaps', 'paging', 'item-20');
    await cluster.client.create('configmaps', configMap('item-99', {}, 'paging'));
    await cluster.client.patch('configmaps', 'paging', 'item-15', { data: { i: 'changed' } });
    const second = await cluster.client.list('configmaps', 'paging', { limit: 10, continue: first.metadata.continue });
    const third = await cluster.client.list('configmaps', 'paging', { limit: 10, continue: second.metadata.continue });
    assert.equal(third.metadata.continue, undefined);
    const names = [...first.items, ...second.items, ...third.items].map((i) => i.metadata.name);
    assert.deepEqual(names, Array.from({ length: 25 }, (_, i) => `item-${String(i).padStart(2, '0')}`));
    const item15 = second.items.find((i) => i.metadata.name === 'item-15');
    assert.deepEqual(item15?.data, { i: '15' });
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
  });

  it('answers a List kind with the revision it was read at', async () => {
    const result = await cluster.client.list('configmaps', 'paging');
    assert.equal(result.kind, 'ConfigMapList');
    assert.equal(result.apiVersion, 'v1');
    assert.match(result.metadata.resourceVersion, /^\d+$/);
  });
});

describe('delete of an object already being deleted', () => {
  it('writes nothing the second time', async () => {
    await cluster.client.create('configmaps', { ...configMap('twice'), metadata: { name: 'twice', namespace: 'default', finalizers: ['example.com/hold'] } });
    const first = await cluster.client.delete('configmaps', 'default', 'twice');
    const second = await cluster.client.delete('configmaps', 'default', 'twice');
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
    assert.equal(second.metadata.deletionTimestamp, first.metadata.deletionTimestamp);
  });
});

describe('large lists', () => {
  it('pages through listAll and refuses, with a Status, an answer larger than one NATS message', async () => {
    await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'big-list' } });
    const value = 'x'.repeat(400 * 1024);
    for (let i = 0; i < 12; i++) {
      await cluster.client.create('configmaps', { ...configMap(`big-${String(i).padStart(2, '0')}`, { v: value }, 'big-list') });
    }
    const all = await cluster.client.listAll('configmaps', 'big-list', {}, 4);
    assert.equal(all.items.length, 12);
    assert.deepEqual(all.items.map((i) => i.metadata.name), Array.from({ length: 12 }, (_, i) => `big-${String(i).padStart(2, '0')}`));
    await rejects(cluster.client.list('configmaps', 'big-list'), 413, 'RequestEntityTooLarge', /list with limit and continue/);
  });
});

describe('read-your-writes for admission', () => {
  it('admits an object into a namespace created just before, every time', async () => {
    for (let i = 0; i < 50; i++) {
      await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `fresh-${i}` } });
      const created = await cluster.client.create('configmaps', configMap('first', { a: '1' }, `fresh-${i}`));
      assert.equal(created.metadata.namespace, `fresh-${i}`);
    }
  });
});
