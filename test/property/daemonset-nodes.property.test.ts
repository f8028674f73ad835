/**
 * Issue 7's DaemonSet property: for random node sets (labels, taints) changing under
 * the controller (nodes added, removed, relabelled, tainted; pods failing; template
 * updates), once the world settles there is exactly one daemon pod per eligible node,
 * none on a node it may not run on, every pod at the current revision, and the status
 * counts agree. Pod GC is played by removing the pods of a removed node.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { decideDaemonSet } from '../../src/controllers/daemonset/decide.ts';
import { nodeShouldRunDaemonPod, targetNodeName } from '../../src/controllers/daemonset/eligibility.ts';
import type { DaemonSetStatus } from '../../src/controllers/daemonset/status.ts';
import { revisionNumber } from '../../src/controllers/history/revision.ts';
import { WorkloadWorld } from '../support/statefulset-world.ts';

const NODE_NAMES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
const TAINTS = [
  { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
  { key: 'dedicated', value: 'gpu', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' },
  { key: 'soft', effect: 'PreferNoSchedule' },
];

interface NodeShape {
  name: string;
  role: string;
  taints: number[];
}
const nodeShape: fc.Arbitrary<NodeShape> = fc.record({
  name: fc.constantFrom(...NODE_NAMES),
  role: fc.constantFrom('edge', 'core'),
  taints: fc.uniqueArray(fc.integer({ min: 0, max: TAINTS.length - 1 }), { maxLength: 2 }),
});

type Op = { kind: 'upsert'; node: NodeShape } | { kind: 'remove'; name: string } | { kind: 'fail'; index: number } | { kind: 'image'; image: string } | { kind: 'sync' } | { kind: 'kubelet' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('upsert' as const), node: nodeShape }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), name: fc.constantFrom(...NODE_NAMES) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('fail' as const), index: fc.nat(10) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('image' as const), image: fc.constantFrom('busybox:1', 'busybox:2', 'busybox:3') }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'kubelet' as const }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'sync' as const }), weight: 5 },
);

const daemonSet = (selector: boolean, tolerateGpu: boolean, maxUnavailable: number | string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable, maxSurge: 0 } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: {
        containers: [{ name: 'agent', image: 'busybox:1' }],
        ...(selector ? { nodeSelector: { role: 'edge' } } : {}),
        ...(tolerateGpu ? { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }] } : {}),
      },
    },
  },
});

/** The scheduler binds, the kubelet starts, terminating pods finish. */
function kubelet(world: WorkloadWorld): void {
  for (const pod of world.pods.values()) {
    const node = targetNodeName(pod);
    if (node && world.nodes.has(node)) (pod.spec as { nodeName?: string }).nodeName ??= node;
  }
  world.finishTerminating();
  for (const [name, pod] of world.pods) if ((pod.spec as { nodeName?: string }).nodeName) world.setReady(name, true);
}

function play(world: WorkloadWorld, ops: readonly Op[]): void {
  for (const o of ops) {
    switch (o.kind) {
      case 'upsert':
        world.addNode(o.node.name, { labels: { role: o.node.role }, taints: o.node.taints.map((i) => TAINTS[i]) });
        break;
      case 'remove':
        world.nodes.delete(o.name);
        for (const [name, pod] of world.pods) if ((pod.spec as { nodeName?: string }).nodeName === o.name) world.pods.delete(name);
        break;
      case 'fail': {
        const names = [...world.pods.keys()];
        if (names.length > 0) world.setPhase(names[o.index % names.length]!, 'Failed');
        break;
      }
      case 'image':
        world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = o.image));
        break;
      case 'kubelet':
        kubelet(world);
        break;
      case 'sync':
        world.apply(decideDaemonSet(world.owner, world.view(), world.now, { expectationsSatisfied: true }).actions);
        break;
    }
    world.now += 1000;
  }
}

function settle(world: WorkloadWorld): void {
  for (let i = 0; i < 60; i++) {
    kubelet(world);
    const decision = decideDaemonSet(world.owner, world.view(), world.now, { expectationsSatisfied: true });
    world.apply(decision.actions);
    world.now += 1000;
    if (decision.actions.length === 0) return;
  }
  assert.fail('did not settle');
}

describe('DaemonSet over random node sets', () => {
  it('ends with exactly one up-to-date pod per eligible node and none where it may not run', () => {
    fc.assert(
      fc.property(
        fc.array(nodeShape, { maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(1, 2, '50%'),
        fc.array(op, { maxLength: 60 }),
        (nodes, selector, tolerateGpu, maxUnavailable, ops) => {
          const world = new WorkloadWorld(daemonSet(selector, tolerateGpu, maxUnavailable));
          for (const n of nodes) world.addNode(n.name, { labels: { role: n.role }, taints: n.taints.map((i) => TAINTS[i]) });
          play(world, ops);
          settle(world);
          const template = (world.owner.spec as { template: { spec: Record<string, unknown> } }).template.spec;
          const status = world.owner.status as DaemonSetStatus;
          const newest = [...world.revisions.values()].sort((a, b) => revisionNumber(b) - revisionNumber(a))[0]!;
          const hash = newest.metadata.labels?.['controller-revision-hash'];
          let desired = 0;
          for (const node of world.nodes.values()) {
            const pods = [...world.pods.values()].filter((p) => targetNodeName(p) === node.metadata.name);
            const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(template, node);
            if (shouldRun) {
              desired++;
              assert.equal(pods.length, 1, `one pod on ${node.metadata.name}`);
              assert.equal(pods[0]!.metadata.labels?.['controller-revision-hash'], hash, 'at the current revision');
            } else if (!shouldContinueRunning) assert.equal(pods.length, 0, `none on ${node.metadata.name}`);
            else assert.ok(pods.length <= 1);
          }
          for (const pod of world.pods.values()) assert.ok(world.nodes.has(targetNodeName(pod)!), 'no pod for a removed node');
          assert.equal(status.desiredNumberScheduled, desired);
          assert.equal(status.currentNumberScheduled, desired);
          assert.equal(status.updatedNumberScheduled, desired);
          assert.equal(status.numberReady, desired);
        },
      ),
      { numRuns: 300 },
    );
  });
});
