/**
 * The periodic snapshot schedule: never sooner than `every` revisions, never sooner than
 * the store has objects, and so, over any history of writes, the objects encoded into
 * snapshots stay within twice the revisions written (a fixed period would make it grow
 * with the square of the store).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { nextSnapshotDue, recentSnapshotExists, snapshotPeriod } from '../../src/store/snapshot-schedule.ts';

it('waits at least every revisions, and at least as many as the store has objects', () => {
  assert.equal(snapshotPeriod(10_000, 3), 10_000);
  assert.equal(snapshotPeriod(10_000, 150_000), 150_000);
  assert.equal(nextSnapshotDue(500, 100, 0), 600);
  // The jitter adds at most a quarter period.
  assert.equal(nextSnapshotDue(500, 100, 0.999), 624);
  assert.equal(nextSnapshotDue(500, 100, 5), 624);
});

it('skips a period in which another server wrote a snapshot', () => {
  assert.equal(recentSnapshotExists(undefined, 1_000, 100), false);
  assert.equal(recentSnapshotExists(960, 1_000, 100), true);
  assert.equal(recentSnapshotExists(949, 1_000, 100), false);
});

it('encodes at most twice as many objects into snapshots as revisions were written', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 500 }),
      fc.integer({ min: 0, max: 2_000 }),
      fc.array(fc.constantFrom(1, 1, 1, 0, -1), { minLength: 1, maxLength: 20_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (every, initialObjects, writes, jitter) => {
        let objects = initialObjects;
        let encoded = 0;
        let due = nextSnapshotDue(0, snapshotPeriod(every, objects), jitter);
        writes.forEach((delta, i) => {
          const revision = i + 1;
          objects = Math.max(0, objects + delta);
          if (revision < due) return;
          encoded += objects;
          due = nextSnapshotDue(revision, snapshotPeriod(every, objects), jitter);
        });
        assert.ok(encoded <= 2 * writes.length, `${encoded} objects encoded for ${writes.length} revisions`);
      },
    ),
    { numRuns: 200 },
  );
});
