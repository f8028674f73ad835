/**
 * Which snapshot a compaction rests on, and which snapshot start-up takes: pure choices
 * over the bucket's listing and the log's bounds.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compactionBase } from '../../src/cli/compact.ts';
import { firstWholeRevision, usableSnapshot } from '../../src/store/snapshot-io.ts';
import type { SnapshotInfo } from '../../streams/snapshot-store.ts';

const snaps = (...revisions: number[]): SnapshotInfo[] => revisions.map((revision) => ({ revision, bytes: 1, name: `s${revision}`, mtime: '' }));

it('compaction before R rests on the newest snapshot below R', () => {
  assert.equal(compactionBase(snaps(10, 20, 30), 25, 100)?.revision, 20);
  assert.equal(compactionBase(snaps(10, 20, 30), 21, 100)?.revision, 20);
  assert.equal(compactionBase(snaps(10, 20, 30), 20, 100)?.revision, 10);
  assert.equal(compactionBase(snaps(10), 10, 100), undefined);
  assert.equal(compactionBase(snaps(10, 200), 300, 100)?.revision, 10, 'a snapshot beyond the log end describes another history');
});

it('start-up takes the newest snapshot the log continues', () => {
  assert.equal(usableSnapshot(snaps(10, 20, 30), 1, 100)?.revision, 30);
  assert.equal(usableSnapshot(snaps(10, 20, 30), firstWholeRevision(1, { before: 21, snapshotRevision: 20, at: '' }), 100)?.revision, 30);
  assert.equal(usableSnapshot(snaps(10, 20), firstWholeRevision(1, { before: 21, snapshotRevision: 20, at: '' }), 100)?.revision, 20);
  assert.equal(usableSnapshot(snaps(10), firstWholeRevision(1, { before: 21, snapshotRevision: 20, at: '' }), 100), undefined);
  assert.equal(usableSnapshot(snaps(10, 50), 1, 40)?.revision, 10);
  assert.equal(firstWholeRevision(30, { before: 21, snapshotRevision: 20, at: '' }), 30);
});
