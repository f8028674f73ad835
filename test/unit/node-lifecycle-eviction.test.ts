import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideTaintEviction } from '../../src/controllers/node-lifecycle/decide-eviction.ts';
import type { Taint, Toleration } from '../../src/controllers/node-lifecycle/taints.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';

const node = (taints: Taint[]): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints } });
const pod = (tolerations: Toleration[] = [], extra: Partial<KubeObject['metadata']> = {}, nodeName = 'n1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u', ...extra },
  spec: { nodeName, tolerations },
});
const unreachable = (addedAt = T0): Taint => ({ key: UNREACHABLE, effect: 'NoExecute', timeAdded: iso(addedAt) });

describe('decideTaintEviction', () => {
  it('given no NoExecute taint, then nothing (NoSchedule taints never evict)', () => {
    assert.deepEqual(decideTaintEviction(pod(), node([{ key: UNREACHABLE, effect: 'NoSchedule' }]), T0), { type: 'none', why: 'noTaints' });
  });

  it('given a NoExecute taint the pod does not tolerate, then it is evicted at once', () => {
    assert.deepEqual(decideTaintEviction(pod(), node([unreachable()]), T0), { type: 'evict', why: 'notTolerated' });
    const onlyOne = pod([{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]);
    assert.equal(decideTaintEviction(onlyOne, node([unreachable(), { key: NOT_READY, effect: 'NoExecute', timeAdded: iso(T0) }]), T0).type, 'evict');
  });

  it('given a toleration without tolerationSeconds, then the pod stays for good', () => {
    assert.deepEqual(decideTaintEviction(pod([{ key: UNREACHABLE, operator: 'Exists' }]), node([unreachable()]), T0 + 1e9), { type: 'none', why: 'toleratesForever' });
    assert.deepEqual(decideTaintEviction(pod([{ operator: 'Exists' }]), node([unreachable()]), T0), { type: 'none', why: 'toleratesForever' });
  });

  it('given tolerationSeconds, then eviction waits until that long after the taint\'s timeAdded', () => {
    const p = pod([{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
    assert.deepEqual(decideTaintEviction(p, node([unreachable(T0)]), T0 + 10_000), { type: 'wait', evictAt: T0 + 300_000 });
    assert.deepEqual(decideTaintEviction(p, node([unreachable(T0)]), T0 + 300_000), { type: 'evict', why: 'tolerationExpired' });
  });

  it('given several tolerations with seconds, then the first to run out decides, each from its own taint', () => {
    const p = pod([
      { key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 100 },
      { key: NOT_READY, operator: 'Exists', tolerationSeconds: 30 },
      { key: 'custom', operator: 'Exists' },
    ]);
    const n = node([unreachable(T0), { key: NOT_READY, effect: 'NoExecute', timeAdded: iso(T0 + 90_000) }, { key: 'custom', effect: 'NoExecute', timeAdded: iso(T0) }]);
    assert.deepEqual(decideTaintEviction(p, n, T0 + 95_000), { type: 'wait', evictAt: T0 + 100_000 });
  });

  it('given tolerationSeconds of zero or less, then eviction is at once', () => {
    for (const seconds of [0, -5]) {
      const p = pod([{ key: UNREACHABLE, operator: 'Exists', tolerationSeconds: seconds }, { operator: 'Exists', tolerationSeconds: 600 }]);
      assert.deepEqual(decideTaintEviction(p, node([unreachable(T0 + 10_000)]), T0), { type: 'evict', why: 'tolerationExpired' }, `seconds ${seconds}`);
    }
  });

  it('given a taint without timeAdded, then the clock starts when we first saw it', () => {
    const p = pod([{ key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 5 }]);
    const n = node([{ key: UNREACHABLE, effect: 'NoExecute' }]);
    assert.deepEqual(decideTaintEviction(p, n, T0 + 1_000, () => T0), { type: 'wait', evictAt: T0 + 5_000 });
  });

  it('given an unbound pod, a pod being deleted, or a node gone, then nothing', () => {
    assert.deepEqual(decideTaintEviction(pod([], {}, ''), node([unreachable()]), T0), { type: 'none', why: 'unbound' });
    assert.deepEqual(decideTaintEviction(pod([], { deletionTimestamp: iso(T0) }), node([unreachable()]), T0), { type: 'none', why: 'deleting' });
    assert.deepEqual(decideTaintEviction(pod(), undefined, T0), { type: 'none', why: 'noNode' });
  });

  it('given the taint goes away before the deadline, then the eviction is off', () => {
    const p = pod([{ key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 60 }]);
    assert.equal(decideTaintEviction(p, node([unreachable(T0)]), T0 + 1_000).type, 'wait');
    assert.deepEqual(decideTaintEviction(p, node([]), T0 + 61_000), { type: 'none', why: 'noTaints' });
  });
});
