import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { SchedulerCache } from '../../src/scheduler/cache.ts';
import { fitErrorMessage } from '../../src/scheduler/fit-error.ts';
import { makeNode, makePod } from '../../src/scheduler/fixtures.ts';
import { seededRandom } from '../../src/scheduler/random.ts';
import { numFeasibleNodesToFind, schedulePod } from '../../src/scheduler/schedule-pod.ts';

function world(nodes: KubeObject[], placed: KubeObject[] = []) {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of placed) cache.addPod(p);
  return cache;
}

function failure(pod: KubeObject, cache: SchedulerCache): string {
  const result = schedulePod(pod, cache.nodes());
  assert.ok('failure' in result, 'expected the pod to fit nowhere');
  return result.failure.message;
}

describe('FitError message', () => {
  it('counts reasons and sorts them as Go strings', () => {
    assert.equal(fitErrorMessage(3, [['Insufficient cpu'], ['Insufficient cpu'], ['Insufficient cpu']]), '0/3 nodes are available: 3 Insufficient cpu.');
    const many = [...Array(10).fill(['b reason']), ['a reason'], ['a reason']];
    assert.equal(fitErrorMessage(12, many), '0/12 nodes are available: 10 b reason, 2 a reason.');
    assert.equal(fitErrorMessage(1, [['x']], 'preemption: 0/1 nodes are available: 1 y.'), '0/1 nodes are available: 1 x. preemption: 0/1 nodes are available: 1 y.');
  });

  it('too little cpu everywhere, nothing to evict', () => {
    const cache = world([makeNode('a', { cpu: '1' }), makeNode('b', { cpu: '1' }), makeNode('c', { cpu: '1' })]);
    assert.equal(
      failure(makePod('big', { cpu: '2' }), cache),
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });

  it('an unreachable node and two short of memory', () => {
    const cache = world([
      makeNode('gone', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }),
      makeNode('a', { memory: '1Gi' }),
      makeNode('b', { memory: '1Gi' }),
    ]);
    assert.equal(
      failure(makePod('p', { memory: '2Gi' }), cache),
      '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient memory. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('only unresolvable reasons: preemption is not helpful anywhere', () => {
    const cache = world([
      makeNode('gone', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }),
      makeNode('a', { labels: { disk: 'hdd' } }),
      makeNode('b', { unschedulable: true }),
    ]);
    assert.equal(
      failure(makePod('p', { nodeSelector: { disk: 'ssd' } }), cache),
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('several short resources on one node are several reasons', () => {
    const cache = world([makeNode('a', { cpu: '1', memory: '1Gi', pods: 1 })], [makePod('x', { nodeName: 'a' })]);
    assert.equal(
      failure(makePod('p', { cpu: '2', memory: '2Gi' }), cache),
      '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  it('lower-priority pods that would not make room are reported with the reasons left', () => {
    const cache = world([makeNode('a', { cpu: '1' })], [makePod('low', { cpu: '500m', priority: 0, nodeName: 'a' })]);
    assert.equal(
      failure(makePod('p', { cpu: '2', priority: 10 }), cache),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.',
    );
  });

  it('no preemption part when evicting lower-priority pods would make room (jetkube does not preempt)', () => {
    const cache = world([makeNode('a', { cpu: '1' })], [makePod('low', { cpu: '800m', priority: 0, nodeName: 'a' })]);
    assert.equal(failure(makePod('p', { cpu: '500m', priority: 10 }), cache), '0/1 nodes are available: 1 Insufficient cpu.');
  });

  it('preemptionPolicy Never says so', () => {
    const cache = world([makeNode('a', { cpu: '1' })]);
    const pod = makePod('p', { cpu: '2' });
    (pod.spec as { preemptionPolicy?: string }).preemptionPolicy = 'Never';
    assert.equal(failure(pod, cache), '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('a pod pinned to one node by matchFields (as DaemonSet pods) counts the other nodes as not satisfying NodeAffinity', () => {
    const cache = world([makeNode('a'), makeNode('b', { cpu: '1' }), makeNode('c')]);
    const pinned = (names: string[][]) =>
      makePod('ds', {
        cpu: '2',
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: names.map((values) => ({ key: 'metadata.name', operator: 'In', values })) }] } } },
      });
    assert.equal(
      failure(pinned([['b']]), cache),
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. " +
        'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    );
    const ok = schedulePod(pinned([['a']]), cache.nodes());
    assert.ok('node' in ok && ok.node === 'a');
    assert.equal(
      failure(pinned([['a'], ['b']]), cache),
      '0/3 nodes are available: pod affinity terms conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('no nodes at all', () => {
    assert.equal(failure(makePod('p'), world([])), 'no nodes available to schedule pods');
  });
});

describe('schedulePod', () => {
  it('picks the best scored node', () => {
    const cache = world([makeNode('busy', { cpu: '4' }), makeNode('idle', { cpu: '4' })], [makePod('x', { cpu: '3', nodeName: 'busy' })]);
    const result = schedulePod(makePod('p', { cpu: '500m' }), cache.nodes(), { random: seededRandom(1) });
    assert.ok('node' in result);
    assert.equal(result.node, 'idle');
  });

  it('breaks ties at random, reproducibly with a seed, reaching every tied node', () => {
    const cache = world([makeNode('a'), makeNode('b'), makeNode('c')]);
    const pick = (seed: number) => {
      const r = schedulePod(makePod('p'), cache.nodes(), { random: seededRandom(seed) });
      assert.ok('node' in r);
      return r.node;
    };
    assert.equal(pick(42), pick(42));
    const seen = new Set(Array.from({ length: 60 }, (_, i) => pick(i)));
    assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
  });

  it('looks at a share of large clusters, as numFeasibleNodesToFind', () => {
    assert.equal(numFeasibleNodesToFind(50), 50);
    assert.equal(numFeasibleNodesToFind(1000), 420);
    assert.equal(numFeasibleNodesToFind(5000), 500);
    assert.equal(numFeasibleNodesToFind(200), 100);
    assert.equal(numFeasibleNodesToFind(1000, 100), 1000);
    const nodes = Array.from({ length: 1000 }, (_, i) => makeNode(`n${i}`));
    const result = schedulePod(makePod('p'), world(nodes).nodes(), { startIndex: 990 });
    assert.ok('node' in result);
    assert.equal(result.evaluatedNodes, 420);
    assert.equal(result.nextStartIndex, (990 + 420) % 1000);
  });
});
