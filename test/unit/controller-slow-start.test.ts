import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slowStartBatches } from '../../src/controllers/runtime/slow-start.ts';

describe('slow start', () => {
  it('creates in batches of 1, 2, 4, ... and all when none fails', async () => {
    const started: number[][] = [];
    let batch: number[] = [];
    const result = await slowStartBatches([1, 2, 3, 4, 5, 6, 7, 8], async (n) => {
      batch.push(n);
      await Promise.resolve();
      if ([1, 3, 7].includes(n)) {
        started.push(batch);
        batch = [];
      }
    });
    assert.deepEqual(result, { failures: [], untried: 0 });
    assert.deepEqual(started, [[1], [2, 3], [4, 5, 6, 7]]);
  });

  it('stops after the first batch with a failure and says how many were never tried', async () => {
    const tried: number[] = [];
    const result = await slowStartBatches([1, 2, 3, 4, 5, 6, 7], async (n) => {
      tried.push(n);
      if (n === 3) throw new Error('refused');
    });
    assert.deepEqual(tried, [1, 2, 3]);
    assert.equal(result.untried, 4);
    assert.equal((result.failures[0] as Error).message, 'refused');
  });
});
