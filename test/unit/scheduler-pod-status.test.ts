import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { podCondition } from '../../src/api/pod-conditions.ts';
import type { ApiClient } from '../../src/client/api-client.ts';
import { makePod } from '../../src/scheduler/fixtures.ts';
import { writeUnschedulableCondition } from '../../src/scheduler/pod-status.ts';
import { isPendingFor } from '../../src/scheduler/views.ts';

const withRv = (pod: KubeObject, rv: string): KubeObject => ({ ...pod, metadata: { ...pod.metadata, resourceVersion: rv } });

function fakeClient(stored: { pod: KubeObject }) {
  const writes: KubeObject[] = [];
  const client = {
    update: async (_r: string, pod: KubeObject) => {
      if (pod.metadata.resourceVersion !== stored.pod.metadata.resourceVersion) throw new StatusError(409, 'Conflict', 'the object has been modified');
      writes.push(pod);
      stored.pod = withRv(pod, String(Number(pod.metadata.resourceVersion) + 1));
      return stored.pod;
    },
    get: async () => stored.pod,
  } as unknown as ApiClient;
  return { client, writes };
}

describe('PodScheduled=False write', () => {
  it('is pinned to the resourceVersion read and retried after a conflict with a fresh read', async () => {
    const stored = { pod: withRv(makePod('p'), '7') };
    const { client, writes } = fakeClient(stored);
    const stale = withRv(makePod('p'), '5');
    await writeUnschedulableCondition(client, stale, 'Unschedulable', '0/1 nodes are available: 1 Insufficient cpu.', Date.UTC(2026, 0, 1), (p) => isPendingFor(p));
    assert.equal(writes.length, 1);
    assert.equal(writes[0]!.metadata.resourceVersion, '7', 'the retry carries the fresh resourceVersion');
    const condition = podCondition(stored.pod, 'PodScheduled')!;
    assert.deepEqual([condition.status, condition.reason, condition.message], ['False', 'Unschedulable', '0/1 nodes are available: 1 Insufficient cpu.']);
  });

  it('stops when the fresh read shows the pod bound meanwhile, and writes nothing unchanged', async () => {
    const stored = { pod: withRv(makePod('p', { nodeName: 'n1' }), '9') };
    const { client, writes } = fakeClient(stored);
    await writeUnschedulableCondition(client, withRv(makePod('p'), '5'), 'Unschedulable', 'm', 0, (p) => isPendingFor(p));
    assert.equal(writes.length, 0);

    const pending = { pod: withRv(makePod('q'), '3') };
    const second = fakeClient(pending);
    await writeUnschedulableCondition(second.client, pending.pod, 'Unschedulable', 'm', 0, (p) => isPendingFor(p));
    await writeUnschedulableCondition(second.client, pending.pod, 'Unschedulable', 'm', 1_000, (p) => isPendingFor(p));
    assert.equal(second.writes.length, 1, 'the same condition again is not written');
  });
});
