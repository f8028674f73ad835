/**
 * The ControllerRevision helpers shared by the StatefulSet and DaemonSet controllers:
 * the revision's data is the patch kubectl applies on undo, names and hashes are stable
 * and move with the collision count, and planRevisions reuses, renumbers, creates or
 * reports a collision; truncation keeps live revisions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { planRevisions } from '../../src/controllers/history/plan-revisions.ts';
import { applyRevision, newRevision, revisionData, revisionsToTruncate, sortRevisions } from '../../src/controllers/history/revision.ts';

const parent = (image: string, labelOrder: 'ab' | 'ba' = 'ab'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'set-uid' },
  spec: {
    template: {
      metadata: { labels: labelOrder === 'ab' ? { a: '1', b: '2' } : { b: '2', a: '1' } },
      spec: { containers: [{ name: 'c', image }] },
    },
  },
});
const stored = (r: KubeObject, rv: string): KubeObject => ({ ...r, metadata: { ...r.metadata, uid: `uid-${rv}`, resourceVersion: rv } });

describe('ControllerRevision helpers', () => {
  it('store the patch that replaces the template whole, and apply it back', () => {
    const data = revisionData(parent('nginx:1'));
    assert.deepEqual(data, { spec: { template: { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] }, $patch: 'replace' } } });
    const back = applyRevision(parent('nginx:2'), newRevision(parent('nginx:1'), 1));
    assert.deepEqual((back.spec as { template: unknown }).template, (parent('nginx:1').spec as { template: unknown }).template);
  });

  it('name revisions `<parent>-<hash>`, stable under key order, moved by the collision count, labelled and owned', () => {
    const r = newRevision(parent('nginx:1'), 1);
    const hash = r.metadata.labels?.['controller-revision-hash'];
    assert.equal(r.metadata.name, `web-${hash}`);
    assert.match(hash!, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(newRevision(parent('nginx:1', 'ba'), 1).metadata.name, r.metadata.name);
    assert.notEqual(newRevision(parent('nginx:1'), 1, 1).metadata.name, r.metadata.name);
    assert.notEqual(newRevision(parent('nginx:2'), 1).metadata.name, r.metadata.name);
    assert.deepEqual(r.metadata.labels, { a: '1', b: '2', 'controller-revision-hash': hash });
    assert.deepEqual(r.metadata.ownerReferences?.map((o) => [o.uid, o.controller]), [['set-uid', true]]);
  });

  it('plan: create the first, reuse the newest, renumber an older one, report a collision', () => {
    const first = planRevisions(parent('nginx:1'), [], [], 0);
    assert.equal(first.write?.type, 'createRevision');
    assert.equal((first.update as { revision?: number }).revision, 1);
    const r1 = stored(first.update, '10');
    assert.equal(planRevisions(parent('nginx:1'), [r1], [r1], 0).write, undefined);
    const r2 = stored(planRevisions(parent('nginx:2'), [r1], [r1], 0).update, '11');
    assert.equal((r2 as { revision?: number }).revision, 2);
    const back = planRevisions(parent('nginx:1'), [r1, r2], [r1, r2], 0);
    assert.deepEqual([back.write?.type, back.update.metadata.name, (back.update as { revision?: number }).revision], ['renumberRevision', r1.metadata.name, 3]);
    const taken = newRevision(parent('nginx:3'), 1, 0);
    const squatter = { ...stored(taken, '12'), data: { other: true }, metadata: { ...taken.metadata, uid: 'other', ownerReferences: [] } } as KubeObject;
    assert.equal(planRevisions(parent('nginx:3'), [r1, r2], [r1, r2, squatter], 0).collided, true);
    assert.equal(planRevisions(parent('nginx:3'), [r1, r2], [r1, r2, squatter], 1).collided, false);
  });

  it('truncate the oldest unused revisions beyond the limit, never a live one', () => {
    const revisions = sortRevisions([4, 1, 3, 2].map((n) => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: `r${n}` }, revision: n }) as KubeObject));
    assert.deepEqual(revisions.map((r) => r.metadata.name), ['r1', 'r2', 'r3', 'r4']);
    assert.deepEqual(revisionsToTruncate(revisions, new Set(['r4', 'r1']), 1).map((r) => r.metadata.name), ['r2']);
    assert.deepEqual(revisionsToTruncate(revisions, new Set(['r4']), 0).map((r) => r.metadata.name), ['r1', 'r2', 'r3']);
    assert.deepEqual(revisionsToTruncate(revisions, new Set(), 10), []);
  });
});
