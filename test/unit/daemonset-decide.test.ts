/**
 * decideDaemonSet and node eligibility, given nodes and pods, when synced, then these
 * writes: one pod per eligible node pinned by node affinity with the default
 * tolerations, nodeSelector and affinity, taints (NoSchedule vs NoExecute), new and
 * removed nodes, failed and surplus pods, expectations, RollingUpdate within
 * maxUnavailable, OnDelete, and status.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { FailedPodBackoff } from '../../src/controllers/daemonset/backoff.ts';
import { decideDaemonSet, type DaemonSetDecision } from '../../src/controllers/daemonset/decide.ts';
import { daemonTolerations, nodeShouldRunDaemonPod, targetNodeName } from '../../src/controllers/daemonset/eligibility.ts';
import type { DaemonSetStatus } from '../../src/controllers/daemonset/status.ts';
import { WorkloadWorld } from '../support/statefulset-world.ts';

function daemonSet(spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox:1' }], ...podSpec } },
      ...spec,
    },
  };
}

const step = (world: WorkloadWorld, expectationsSatisfied = true): DaemonSetDecision => {
  const decision = decideDaemonSet(world.owner, world.view(), world.now, { expectationsSatisfied });
  world.apply(decision.actions);
  return decision;
};
const status = (world: WorkloadWorld) => world.owner.status as DaemonSetStatus;
const podsByNode = (world: WorkloadWorld) =>
  [...world.pods.values()].filter((p) => !p.metadata.deletionTimestamp).map((p) => targetNodeName(p)).sort();
/** The scheduler binds every pod to the node its affinity names. */
const bindAll = (world: WorkloadWorld) => {
  for (const pod of world.pods.values()) (pod.spec as { nodeName?: string }).nodeName ??= targetNodeName(pod);
};
function converge(world: WorkloadWorld, rounds = 40): void {
  for (let i = 0; i < rounds; i++) {
    bindAll(world);
    world.readyAll();
    world.finishTerminating();
    if (step(world).actions.length === 0) return;
  }
  assert.fail('did not converge');
}
const node = (name: string, extra: { labels?: Record<string, string>; taints?: unknown[] } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: extra.labels ?? {} },
  spec: extra.taints ? { taints: extra.taints } : {},
});

describe('failed daemon pod back-off', () => {
  it('starts at 1 s, doubles per failure up to 15 min, and forgets an idle node', () => {
    const backoff = new FailedPodBackoff();
    const key = FailedPodBackoff.key('default/agent', 'n1');
    assert.equal(backoff.remainingMs(key, 0), 0);
    backoff.next(key, 0);
    assert.equal(backoff.remainingMs(key, 0), 1000);
    assert.equal(backoff.remainingMs(key, 1000), 0);
    backoff.next(key, 1000);
    assert.equal(backoff.remainingMs(key, 1000), 2000);
    let at = 1000;
    for (let i = 0; i < 20; i++) backoff.next(key, (at += 1000));
    assert.equal(backoff.remainingMs(key, at), 15 * 60_000);
    backoff.gc(at + 31 * 60_000);
    assert.equal(backoff.remainingMs(key, at + 31 * 60_000), 0);
    backoff.next(key, at + 31 * 60_000);
    assert.equal(backoff.remainingMs(key, at + 31 * 60_000), 1000, 'a fresh start');
  });
});

describe('DaemonSet eligibility', () => {
  it('gives daemon pods the default tolerations (network-unavailable only with hostNetwork), replacing a same key and effect', () => {
    const keys = (t: ReturnType<typeof daemonTolerations>) => t.map((x) => `${x.key}:${x.effect}`);
    assert.deepEqual(keys(daemonTolerations({})), [
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    assert.ok(keys(daemonTolerations({ hostNetwork: true })).includes('node.kubernetes.io/network-unavailable:NoSchedule'));
    const own = daemonTolerations({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] });
    assert.equal(own.filter((t) => t.key === 'node.kubernetes.io/not-ready').length, 1);
    assert.equal(own[0]!.tolerationSeconds, undefined, 'the default (forever) replaces it');
    for (const t of daemonTolerations({})) assert.equal(t.tolerationSeconds, undefined);
  });

  it('follows nodeSelector, required affinity and taints; a running pod stays through NoSchedule but not NoExecute', () => {
    assert.deepEqual(nodeShouldRunDaemonPod({ nodeSelector: { disk: 'ssd' } }, node('a', { labels: { disk: 'hdd' } })), { shouldRun: false, shouldContinueRunning: false });
    assert.deepEqual(nodeShouldRunDaemonPod({ nodeSelector: { disk: 'ssd' } }, node('a', { labels: { disk: 'ssd' } })), { shouldRun: true, shouldContinueRunning: true });
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } };
    assert.equal(nodeShouldRunDaemonPod({ affinity }, node('a', { labels: { zone: 'z2' } })).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod({ affinity }, node('a', { labels: { zone: 'z1' } })).shouldRun, true);
    assert.deepEqual(nodeShouldRunDaemonPod({}, node('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] })), { shouldRun: false, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod({}, node('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] })), { shouldRun: false, shouldContinueRunning: false });
    assert.equal(nodeShouldRunDaemonPod({}, node('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'PreferNoSchedule' }] })).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] }, node('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] })).shouldRun, true);
    // The defaults: an unschedulable, not-ready node still runs daemon pods.
    const cordoned = node('a', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] });
    assert.equal(nodeShouldRunDaemonPod({}, cordoned).shouldRun, true);
    const noNetwork = node('a', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] });
    assert.equal(nodeShouldRunDaemonPod({}, noNetwork).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod({ hostNetwork: true }, noNetwork).shouldRun, true);
  });
});

