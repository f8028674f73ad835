// Where a replay of the live log starts: the newest snapshot at or before the point, or a
// clear error when the point is before the history a compacted log holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BeforeHistoryError, snapshotBase, snapshotCandidates, type SnapshotReader } from '../../src/replay/snapshot-base.ts';
import { emptyState, replay } from '../../src/store/evolve.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { encodeSnapshot, snapshotOfState } from '../../src/store/snapshot.ts';
import type { CompactionPoint, SnapshotInfo } from '../../streams/snapshot-store.ts';

const info = (revision: number, mtime = '2026-01-01T00:00:00Z'): SnapshotInfo => ({ revision, bytes: 1, name: `snapshot-${revision}`, mtime });

/** Entry n writes configmap cN at time n * 1000. */
const entries: LogEntry[] = Array.from({ length: 40 }, (_, i) => ({
  type: 'ADDED',
  seq: i + 1,
  time: (i + 1) * 1000,
  key: { resource: 'configmaps', namespace: 'default', name: `c${i + 1}` },
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i + 1}`, namespace: 'default' } },
}));

function reader(revisions: number[], compaction?: CompactionPoint): SnapshotReader & { fetched: number[] } {
  const fetched: number[] = [];
  return {
    fetched,
    list: async () => revisions.map((r) => info(r, new Date(r * 1000 + 500).toISOString())),
    get: async (revision) => {
      fetched.push(revision);
      return encodeSnapshot(snapshotOfState(replay(entries.slice(0, revision), emptyState), revision * 1000));
    },
    compaction: async () => compaction,
  };
}

describe('the snapshot a replay starts from', () => {
  it('candidates: usable snapshots at or before the revision, newest first', () => {
    const all = [info(10), info(20), info(30)];
    assert.deepEqual(snapshotCandidates(all, 1, 40, { revision: 25 }).map((s) => s.revision), [20, 10]);
    assert.deepEqual(snapshotCandidates(all, 1, 40, undefined).map((s) => s.revision), [30, 20, 10]);
    // Before the compaction point's snapshot nothing is usable; past the log's end neither.
    assert.deepEqual(snapshotCandidates(all, 21, 25, undefined).map((s) => s.revision), [20]);
  });

  it('a revision point starts from the newest snapshot at or before it, fetching only that one', async () => {
    const bucket = reader([10, 20, 30]);
    const base = await snapshotBase(bucket, { firstSeq: 1, lastSeq: 40 }, { revision: 29 });
    assert.equal(base?.header.revision, 20);
    assert.deepEqual(bucket.fetched, [20]);
    assert.equal(await snapshotBase(reader([10]), { firstSeq: 1, lastSeq: 40 }, { revision: 5 }), undefined, 'a whole log folds from its start');
  });

  it('a time point starts from a snapshot whose revision was stored by then', async () => {
    const base = await snapshotBase(reader([10, 20, 30]), { firstSeq: 1, lastSeq: 40 }, { time: 25_000 });
    assert.equal(base?.header.revision, 20);
  });

  it('a point before a compacted log\'s history is an error naming the earliest revision available', async () => {
    const compaction = { before: 21, snapshotRevision: 20, at: '' };
    const bucket = reader([10, 20, 30], compaction);
    assert.equal((await snapshotBase(bucket, { firstSeq: 1, lastSeq: 40 }, { revision: 20 }))?.header.revision, 20);
    for (const point of [{ revision: 19 }, { time: 15_000 }]) {
      await assert.rejects(snapshotBase(bucket, { firstSeq: 1, lastSeq: 40 }, point), (error: unknown) => {
        assert.ok(error instanceof BeforeHistoryError);
        assert.equal(error.earliest, 20);
        assert.match(error.message, /is before the history this log holds \(the log is compacted: it holds whole history from revision 21 on, starting from the snapshot at revision 20\); the earliest revision available is 20/);
        return true;
      });
    }
  });

  it('a log that lost its head without a compaction record says so', async () => {
    await assert.rejects(snapshotBase(reader([]), { firstSeq: 15, lastSeq: 40 }, { revision: 30 }), /the log starts at revision 15: its history before it is gone\); no snapshot holds a state the log continues/);
  });
});
