import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeContinue, encodeContinue } from '../../src/apiserver/continue-token.ts';
import { compareItems, undoChanges } from '../../src/apiserver/verbs/list.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';

const cm = (namespace: string, name: string, v = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name }, data: { v } });

describe('continue tokens', () => {
  it('round-trip revision and position', () => {
    const token = { revision: 1234, after: 'kube-system/coredns' };
    assert.deepEqual(decodeContinue(encodeContinue(token)), token);
  });

  it('refuse garbage with a 400', () => {
    for (const bad of ['', 'not-base64!', Buffer.from('{"v":2}').toString('base64url'), Buffer.from('{"v":1,"rv":-1,"after":""}').toString('base64url')]) {
      assert.throws(() => decodeContinue(bad), (e: unknown) => e instanceof StatusError && e.code === 400, bad);
    }
  });
});

describe('undoChanges: the list as it was at an earlier revision', () => {
  it('restores modified, re-adds deleted and drops created objects, oldest change first', () => {
    const now = [cm('a', 'kept', '2'), cm('a', 'new'), cm('b', 'x')];
    const changes = [
      { key: { namespace: 'a', name: 'kept' }, previous: cm('a', 'kept', '1') },
      { key: { namespace: 'a', name: 'kept' }, previous: cm('a', 'kept', '1.5') },
      { key: { namespace: 'a', name: 'new' }, previous: undefined },
      { key: { namespace: 'a', name: 'gone' }, previous: cm('a', 'gone') },
    ];
    const then = undoChanges(now, changes);
    assert.deepEqual(
      then.map((o) => `${o.metadata.namespace}/${o.metadata.name}=${(o.data as { v: string }).v}`),
      ['a/gone=1', 'a/kept=1', 'b/x=1'],
    );
  });

  it('ignores changes in other namespaces when the list is of one namespace', () => {
    const then = undoChanges([cm('a', 'one')], [{ key: { namespace: 'b', name: 'other' }, previous: cm('b', 'other') }], 'a');
    assert.deepEqual(then.map((o) => o.metadata.name), ['one']);
  });
});

describe('list order', () => {
  it('sorts by namespace, then name, in code-unit order', () => {
    const items = [cm('a-x', 'b'), cm('a', 'z'), cm('a', 'b'), cm('', 'c')];
    assert.deepEqual(items.sort(compareItems).map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['/c', 'a/b', 'a/z', 'a-x/b']);
  });
});

describe('ListSnapshots: a paged list kept at its first revision', () => {
  it('keeps items per resource, namespace and revision until they expire', async () => {
    const { ListSnapshots } = await import('../../src/apiserver/list-snapshots.ts');
    let now = 0;
    const kept = new ListSnapshots(2, 1_000, () => now);
    const items = [cm('a', 'x')];
    kept.put('configmaps', 'a', 7, items);
    assert.equal(kept.get('configmaps', 'a', 7), items);
    assert.equal(kept.get('configmaps', 'a', 8), undefined);
    assert.equal(kept.get('configmaps', undefined, 7), undefined);
    now = 1_000;
    assert.equal(kept.get('configmaps', 'a', 7), undefined, 'expired');
  });

  it('drops the least recently used beyond its capacity', async () => {
    const { ListSnapshots } = await import('../../src/apiserver/list-snapshots.ts');
    const kept = new ListSnapshots(2);
    kept.put('pods', undefined, 1, []);
    kept.put('pods', undefined, 2, []);
    assert.ok(kept.get('pods', undefined, 1)); // 1 is now the most recent
    kept.put('pods', undefined, 3, []);
    assert.equal(kept.size, 2);
    assert.ok(kept.get('pods', undefined, 1));
    assert.equal(kept.get('pods', undefined, 2), undefined);
  });
});
