import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { statusUpdateBody } from '../../src/kubelet/pod-status-writer.ts';

describe('pod status update body', () => {
  it('replaces what the kubelet owns, keeps the rest, and stays pinned to the resourceVersion seen', () => {
    const current: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', uid: 'u', resourceVersion: '42' },
      spec: { containers: [] },
      status: {
        phase: 'Pending',
        qosClass: 'BestEffort',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' },
        ],
      },
    };
    const body = statusUpdateBody(current, { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: 't' }, { type: 'Ready', status: 'True' }] });
    const status = body.status as { phase: string; qosClass: string; conditions: Array<{ type: string }> };
    assert.equal(body.metadata.resourceVersion, '42');
    assert.equal(status.phase, 'Running');
    assert.equal(status.qosClass, 'BestEffort');
    assert.deepEqual(status.conditions.map((c) => c.type), ['PodScheduled', 'Ready', 'DisruptionTarget']);
  });
});
