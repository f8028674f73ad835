/**
 * Property: the node lifecycle and taint-eviction decisions, driven the way their
 * controllers drive them (a look at the node after each kubelet action and whenever the
 * decision asks to be looked at again; a look at each pod after each node change and at
 * its eviction deadline), on a FakeClock, over random sequences of Lease renewals, Ready
 * posts, cordons and time steps, with a kubelet clock skewed by up to a year:
 *  - the node carries the unreachable NoExecute taint iff its last news is older than
 *    the grace period;
 *  - no taint (key, effect) is ever carried twice, and a cordoned node carries the
 *    unschedulable taint (and only then);
 *  - a pod still bound never outlives the tolerationSeconds of a taint it tolerates,
 *    counted from that taint's timeAdded, and is never evicted by a taint it tolerates
 *    for good, nor while its node has no NoExecute taint.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { decideTaintEviction, noExecuteTaints } from '../../src/controllers/node-lifecycle/decide-eviction.ts';
import { decideNodeTaints } from '../../src/controllers/node-lifecycle/decide-taints.ts';
import { decideNodeLifecycle, withConditions, withTaints, type NodeLifecycleTimings } from '../../src/controllers/node-lifecycle/decide.ts';
import type { NodeHealth } from '../../src/controllers/node-lifecycle/health.ts';
import { matchingTolerations, nodeTaints, sameTaint, TAINT_NOT_READY, TAINT_UNREACHABLE, type Toleration } from '../../src/controllers/node-lifecycle/taints.ts';
import { FakeClock } from '../../src/informer/clock.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const timings: NodeLifecycleTimings = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000, monitorPeriodMs: 5_000 };
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

type Action = { type: 'step'; ms: number } | { type: 'renew' } | { type: 'post'; status: 'True' | 'False' } | { type: 'cordon'; on: boolean };
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('step' as const), ms: fc.integer({ min: 1, max: 30_000 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('renew' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('post' as const), status: fc.constantFrom('True' as const, 'False' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('cordon' as const), on: fc.boolean() }) },
);
/** A toleration for one key: absent, for good, or for some seconds. */
const tolerationArb = (key: string): fc.Arbitrary<Toleration[]> =>
  fc.oneof(
    fc.constant<Toleration[]>([]),
    fc.constant<Toleration[]>([{ key, operator: 'Exists', effect: 'NoExecute' }]),
    fc.integer({ min: -1, max: 90 }).map((s): Toleration[] => [{ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s }]),
  );
const podTolerationsArb = fc.tuple(tolerationArb(TAINT_UNREACHABLE), tolerationArb(TAINT_NOT_READY), fc.boolean()).map(([a, b, wildcard]) =>
  wildcard ? [...a, ...b, { operator: 'Exists', tolerationSeconds: 45 }] : [...a, ...b],
);

