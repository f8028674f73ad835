import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideNodeLifecycle, type NodeLifecycleTimings } from '../../src/controllers/node-lifecycle/decide.ts';
import { markPodNotReady, podsToMarkNotReady } from '../../src/controllers/node-lifecycle/decide-pods.ts';
import {
  decideNodeStatus,
  MESSAGE_NEVER_UPDATED,
  MESSAGE_STATUS_UNKNOWN,
  observeNode,
  REASON_NEVER_UPDATED,
  REASON_STATUS_UNKNOWN,
  type NodeCondition,
} from '../../src/controllers/node-lifecycle/health.ts';
import { FakeClock } from '../../src/informer/clock.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const timings: NodeLifecycleTimings = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000, monitorPeriodMs: 5_000 };
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function node(conditions?: NodeCondition[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', uid: 'node-uid', resourceVersion: '7', creationTimestamp: iso(T0) },
    spec: { ...extra },
    status: conditions ? { conditions } : {},
  };
}
const ready = (status: string, heartbeat: string, transition = '2026-01-01T00:00:00Z'): NodeCondition => ({
  type: 'Ready',
  status,
  reason: 'KubeletReady',
  message: 'kubelet is posting ready status',
  lastHeartbeatTime: heartbeat,
  lastTransitionTime: transition,
});
const pressure = (type: string): NodeCondition => ({ type, status: 'False', reason: 'KubeletHasSufficient', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' });
const lease = (renewTime: string): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'n1', namespace: 'kube-node-lease' },
  spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime },
});

describe('node health: news is timed on our clock', () => {
  it('given a node first seen, when the grace period has not passed, then nothing is written', () => {
    const clock = new FakeClock(T0 + 1_000);
    const n = node([ready('True', '2026-01-01T00:00:00Z')]);
    const health = observeNode(undefined, n, undefined, clock.now());
    assert.equal(health.probeTimestamp, clock.now());
    clock.step(40_000);
    assert.deepEqual(decideNodeStatus(n, health, clock.now(), timings), { expired: false, expiresAt: T0 + 41_000 });
  });

  it('given a kubelet whose clock is a year behind, when it keeps renewing its Lease, then the node stays healthy', () => {
    const clock = new FakeClock(T0);
    const n = node([ready('True', '2025-01-01T00:00:00Z')]);
    let health = observeNode(undefined, n, lease('2025-01-01T00:00:00.000000Z'), clock.now());
    for (let i = 1; i <= 10; i++) {
      clock.step(10_000);
      const renewTime = new Date(Date.parse('2025-01-01T00:00:00Z') + i * 10_000).toISOString().replace('Z', '000Z');
      health = observeNode(health, n, lease(renewTime), clock.now());
      assert.equal(decideNodeStatus(n, health, clock.now(), timings).expired, false, `after ${i * 10} s`);
    }
  });

  it('given a Lease that stops being renewed, when 40 s pass, then Ready and the pressures turn Unknown with the heartbeat kept', () => {
    const clock = new FakeClock(T0);
    const n = node([ready('True', '2026-01-01T00:00:00Z'), pressure('MemoryPressure'), pressure('DiskPressure'), pressure('PIDPressure'), { ...pressure('NetworkUnavailable') }]);
    let health = observeNode(undefined, n, lease('2026-01-01T00:00:00.000000Z'), clock.now());
    clock.step(40_000);
    health = observeNode(health, n, lease('2026-01-01T00:00:00.000000Z'), clock.now());
    assert.equal(decideNodeStatus(n, health, clock.now(), timings).expired, false, 'exactly the grace period is not yet past it');
    clock.step(1);
    const d = decideNodeStatus(n, health, clock.now(), timings);
    assert.equal(d.expired, true);
    const byType = new Map(d.conditions!.map((c) => [c.type, c]));
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = byType.get(type)!;
      assert.equal(c.status, 'Unknown', type);
      assert.equal(c.reason, REASON_STATUS_UNKNOWN);
      assert.equal(c.message, MESSAGE_STATUS_UNKNOWN);
      assert.equal(c.lastHeartbeatTime, '2026-01-01T00:00:00Z', 'the heartbeat is kept');
      assert.equal(c.lastTransitionTime, iso(clock.now()));
    }
    assert.equal(byType.get('NetworkUnavailable')!.status, 'False', 'NetworkUnavailable is the network plugin\'s');
  });

  it('given a Ready heartbeat that moves without a Lease, then that is news too', () => {
    const clock = new FakeClock(T0);
    let health = observeNode(undefined, node([ready('True', '2026-01-01T00:00:00Z')]), undefined, clock.now());
    clock.step(30_000);
    health = observeNode(health, node([ready('True', '2026-01-01T00:00:30Z')]), undefined, clock.now());
    clock.step(30_000);
    assert.equal(decideNodeStatus(node([ready('True', '2026-01-01T00:00:30Z')]), health, clock.now(), timings).expired, false);
    clock.step(10_001);
    assert.equal(decideNodeStatus(node([ready('True', '2026-01-01T00:00:30Z')]), health, clock.now(), timings).expired, true);
  });

  it('given a Lease renewTime that goes backwards, then it is not news', () => {
    const clock = new FakeClock(T0);
    const n = node([ready('True', 'x')]);
    let health = observeNode(undefined, n, lease('2026-01-01T00:00:10.000000Z'), clock.now());
    clock.step(20_000);
    health = observeNode(health, n, lease('2026-01-01T00:00:05.000000Z'), clock.now());
    assert.equal(health.probeTimestamp, T0);
    assert.equal(health.leaseRenewTime, '2026-01-01T00:00:10.000000Z');
  });

  it('compares renewTimes within one millisecond by their microseconds', () => {
    const n = node([ready('True', 'x')]);
    let health = observeNode(undefined, n, lease('2026-01-01T00:00:00.000100Z'), T0);
    health = observeNode(health, n, lease('2026-01-01T00:00:00.000900Z'), T0 + 1);
    assert.equal(health.probeTimestamp, T0 + 1);
    health = observeNode(health, n, lease('2026-01-01T00:00:00.000500Z'), T0 + 2);
    assert.equal(health.probeTimestamp, T0 + 1);
  });

  it('given a Ready condition already Unknown, when the grace passes again, then nothing more is written', () => {
    const n = node([{ ...ready('Unknown', 'h'), reason: REASON_STATUS_UNKNOWN, message: MESSAGE_STATUS_UNKNOWN }]);
    const health = observeNode(undefined, n, undefined, T0);
    assert.deepEqual(decideNodeStatus(n, health, T0 + 50_000, timings), { expired: true });
  });

  it('given a node that never posted status, then it gets the startup grace counted from creation, and NeverUpdated conditions', () => {
    const n = node(undefined);
    const health = observeNode(undefined, n, undefined, T0 + 30_000);
    assert.equal(health.probeTimestamp, T0, 'counted from creationTimestamp');
    assert.equal(decideNodeStatus(n, health, T0 + 60_000, timings).expired, false);
    const d = decideNodeStatus(n, health, T0 + 60_001, timings);
    assert.deepEqual(
      d.conditions!.map((c) => [c.type, c.status, c.reason, c.message, c.lastHeartbeatTime]),
      ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((t) => [t, 'Unknown', REASON_NEVER_UPDATED, MESSAGE_NEVER_UPDATED, iso(T0)]),
    );
  });

  it('given the Ready condition disappears, then that counts as news (as Kubernetes)', () => {
    let health = observeNode(undefined, node([ready('True', 'h1')]), undefined, T0);
    health = observeNode(health, node(undefined), undefined, T0 + 10_000);
    assert.equal(health.probeTimestamp, T0 + 10_000);
    assert.equal(health.readyHeartbeat, undefined);
  });
});