describe('DaemonSet decision', () => {
  it('creates one pod per node, pinned by metadata.name affinity, labelled with the revision hash', () => {
    const world = new WorkloadWorld(daemonSet({}, { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } } }));
    world.addNode('n1');
    world.addNode('n2');
    step(world);
    assert.deepEqual(podsByNode(world), ['n1', 'n2']);
    const revision = [...world.revisions.values()][0]!;
    const hash = revision.metadata.labels?.['controller-revision-hash'];
    assert.equal(revision.metadata.name, `agent-${hash}`);
    for (const pod of world.pods.values()) {
      assert.equal(pod.metadata.labels?.['controller-revision-hash'], hash);
      assert.equal(pod.metadata.generateName, 'agent-');
      assert.equal((pod.spec as { nodeName?: string }).nodeName, undefined, 'the scheduler binds it');
      const affinity = (pod.spec as { affinity: { nodeAffinity: Record<string, unknown> } }).affinity.nodeAffinity;
      assert.deepEqual(affinity.requiredDuringSchedulingIgnoredDuringExecution, {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [targetNodeName(pod)] }] }],
      });
      assert.deepEqual(affinity.preferredDuringSchedulingIgnoredDuringExecution, [], 'the rest of the affinity is kept');
      assert.equal((pod.spec as { tolerations: unknown[] }).tolerations.length, 6);
    }
  });

  it('waits on expectations: only status, without observing the generation', () => {
    const world = new WorkloadWorld(daemonSet());
    world.addNode('n1');
    const decision = step(world, false);
    assert.deepEqual(decision.actions.map((a) => a.type).filter((t) => t !== 'createRevision'), ['updateStatus']);
    assert.equal(status(world).observedGeneration, undefined);
    assert.equal(status(world).desiredNumberScheduled, 1);
  });

  it('a new node gets a pod, a node that stops matching loses it, an unscheduled pod of a removed node is deleted', () => {
    const world = new WorkloadWorld(daemonSet({}, { nodeSelector: { role: 'edge' } }));
    world.addNode('n1', { labels: { role: 'edge' } });
    world.addNode('n2', { labels: { role: 'core' } });
    converge(world);
    assert.deepEqual(podsByNode(world), ['n1']);
    world.addNode('n3', { labels: { role: 'edge' } });
    step(world);
    assert.deepEqual(podsByNode(world), ['n1', 'n3']);
    world.addNode('n1', { labels: { role: 'core' } });
    step(world);
    assert.deepEqual(podsByNode(world), ['n3'], 'n1 no longer matches: its pod is deleted');
    world.nodes.delete('n3');
    step(world);
    assert.deepEqual(podsByNode(world), [], 'the unscheduled pod of a gone node is deleted');
  });

  it('deletes failed pods (replaced next sync) and surplus pods but the oldest', () => {
    const world = new WorkloadWorld(daemonSet());
    world.addNode('n1');
    converge(world);
    const [first] = world.pods.keys();
    world.setPhase(first!, 'Failed');
    step(world);
    world.finishTerminating();
    converge(world);
    assert.equal(world.pods.size, 1);
    assert.notEqual([...world.pods.keys()][0], first);
    const [kept] = world.pods.values();
    world.now += 5000;
    world.apply([{ type: 'createPod', pod: { ...structuredClone(kept!), metadata: { ...kept!.metadata, name: undefined, generateName: 'agent-' } }, nodeName: 'n1' }]);
    step(world);
    assert.deepEqual(world.livePodNames(), [kept!.metadata.name], 'the newer duplicate goes');
  });

  it('leaves a failed pod alone while its node is in back-off, and asks to look again when it ends', () => {
    const world = new WorkloadWorld(daemonSet());
    world.addNode('n1');
    converge(world);
    const [name] = world.pods.keys();
    world.setPhase(name!, 'Failed');
    const waiting = decideDaemonSet(world.owner, world.view(), world.now, { expectationsSatisfied: true, failedPodBackoffMs: () => 4000 });
    assert.deepEqual(writes(waiting), []);
    assert.equal(waiting.requeueAfterMs, 4000);
    const now = decideDaemonSet(world.owner, world.view(), world.now, { expectationsSatisfied: true, failedPodBackoffMs: () => 0 });
    assert.deepEqual(writes(now), ['deletePod']);
  });

  it('NoExecute taints evict daemon pods; NoSchedule ones only keep new ones out', () => {
    const world = new WorkloadWorld(daemonSet());
    world.addNode('n1');
    world.addNode('n2');
    converge(world);
    world.addNode('n1', { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] });
    world.addNode('n2', { taints: [{ key: 'maintenance', effect: 'NoExecute' }] });
    converge(world);
    assert.deepEqual(podsByNode(world), ['n1']);
    assert.deepEqual([status(world).desiredNumberScheduled, status(world).numberMisscheduled], [0, 1]);
  });

  it('RollingUpdate replaces at most maxUnavailable pods at a time, and status follows', () => {
    const world = new WorkloadWorld(daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } } }));
    for (const n of ['n1', 'n2', 'n3', 'n4', 'n5']) world.addNode(n);
    converge(world);
    assert.deepEqual(
      [status(world).desiredNumberScheduled, status(world).currentNumberScheduled, status(world).numberReady, status(world).updatedNumberScheduled, status(world).numberAvailable, status(world).observedGeneration],
      [5, 5, 5, 5, 5, 1],
    );
    world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = 'busybox:2'));
    step(world);
    assert.equal(world.log.filter((l) => l.startsWith('deletePod')).length, 2, 'two old pods go');
    assert.deepEqual(writes(step(world)), [], 'both still terminating: they count as unavailable');
    let maxDown = 0;
    for (let i = 0; i < 40; i++) {
      bindAll(world);
      world.finishTerminating();
      const decision = step(world);
      // Pods come up one sync after creation: until then they are unavailable.
      const down = 5 - [...world.pods.values()].filter((p) => !p.metadata.deletionTimestamp && (p.status as { phase?: string }).phase === 'Running').length;
      maxDown = Math.max(maxDown, down);
      world.readyAll();
      if (decision.actions.length === 0) break;
    }
    assert.ok(maxDown <= 2, `never more than maxUnavailable down (${maxDown})`);
    converge(world);
    assert.equal(status(world).updatedNumberScheduled, 5);
    assert.equal(world.revisions.size, 2);
    const hash = [...world.revisions.values()].find((r) => (r as { revision?: number }).revision === 2)!.metadata.labels?.['controller-revision-hash'];
    for (const pod of world.pods.values()) assert.equal(pod.metadata.labels?.['controller-revision-hash'], hash);
  });

  it('an old pod that is not available is replaced at once, even beyond maxUnavailable', () => {
    const world = new WorkloadWorld(daemonSet());
    for (const n of ['n1', 'n2', 'n3']) world.addNode(n);
    converge(world);
    for (const name of world.pods.keys()) world.setReady(name, false);
    world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = 'busybox:2'));
    step(world);
    assert.equal(world.log.filter((l) => l.startsWith('deletePod')).length, 3);
  });

  it('OnDelete never deletes for an update; a deleted pod comes back at the new revision', () => {
    const world = new WorkloadWorld(daemonSet({ updateStrategy: { type: 'OnDelete' } }));
    world.addNode('n1');
    world.addNode('n2');
    converge(world);
    world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = 'busybox:2'));
    converge(world);
    assert.equal(world.log.filter((l) => l.startsWith('deletePod')).length, 0);
    assert.equal(status(world).updatedNumberScheduled, 0);
    world.apply([{ type: 'deletePod', pod: [...world.pods.values()][0]!, reason: 'update' }]);
    converge(world);
    assert.equal(status(world).updatedNumberScheduled, 1);
  });
});

const writes = (decision: DaemonSetDecision) => decision.actions.filter((a) => a.type !== 'updateStatus').map((a) => a.type);
