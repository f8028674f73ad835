import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BACKOFF, nextBackoff, nextRetryBackoff, type BackoffEntry } from '../../src/kubelet/backoff.ts';
import { goDuration } from '../../src/kubelet/time-format.ts';

describe('kubelet restart back-off', () => {
  it('restarts at once after the first crash, then waits 10 s, 20 s, 40 s ... capped at 5 min', () => {
    let entry: BackoffEntry | undefined;
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      const step = nextBackoff(entry, 1_000);
      waits.push(step.waitMs);
      entry = step.entry;
    }
    assert.deepEqual(waits, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('forgets earlier crashes after a run of 10 minutes', () => {
    const entry = { delayMs: 160_000 };
    assert.deepEqual(nextBackoff(entry, 600_000), { waitMs: 0, entry: { delayMs: 10_000 } });
    assert.equal(nextBackoff(entry, 599_999).waitMs, 160_000);
  });

  it('honours a shorter base for tests', () => {
    const config = { ...DEFAULT_BACKOFF, baseMs: 100, maxMs: 250 };
    const first = nextBackoff(undefined, 0, config);
    const second = nextBackoff(first.entry, 0, config);
    const third = nextBackoff(second.entry, 0, config);
    assert.deepEqual([first.waitMs, second.waitMs, third.waitMs, third.entry.delayMs], [0, 100, 200, 250]);
  });

  it('waits already on the first failed pull or start', () => {
    const first = nextRetryBackoff(undefined);
    assert.equal(first.waitMs, 10_000);
    assert.equal(nextRetryBackoff(first.entry).waitMs, 20_000);
  });

  it('prints durations as Go does', () => {
    assert.equal(goDuration(10_000), '10s');
    assert.equal(goDuration(20_000), '20s');
    assert.equal(goDuration(80_000), '1m20s');
    assert.equal(goDuration(300_000), '5m0s');
    assert.equal(goDuration(250), '250ms');
    assert.equal(goDuration(1_500), '1.5s');
  });
});
