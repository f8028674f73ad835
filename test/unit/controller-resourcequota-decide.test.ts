import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideQuotaStatus } from '../../src/controllers/resourcequota/decide.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const quota = (hard: Record<string, string>, status?: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'q', namespace: 'ns' },
  spec: { hard, ...spec },
  ...(status ? { status } : {}),
});
const pod = (name: string, cpu?: string, phase?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'i', ...(cpu ? { resources: { requests: { cpu } } } : {}) }] },
  ...(phase ? { status: { phase } } : {}),
});
const objects = (byKind: Record<string, KubeObject[]>) => (resource: string) => byKind[resource] ?? [];

describe('decideQuotaStatus', () => {
  it('given a new quota, then status.hard is spec.hard and used is measured, zero where nothing uses it', () => {
    const status = decideQuotaStatus(quota({ pods: '5', 'requests.cpu': '2', configmaps: '3', 'count/deployments.apps': '1' }), objects({ pods: [pod('a', '500m'), pod('b', '250m')] }), NOW);
    assert.deepEqual(status, {
      hard: { configmaps: '3', 'count/deployments.apps': '1', pods: '5', 'requests.cpu': '2' },
      used: { configmaps: '0', 'count/deployments.apps': '0', pods: '2', 'requests.cpu': '750m' },
    });
  });

  it('releases what deleted and terminal pods held', () => {
    const q = quota({ pods: '5' }, { hard: { pods: '5' }, used: { pods: '4' } });
    assert.deepEqual(decideQuotaStatus(q, objects({ pods: [pod('a'), pod('b', undefined, 'Failed')] }), NOW), { hard: { pods: '5' }, used: { pods: '1' } });
  });

  it('writes nothing when the status already says so', () => {
    const q = quota({ pods: '5' }, { hard: { pods: '5' }, used: { pods: '1' } });
    assert.equal(decideQuotaStatus(q, objects({ pods: [pod('a')] }), NOW), undefined);
  });

  it('follows a changed spec.hard, dropping resources no longer limited', () => {
    const q = quota({ pods: '9' }, { hard: { pods: '5', secrets: '2' }, used: { pods: '1', secrets: '1' } });
    assert.deepEqual(decideQuotaStatus(q, objects({ pods: [pod('a')] }), NOW), { hard: { pods: '9' }, used: { pods: '1' } });
  });

  it('applies the quota scopes to what it counts', () => {
    const q = quota({ pods: '5' }, undefined, { scopes: ['BestEffort'] });
    assert.deepEqual(decideQuotaStatus(q, objects({ pods: [pod('a'), pod('b', '1')] }), NOW)?.used, { pods: '1' });
  });
});
