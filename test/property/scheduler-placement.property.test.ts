/**
 * Property: for random nodes (allocatable cpu/memory/pods, taints, labels, cordoned) and
 * random pod batches (requests, nodeSelector, tolerations, anti-affinity), scheduling the
 * pods one after another through the assumed-pod cache never puts a node over its
 * allocatable, every placed pod satisfies every rule on its node (checked by a small
 * independent model, not by the plugins), and a pod is left unplaced only when the model
 * says no node could take it given the pods placed before it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { SchedulerCache } from '../../src/scheduler/cache.ts';
import { makeNode, makePod } from '../../src/scheduler/fixtures.ts';
import { seededRandom } from '../../src/scheduler/random.ts';
import { schedulePod } from '../../src/scheduler/schedule-pod.ts';

interface NodeModel {
  name: string;
  cpu: number; // millicores
  memory: number; // MiB
  pods: number;
  taints: { key: string; effect: string }[];
  labels: Record<string, string>;
  unschedulable: boolean;
}

interface PodModel {
  name: string;
  cpu: number;
  memory: number;
  app: string;
  nodeSelector?: Record<string, string>;
  tolerates: string[];
  antiAffinity: boolean;
}

const taintKeys = ['dedicated', 'gpu', 'node.kubernetes.io/unreachable'];
const nodeArb = fc.record({
  cpu: fc.integer({ min: 1, max: 8 }).map((n) => n * 500),
  memory: fc.integer({ min: 1, max: 16 }).map((n) => n * 512),
  pods: fc.integer({ min: 1, max: 6 }),
  taints: fc.subarray(taintKeys).chain((keys) =>
    fc.tuple(...keys.map((key) => fc.constantFrom('NoSchedule', 'NoExecute', 'PreferNoSchedule').map((effect) => ({ key, effect })))),
  ),
  zone: fc.constantFrom('a', 'b'),
  disk: fc.constantFrom('ssd', 'hdd'),
  unschedulable: fc.boolean(),
});

const podArb = fc.record({
  cpu: fc.integer({ min: 0, max: 20 }).map((n) => n * 100),
  memory: fc.integer({ min: 0, max: 16 }).map((n) => n * 256),
  app: fc.constantFrom('web', 'db', 'cache'),
  selector: fc.option(fc.oneof(fc.record({ zone: fc.constantFrom('a', 'b') }), fc.record({ disk: fc.constantFrom('ssd', 'hdd') })), { nil: undefined }),
  tolerates: fc.subarray(taintKeys),
  antiAffinity: fc.boolean(),
});

function fits(pod: PodModel, node: NodeModel, placed: PodModel[]): boolean {
  if (node.unschedulable) return false;
  if (node.taints.some((t) => t.effect !== 'PreferNoSchedule' && !pod.tolerates.includes(t.key))) return false;
  if (pod.nodeSelector && Object.entries(pod.nodeSelector).some(([k, v]) => node.labels[k] !== v)) return false;
  if (placed.length + 1 > node.pods) return false;
  const cpu = placed.reduce((s, p) => s + p.cpu, 0);
  const memory = placed.reduce((s, p) => s + p.memory, 0);
  if (pod.cpu > 0 && cpu + pod.cpu > node.cpu) return false;
  if (pod.memory > 0 && memory + pod.memory > node.memory) return false;
  // Anti-affinity (hostname): a pod with it shares no node with a pod of its app, either way round.
  if (pod.antiAffinity && placed.some((p) => p.app === pod.app)) return false;
  if (placed.some((p) => p.antiAffinity && p.app === pod.app)) return false;
  return true;
}

function toNode(m: NodeModel): KubeObject {
  return makeNode(m.name, { cpu: `${m.cpu}m`, memory: `${m.memory}Mi`, pods: m.pods, taints: m.taints, labels: m.labels, unschedulable: m.unschedulable });
}

function toPod(m: PodModel): KubeObject {
  return makePod(m.name, {
    ...(m.cpu > 0 ? { cpu: `${m.cpu}m` } : {}),
    ...(m.memory > 0 ? { memory: `${m.memory}Mi` } : {}),
    labels: { app: m.app },
    ...(m.nodeSelector ? { nodeSelector: m.nodeSelector } : {}),
    tolerations: m.tolerates.map((key) => ({ key, operator: 'Exists' })),
    ...(m.antiAffinity
      ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: m.app } }, topologyKey: 'kubernetes.io/hostname' }] } } }
      : {}),
  });
}

describe('scheduler placement (property)', () => {
  it('never overcommits, never breaks a rule, never leaves a pod that fits somewhere', () => {
    fc.assert(
      fc.property(fc.array(nodeArb, { minLength: 1, maxLength: 8 }), fc.array(podArb, { minLength: 1, maxLength: 40 }), fc.integer(), (nodeSpecs, podSpecs, seed) => {
        const nodes: NodeModel[] = nodeSpecs.map((n, i) => ({
          name: `n${i}`,
          cpu: n.cpu,
          memory: n.memory,
          pods: n.pods,
          taints: n.taints,
          labels: { zone: n.zone, disk: n.disk },
          unschedulable: n.unschedulable,
        }));
        const pods: PodModel[] = podSpecs.map((p, i) => ({ name: `p${i}`, cpu: p.cpu, memory: p.memory, app: p.app, nodeSelector: p.selector, tolerates: p.tolerates, antiAffinity: p.antiAffinity }));
        const cache = new SchedulerCache();
        for (const n of nodes) cache.addNode(toNode(n));
        const placed = new Map<string, PodModel[]>(nodes.map((n) => [n.name, []]));
        const random = seededRandom(seed);
        let start = 0;
        for (const pod of pods) {
          const result = schedulePod(toPod(pod), cache.nodes(), { random, startIndex: start });
          start = result.nextStartIndex;
          if ('node' in result) {
            const node = nodes.find((n) => n.name === result.node)!;
            assert.ok(fits(pod, node, placed.get(node.name)!), `${pod.name} placed on ${node.name} where the model says it does not fit`);
            cache.assumePod(toPod(pod), result.node);
            placed.get(node.name)!.push(pod);
          } else {
            const somewhere = nodes.find((n) => fits(pod, n, placed.get(n.name)!));
            assert.equal(somewhere, undefined, `${pod.name} left unplaced though it fits on ${somewhere?.name}: ${result.failure.message}`);
          }
        }
        for (const node of nodes) {
          const info = cache.nodeInfo(node.name)!;
          assert.ok((info.requested.get('cpu') ?? 0) <= node.cpu, `${node.name} cpu overcommitted`);
          assert.ok((info.requested.get('memory') ?? 0) <= node.memory * 1024 * 1024, `${node.name} memory overcommitted`);
          assert.ok(info.pods.size <= node.pods, `${node.name} has too many pods`);
          const onNode = placed.get(node.name)!;
          onNode.forEach((pod, i) => {
            const others = onNode.filter((_, j) => j !== i);
            assert.ok(fits(pod, node, others), `${pod.name} breaks a rule on ${node.name} in the end state`);
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