describe('decideNodeLifecycle', () => {
  const podOn = (name: string, readyStatus?: string, nodeName = 'n1'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '3' },
    spec: { nodeName },
    status: { phase: 'Running', conditions: readyStatus ? [{ type: 'Ready', status: readyStatus, reason: 'r', lastTransitionTime: iso(T0) }] : [] },
  });

  it('given a silent Ready node, then status Unknown, both unreachable taints, its ready pods marked not ready, and a NodeNotReady', () => {
    const n = node([ready('True', 'h')]);
    const first = decideNodeLifecycle({ node: n, podsOnNode: () => [], now: T0, timings });
    assert.equal(first.statusConditions, undefined);
    assert.equal(first.taints, undefined);
    assert.equal(first.requeueAfterMs, 5_000);
    const d = decideNodeLifecycle({ node: n, previous: first.health, podsOnNode: () => [podOn('a', 'True'), podOn('b', 'False'), podOn('c')], now: T0 + 40_001, timings });
    assert.equal(d.statusConditions!.find((c) => c.type === 'Ready')!.status, 'Unknown');
    assert.equal(d.becameNotReady, true);
    assert.deepEqual(d.taints, [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0 + 40_001) },
    ]);
    assert.deepEqual(d.podsNotReady.map((p) => p.metadata.name), ['a']);
    const readyCondition = (d.podsNotReady[0]!.status as { conditions: { type: string; status: string; reason: string; lastTransitionTime: string }[] }).conditions[0]!;
    assert.deepEqual(readyCondition, { type: 'Ready', status: 'False', reason: 'r', lastTransitionTime: iso(T0 + 40_001) });
    assert.equal(d.podsNotReady[0]!.metadata.resourceVersion, '3', 'pinned to the pod read');
  });

  it('requeues when the grace period would run out, if that comes before the monitor period', () => {
    const n = node([ready('True', 'h')]);
    const first = decideNodeLifecycle({ node: n, podsOnNode: () => [], now: T0, timings });
    const d = decideNodeLifecycle({ node: n, previous: first.health, podsOnNode: () => [], now: T0 + 38_000, timings });
    assert.equal(d.requeueAfterMs, 2_001);
  });

  it('given a kubelet that reports Ready False itself, then not-ready taints but its pods are left to it', () => {
    const n = node([ready('False', 'h')]);
    const d = decideNodeLifecycle({ node: n, podsOnNode: () => [podOn('a', 'True')], now: T0, timings });
    assert.equal(d.statusConditions, undefined);
    assert.equal(d.becameNotReady, false);
    assert.deepEqual(d.taints!.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
    assert.deepEqual(d.podsNotReady, []);
  });

  it('given a node that is not unreachable, then its pods are never looked up', () => {
    const n = node([ready('False', 'h')]);
    const d = decideNodeLifecycle({ node: n, podsOnNode: () => assert.fail('pods looked up for a reachable node'), now: T0, timings });
    assert.deepEqual(d.podsNotReady, []);
  });

  it('markPodNotReady leaves pods without a Ready condition or already not ready, and pods of other nodes', () => {
    assert.equal(markPodNotReady(podOn('x'), T0), undefined);
    assert.equal(markPodNotReady(podOn('x', 'False'), T0), undefined);
    assert.equal((markPodNotReady(podOn('x', 'Unknown'), T0)!.status as { conditions: { status: string }[] }).conditions[0]!.status, 'False');
    const unreachable = node([ready('Unknown', 'h')]);
    assert.deepEqual(podsToMarkNotReady(unreachable, () => [podOn('elsewhere', 'True', 'n2')], T0), []);
  });
});
