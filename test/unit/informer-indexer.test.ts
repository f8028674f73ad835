/**
 * The indexer: keys, the four standard indexes, and index upkeep on update and delete.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { Indexer, LABEL_INDEX, NAMESPACE_INDEX, NODE_NAME_INDEX, OWNER_UID_INDEX, objectKey, splitKey } from '../../src/informer/indexer.ts';

function pod(namespace: string, name: string, extra: { labels?: Record<string, string>; owner?: string; node?: string; rv?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      name,
      resourceVersion: extra.rv ?? '1',
      labels: extra.labels,
      ownerReferences: extra.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: extra.owner }] : undefined,
    },
    spec: extra.node ? { nodeName: extra.node } : {},
  };
}

const names = (objects: KubeObject[]) => objects.map((o) => objectKey(o)).sort();

describe('Indexer', () => {
  it('keys namespaced objects ns/name and cluster-scoped ones by name', () => {
    assert.equal(objectKey(pod('a', 'p')), 'a/p');
    assert.equal(objectKey({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }), 'n1');
    assert.deepEqual(splitKey('a/p'), { namespace: 'a', name: 'p' });
    assert.deepEqual(splitKey('n1'), { namespace: '', name: 'n1' });
  });

  it('gets, lists and finds by namespace, owner uid, label and node name', () => {
    const idx = new Indexer();
    idx.upsert(pod('a', 'p1', { labels: { app: 'web', tier: 'fe' }, owner: 'u1', node: 'n1' }));
    idx.upsert(pod('a', 'p2', { labels: { app: 'db' }, owner: 'u1' }));
    idx.upsert(pod('b', 'p1', { labels: { app: 'web' }, owner: 'u2', node: 'n1' }));
    assert.equal(idx.size, 3);
    assert.equal(idx.get('b/p1')?.metadata.namespace, 'b');
    assert.equal(idx.getBy('a', 'p2')?.metadata.name, 'p2');
    assert.equal(idx.get('c/p1'), undefined);
    assert.deepEqual(names(idx.byIndex(NAMESPACE_INDEX, 'a')), ['a/p1', 'a/p2']);
    assert.deepEqual(names(idx.byIndex(OWNER_UID_INDEX, 'u1')), ['a/p1', 'a/p2']);
    assert.deepEqual(names(idx.byIndex(LABEL_INDEX, 'app=web')), ['a/p1', 'b/p1']);
    assert.deepEqual(names(idx.byIndex(LABEL_INDEX, 'tier=fe')), ['a/p1']);
    assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n1')), ['a/p1', 'b/p1']);
    assert.deepEqual(idx.byIndex(NODE_NAME_INDEX, 'n2'), []);
    assert.throws(() => idx.byIndex('nope', 'x'), /no index named nope/);
  });

  it('moves an updated object between index values and drops a deleted one from all', () => {
    const idx = new Indexer();
    idx.upsert(pod('a', 'p', { labels: { app: 'web' }, node: 'n1', owner: 'u1' }));
    const old = idx.upsert(pod('a', 'p', { labels: { app: 'db' }, node: 'n2', owner: 'u1', rv: '2' }));
    assert.equal(old?.metadata.resourceVersion, '1');
    assert.deepEqual(idx.byIndex(LABEL_INDEX, 'app=web'), []);
    assert.deepEqual(names(idx.byIndex(LABEL_INDEX, 'app=db')), ['a/p']);
    assert.deepEqual(idx.byIndex(NODE_NAME_INDEX, 'n1'), []);
    assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n2')), ['a/p']);
    assert.equal(idx.delete('a/p')?.metadata.resourceVersion, '2');
    assert.equal(idx.delete('a/p'), undefined);
    assert.equal(idx.size, 0);
    for (const [name, value] of [[NAMESPACE_INDEX, 'a'], [OWNER_UID_INDEX, 'u1'], [LABEL_INDEX, 'app=db'], [NODE_NAME_INDEX, 'n2']] as const) {
      assert.deepEqual(idx.indexKeys(name, value), [], `${name}=${value} still lists the deleted key`);
    }
  });

  it('takes custom indexers', () => {
    const idx = new Indexer({ phase: (o) => [String((o.status as { phase?: string } | undefined)?.phase ?? 'Unknown')] });
    idx.upsert({ ...pod('a', 'p'), status: { phase: 'Running' } });
    idx.upsert(pod('a', 'q'));
    assert.deepEqual(names(idx.byIndex('phase', 'Running')), ['a/p']);
    assert.deepEqual(names(idx.byIndex('phase', 'Unknown')), ['a/q']);
  });
});
