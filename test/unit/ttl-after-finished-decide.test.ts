import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideTtl, jobFinishTime } from '../../src/controllers/ttl-after-finished/decide.ts';

const job = (ttl: number | undefined, condition?: { type: string; status: string; lastTransitionTime: string }, deleting = false): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'j', namespace: 'default', ...(deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
  spec: ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl },
  status: condition ? { conditions: [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: '2023-12-31T00:00:00Z' }, condition] } : {},
});
const finishedAt = '2024-01-01T00:00:00Z';
const t = Date.parse(finishedAt);

describe('TTL after finished', () => {
  it('deletes a finished Job once its TTL passed since the Complete or Failed condition', () => {
    assert.deepEqual(decideTtl(job(100, { type: 'Complete', status: 'True', lastTransitionTime: finishedAt }), t + 40_000), { action: 'wait', afterMs: 60_000 });
    assert.deepEqual(decideTtl(job(100, { type: 'Complete', status: 'True', lastTransitionTime: finishedAt }), t + 100_000), { action: 'delete' });
    assert.deepEqual(decideTtl(job(0, { type: 'Failed', status: 'True', lastTransitionTime: finishedAt }), t), { action: 'delete' });
    assert.equal(jobFinishTime(job(1, { type: 'Failed', status: 'True', lastTransitionTime: finishedAt })), t, 'the interim condition is not the finish');
  });

  it('leaves running, TTL-less and deleting Jobs alone', () => {
    assert.deepEqual(decideTtl(job(10), t + 1e9), { action: 'none' });
    assert.deepEqual(decideTtl(job(undefined, { type: 'Complete', status: 'True', lastTransitionTime: finishedAt }), t + 1e9), { action: 'none' });
    assert.deepEqual(decideTtl(job(10, { type: 'Complete', status: 'True', lastTransitionTime: finishedAt }, true), t + 1e9), { action: 'none' });
    assert.deepEqual(decideTtl(job(10, { type: 'Complete', status: 'False', lastTransitionTime: finishedAt }), t + 1e9), { action: 'none' });
  });
});
