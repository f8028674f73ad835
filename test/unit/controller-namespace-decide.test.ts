import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideNamespace, remainingOf, type NamespaceCondition, type Sweep } from '../../src/controllers/namespace/decide.ts';

const NOW = '2026-01-01T00:00:10Z';
const ns = (o: { deleting?: boolean; finalizers?: string[]; status?: Record<string, unknown> } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'x', resourceVersion: '7', ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { finalizers: o.finalizers ?? ['kubernetes'] },
  status: o.status ?? { phase: o.deleting ? 'Terminating' : 'Active' },
});
const empty: Sweep = { remaining: [{ resource: 'pods', count: 0, finalizers: {} }], failures: [] };
const cond = (d: ReturnType<typeof decideNamespace>, type: string) => {
  const status = d.actions.find((a) => a.type === 'updateStatus');
  assert.ok(status && status.type === 'updateStatus');
  return (status.status.conditions as NamespaceCondition[]).find((c) => c.type === type)!;
};

describe('decideNamespace', () => {
  it('given an active namespace, then nothing', () => {
    assert.deepEqual(decideNamespace(ns(), empty, NOW), { actions: [] });
  });

  it('given a deleting namespace without the kubernetes finalizer, then nothing', () => {
    assert.deepEqual(decideNamespace(ns({ deleting: true, finalizers: ['example.com/x'] }), empty, NOW), { actions: [] });
  });

  it('given content left, then conditions naming it and a requeue, no finalize', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['example.com/hold'] } };
    const sweep: Sweep = { remaining: [remainingOf('pods', [pod]), remainingOf('configmaps', [])], failures: [] };
    const d = decideNamespace(ns({ deleting: true }), sweep, NOW);
    assert.deepEqual(d.actions.map((a) => a.type), ['updateStatus']);
    assert.ok(d.requeueAfterMs! > 0);
    assert.equal(cond(d, 'NamespaceContentRemaining').status, 'True');
    assert.match(cond(d, 'NamespaceContentRemaining').message, /pods has 1 resource instances/);
    assert.match(cond(d, 'NamespaceFinalizersRemaining').message, /example.com\/hold in 1 resource instances/);
    assert.equal(cond(d, 'NamespaceDeletionContentFailure').status, 'False');
  });

  it('given a failed delete, then NamespaceDeletionContentFailure and a requeue', () => {
    const d = decideNamespace(ns({ deleting: true }), { remaining: [], failures: ['pods: boom'] }, NOW);
    assert.equal(cond(d, 'NamespaceDeletionContentFailure').status, 'True');
    assert.match(cond(d, 'NamespaceDeletionContentFailure').message, /pods: boom/);
    assert.ok(!d.actions.some((a) => a.type === 'finalize'));
  });

  it('given nothing left, then the conditions and kubernetes removed from spec.finalizers (others kept)', () => {
    const d = decideNamespace(ns({ deleting: true, finalizers: ['kubernetes', 'example.com/x'] }), empty, NOW);
    assert.deepEqual(d.actions.map((a) => a.type), ['updateStatus', 'finalize']);
    assert.deepEqual(d.actions[1], { type: 'finalize', finalizers: ['example.com/x'] });
    assert.equal(cond(d, 'NamespaceContentRemaining').reason, 'ContentRemoved');
    assert.equal(d.requeueAfterMs, undefined);
  });

  it('given the same conditions already reported, then no status write and transition times kept', () => {
    const first = decideNamespace(ns({ deleting: true }), empty, NOW);
    const status = (first.actions[0] as { status: Record<string, unknown> }).status;
    const again = decideNamespace(ns({ deleting: true, status }), empty, '2026-01-01T00:05:00Z');
    assert.deepEqual(again.actions.map((a) => a.type), ['finalize']);
  });
});