function simulate(actions: Action[], skewMs: number, podTolerations: Toleration[][]): void {
  const clock = new FakeClock(T0);
  const kubeletNow = () => clock.now() + skewMs;
  let kubeletStatus: 'True' | 'False' = 'True';
  let lastNews = T0;
  const readyPosted = () => ({ type: 'Ready', status: kubeletStatus, reason: 'Kubelet', lastHeartbeatTime: iso(kubeletNow()), lastTransitionTime: iso(kubeletNow()) });
  let node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: iso(T0) }, spec: {}, status: { conditions: [readyPosted()] } };
  let lease: KubeObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: new Date(kubeletNow()).toISOString() } };
  let health: NodeHealth | undefined;
  let cancelNodeLook: () => void = () => {};
  const pods = podTolerations.map((tolerations, i): { pod: KubeObject; cancel: () => void; gone: boolean; evictAt?: number } => ({
    pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'ns', uid: `u${i}` }, spec: { nodeName: 'n1', tolerations } },
    cancel: () => {},
    gone: false,
  }));
  // Timers are the controllers' requeues: the invariants must hold right after each, not only between actions.
  let check: (when: string) => void = () => {};

  const readyStatus = () => ((node.status as { conditions: { type: string; status: string }[] }).conditions.find((c) => c.type === 'Ready')?.status);

  const lookAtPod = (entry: (typeof pods)[number]) => {
    if (entry.gone) return;
    entry.cancel();
    delete entry.evictAt;
    const now = clock.now();
    const decision = decideTaintEviction(entry.pod, node, now);
    if (decision.type === 'wait') {
      entry.evictAt = decision.evictAt;
      entry.cancel = clock.setTimer(() => {
        lookAtPod(entry);
        check(`pod look at ${clock.now() - T0} ms`);
      }, decision.evictAt - now);
    }
    if (decision.type !== 'evict') return;
    const taints = noExecuteTaints(node);
    assert.ok(taints.length > 0, 'never evicted without a NoExecute taint');
    const { allTolerated, used } = matchingTolerations(taints, podTolerations[pods.indexOf(entry)]!);
    if (allTolerated) {
      const deadlines = used.flatMap((t, i) => (typeof t.tolerationSeconds === 'number' ? [Date.parse(taints[i]!.timeAdded!) + Math.max(0, t.tolerationSeconds) * 1000] : []));
      assert.ok(deadlines.length > 0, 'never evicted by taints it tolerates for good');
      assert.ok(deadlines.some((d) => d <= now), `evicted at ${now - T0} ms, before any deadline ${deadlines.map((d) => d - T0)}`);
    }
    entry.gone = true;
  };

  const lookAtNode = () => {
    cancelNodeLook();
    const now = clock.now();
    const before = JSON.stringify(nodeTaints(node));
    const d = decideNodeLifecycle({ node, lease, podsOnNode: () => [], previous: health, now, timings });
    health = d.health;
    if (d.statusConditions) node = withConditions(node, d.statusConditions);
    const taints = d.statusConditions ? decideNodeTaints(node, now) : d.taints;
    if (taints) node = withTaints(node, taints);
    cancelNodeLook = clock.setTimer(() => {
      lookAtNode();
      check(`node look at ${clock.now() - T0} ms`);
    }, d.requeueAfterMs);
    if (JSON.stringify(nodeTaints(node)) !== before) for (const entry of pods) lookAtPod(entry);
  };

  check = (when: string) => {
    const now = clock.now();
    const taints = nodeTaints(node);
    const unreachable = taints.some((t) => t.key === TAINT_UNREACHABLE && t.effect === 'NoExecute');
    assert.equal(unreachable, now - lastNews > timings.gracePeriodMs, `${when}: unreachable taint vs ${now - lastNews} ms since news`);
    assert.equal(taints.filter((t, i) => taints.findIndex((u) => sameTaint(t, u)) !== i).length, 0, `${when}: duplicate taints`);
    if (!unreachable) assert.equal(readyStatus(), kubeletStatus, `${when}: Ready follows the kubelet while it is heard`);
    const cordoned = !!(node.spec as { unschedulable?: boolean }).unschedulable;
    assert.equal(taints.some((t) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'), cordoned, `${when}: unschedulable taint`);
    for (const [i, entry] of pods.entries()) {
      if (entry.gone) continue;
      const noExecute = noExecuteTaints(node);
      const { allTolerated, used } = matchingTolerations(noExecute, podTolerations[i]!);
      assert.ok(noExecute.length === 0 || allTolerated, `${when}: p${i} stays on a taint it does not tolerate`);
      used.forEach((t, j) => {
        if (typeof t.tolerationSeconds !== 'number') return;
        const deadline = Date.parse(noExecute[j]!.timeAdded!) + Math.max(0, t.tolerationSeconds) * 1000;
        // At the deadline itself the eviction is due (its look may come right after this one).
        assert.ok(now <= deadline, `${when}: p${i} outlived its ${t.tolerationSeconds} s toleration of ${noExecute[j]!.key}`);
        assert.ok(entry.evictAt !== undefined && entry.evictAt <= deadline, `${when}: p${i} is not due for eviction by its deadline`);
      });
    }
  };

  lookAtNode();
  check('start');
  actions.forEach((action, n) => {
    switch (action.type) {
      case 'step':
        clock.step(action.ms);
        break;
      case 'renew': {
        lease = { ...lease, spec: { renewTime: new Date(kubeletNow()).toISOString().replace('Z', '000Z') } };
        // A kubelet posts its status when the server's differs from its own (after Unknown, say).
        if (readyStatus() !== kubeletStatus) node = withConditions(node, [readyPosted()]);
        lastNews = clock.now();
        lookAtNode();
        break;
      }
      case 'post': {
        kubeletStatus = action.status;
        const heartbeat = (node.status as { conditions: { lastHeartbeatTime?: string }[] }).conditions[0]?.lastHeartbeatTime;
        node = withConditions(node, [readyPosted()]);
        // lastHeartbeatTime has second precision: a second post within the same second is no news.
        if (readyPosted().lastHeartbeatTime !== heartbeat) lastNews = clock.now();
        lookAtNode();
        break;
      }
      case 'cordon':
        node = { ...node, spec: { ...(node.spec as object), unschedulable: action.on } };
        lookAtNode();
        break;
      default: {
        const never: never = action;
        throw new Error(String(never));
      }
    }
    check(`after action ${n} (${JSON.stringify(action)}) at ${clock.now() - T0} ms`);
  });
}

describe('node lifecycle and taint eviction over random kubelet histories', () => {
  it('tainted unreachable iff silent past the grace period; no duplicate taints; no pod outlives its toleration', () => {
    fc.assert(
      fc.property(
        fc.array(actionArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: -365 * 86_400_000, max: 365 * 86_400_000 }),
        fc.array(podTolerationsArb, { minLength: 1, maxLength: 4 }),
        (actions, skewMs, tolerations) => simulate(actions, skewMs, tolerations),
      ),
      { numRuns: 300 },
    );
  });
});
