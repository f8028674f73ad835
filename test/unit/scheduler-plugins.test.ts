import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { SchedulerCache } from '../../src/scheduler/cache.ts';
import { makeNode, makePod } from '../../src/scheduler/fixtures.ts';
import type { Rejection } from '../../src/scheduler/framework.ts';
import { newPodInfo } from '../../src/scheduler/node-info.ts';
import { interPodAffinityFilter } from '../../src/scheduler/plugins/inter-pod-affinity.ts';
import { nodeAffinityFilter, nodeAffinityScore, requirementMatches } from '../../src/scheduler/plugins/node-affinity.ts';
import { nodeNameFilter } from '../../src/scheduler/plugins/node-name.ts';
import { nodePortsFilter } from '../../src/scheduler/plugins/node-ports.ts';
import { balancedAllocationScore, leastAllocatedScore, nodeResourcesFitFilter } from '../../src/scheduler/plugins/node-resources-fit.ts';
import { nodeUnschedulableFilter } from '../../src/scheduler/plugins/node-unschedulable.ts';
import { podTopologySpreadFilter, podTopologySpreadScore } from '../../src/scheduler/plugins/pod-topology-spread.ts';
import { toleratesTaint } from '../../src/api/taints.ts';
import { taintTolerationFilter, taintTolerationScore } from '../../src/scheduler/plugins/taint-toleration.ts';
import { podRequests } from '../../src/scheduler/resources.ts';
import { newCycleState } from '../../src/scheduler/schedule-pod.ts';
import type { PodSpecView } from '../../src/scheduler/views.ts';

function world(nodes: KubeObject[], placed: KubeObject[] = []) {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of placed) cache.addPod(p);
  return cache;
}

function filterOn(filter: (s: ReturnType<typeof newCycleState>, n: any) => Rejection | undefined, pod: KubeObject, cache: SchedulerCache, node: string) {
  const state = newCycleState(pod, cache.nodes());
  return filter(state, cache.nodeInfo(node)!);
}

describe('pod requests', () => {
  it('is the larger of the containers sum and the biggest init container, plus overhead', () => {
    const spec: PodSpecView = {
      containers: [{ resources: { requests: { cpu: '100m', memory: '64Mi' } } }, { resources: { requests: { cpu: '200m' } } }],
      initContainers: [{ resources: { requests: { cpu: '500m', memory: '16Mi' } } }],
      overhead: { cpu: '10m' },
    };
    const r = podRequests(spec);
    assert.equal(r.get('cpu'), 510);
    assert.equal(r.get('memory'), 64 * 1024 * 1024);
  });

  it('adds restartable init containers (sidecars) to the running pod and to later init containers', () => {
    const spec: PodSpecView = {
      containers: [{ resources: { requests: { cpu: '100m' } } }],
      initContainers: [{ restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } }, { resources: { requests: { cpu: '250m' } } }],
    };
    // running: 100 + 200 = 300; init phase: 250 + 200 sidecar = 450
    assert.equal(podRequests(spec).get('cpu'), 450);
  });

  it('counts absent cpu/memory as the scoring defaults only when asked', () => {
    const spec: PodSpecView = { containers: [{}] };
    assert.equal(podRequests(spec).size, 0);
    assert.equal(podRequests(spec, true).get('cpu'), 100);
    assert.equal(podRequests(spec, true).get('memory'), 200 * 1024 * 1024);
  });
});

describe('NodeResourcesFit', () => {
  it('rejects each short resource with its own reason, counting assumed pods', () => {
    const cache = world([makeNode('n1', { cpu: '1', memory: '1Gi', pods: 2 })], [makePod('a', { cpu: '600m', nodeName: 'n1' })]);
    cache.assumePod(makePod('b', { cpu: '100m', memory: '900Mi' }), 'n1');
    const r = filterOn(nodeResourcesFitFilter, makePod('c', { cpu: '400m', memory: '200Mi' }), cache, 'n1');
    assert.deepEqual(r, { plugin: 'NodeResourcesFit', code: 'Unschedulable', reasons: ['Too many pods', 'Insufficient cpu', 'Insufficient memory'] });
    assert.equal(filterOn(nodeResourcesFitFilter, makePod('c', { cpu: '300m' }), world([makeNode('n1', { cpu: '1' })], [makePod('a', { cpu: '700m', nodeName: 'n1' })]), 'n1'), undefined);
  });

  it('checks extended resources the node may not have at all', () => {
    const cache = world([makeNode('n1', { extended: { 'example.com/gpu': '1' } }), makeNode('n2')]);
    const pod = makePod('p', { extended: { 'example.com/gpu': '1' } });
    assert.equal(filterOn(nodeResourcesFitFilter, pod, cache, 'n1'), undefined);
    assert.deepEqual(filterOn(nodeResourcesFitFilter, pod, cache, 'n2')?.reasons, ['Insufficient example.com/gpu']);
  });

  it('ignores pods that finished (the cache never holds them)', () => {
    const cache = world([makeNode('n1', { cpu: '1' })]);
    const done = makePod('done', { cpu: '1', nodeName: 'n1' });
    cache.addPod(done);
    cache.removePod('default/done');
    assert.equal(filterOn(nodeResourcesFitFilter, makePod('p', { cpu: '1' }), cache, 'n1'), undefined);
  });

  it('scores the emptier node higher (LeastAllocated) and balanced cpu/memory higher', () => {
    const cache = world([makeNode('empty', { cpu: '4', memory: '4Gi' }), makeNode('busy', { cpu: '4', memory: '4Gi' })], [makePod('x', { cpu: '3', memory: '1Gi', nodeName: 'busy' })]);
    const state = newCycleState(makePod('p', { cpu: '1', memory: '1Gi' }), cache.nodes());
    // empty: cpu (4000-1000)/4000 = 75, memory 75 -> 75; busy: cpu 0, memory 50 -> 25
    assert.equal(leastAllocatedScore.score(state, cache.nodeInfo('empty')!), 75);
    assert.equal(leastAllocatedScore.score(state, cache.nodeInfo('busy')!), 25);
    assert.equal(balancedAllocationScore.score(state, cache.nodeInfo('empty')!), 100);
    // busy after: cpu 1.0, memory 0.5 -> std 0.25 -> 75
    assert.equal(balancedAllocationScore.score(state, cache.nodeInfo('busy')!), 75);
  });
});

describe('NodeName, NodeUnschedulable', () => {
  it('keeps a pod naming a node off the others', () => {
    const cache = world([makeNode('a'), makeNode('b')]);
    const pod = makePod('p');
    (pod.spec as PodSpecView).nodeName = 'a';
    assert.equal(filterOn(nodeNameFilter, pod, cache, 'a'), undefined);
    assert.deepEqual(filterOn(nodeNameFilter, pod, cache, 'b')?.reasons, ["node(s) didn't match the requested node name"]);
  });

  it('keeps pods off a cordoned node unless they tolerate the unschedulable taint', () => {
    const cache = world([makeNode('c', { unschedulable: true })]);
    assert.deepEqual(filterOn(nodeUnschedulableFilter, makePod('p'), cache, 'c'), { plugin: 'NodeUnschedulable', code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] });
    const tolerant = makePod('t', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    assert.equal(filterOn(nodeUnschedulableFilter, tolerant, cache, 'c'), undefined);
  });
});

describe('TaintToleration', () => {
  it('matches tolerations as v1.Toleration.ToleratesTaint', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    assert.equal(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, taint), true);
    assert.equal(toleratesTaint({ key: 'k', value: 'v' }, taint), true);
    assert.equal(toleratesTaint({ key: 'k', operator: 'Equal', value: 'w' }, taint), false);
    assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true);
    assert.equal(toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint), false);
  });

  it('rejects NoSchedule and NoExecute taints the pod does not tolerate, naming the first', () => {
    const cache = world([makeNode('n', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'x', value: 'y', effect: 'NoSchedule' }] })]);
    assert.deepEqual(filterOn(taintTolerationFilter, makePod('p'), cache, 'n')?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
    const partly = makePod('p', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] });
    assert.deepEqual(filterOn(taintTolerationFilter, partly, cache, 'n')?.reasons, ['node(s) had untolerated taint {x: y}']);
  });

  it('scores untolerated PreferNoSchedule taints, fewer is better', () => {
    const cache = world([makeNode('clean'), makeNode('soft', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] })]);
    const state = newCycleState(makePod('p', { tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }] }), cache.nodes());
    taintTolerationScore.preScore!(state, cache.nodes());
    const scores = cache.nodes().map((n) => taintTolerationScore.score(state, n));
    assert.deepEqual(scores, [0, 1]);
    taintTolerationScore.normalize!(state, scores);
    assert.deepEqual(scores, [100, 0]);
  });
});

describe('NodeAffinity', () => {
  it('implements every node selector operator', () => {
    const labels = { zone: 'a', size: '10' };
    const cases: [string, string[] | undefined, string, boolean][] = [
      ['In', ['a', 'b'], 'zone', true],
      ['In', ['b'], 'zone', false],
      ['NotIn', ['b'], 'zone', true],
      ['NotIn', ['a'], 'zone', false],
      ['NotIn', ['a'], 'missing', true],
      ['Exists', undefined, 'zone', true],
      ['Exists', undefined, 'missing', false],
      ['DoesNotExist', undefined, 'missing', true],
      ['DoesNotExist', undefined, 'zone', false],
      ['Gt', ['9'], 'size', true],
      ['Gt', ['10'], 'size', false],
      ['Lt', ['11'], 'size', true],
      ['Lt', ['10'], 'size', false],
      ['Gt', ['1'], 'zone', false],
      ['Gt', ['1'], 'missing', false],
    ];
    for (const [operator, values, key, expected] of cases) {
      assert.equal(requirementMatches({ key, operator, ...(values ? { values } : {}) }, labels), expected, `${key} ${operator} ${values}`);
    }
  });

  it('needs nodeSelector and one required term (expressions and matchFields metadata.name)', () => {
    const cache = world([makeNode('a', { labels: { disk: 'ssd', zone: 'z1' } }), makeNode('b', { labels: { disk: 'hdd', zone: 'z1' } }), makeNode('c', { labels: { zone: 'z2' } })]);
    const pod = makePod('p', {
      nodeSelector: { zone: 'z1' },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }],
          },
        },
      },
    });
    assert.equal(filterOn(nodeAffinityFilter, pod, cache, 'a'), undefined);
    assert.deepEqual(filterOn(nodeAffinityFilter, pod, cache, 'b')?.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
    assert.ok(filterOn(nodeAffinityFilter, pod, cache, 'c'), 'c matches the matchFields term but not the nodeSelector');
  });

  it('scores the weights of matching preferred terms', () => {
    const cache = world([makeNode('a', { labels: { disk: 'ssd' } }), makeNode('b')]);
    const pod = makePod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } }] } } });
    const state = newCycleState(pod, cache.nodes());
    const scores = cache.nodes().map((n) => nodeAffinityScore.score(state, n));
    assert.deepEqual(scores, [30, 0]);
    nodeAffinityScore.normalize!(state, scores);
    assert.deepEqual(scores, [100, 0]);
  });
});

describe('NodePorts', () => {
  it('rejects a host port taken on the node', () => {
    const cache = world([makeNode('a'), makeNode('b')], [makePod('web', { hostPort: 8080, nodeName: 'a' })]);
    assert.deepEqual(filterOn(nodePortsFilter, makePod('p', { hostPort: 8080 }), cache, 'a')?.reasons, ["node(s) didn't have free ports for the requested pod ports"]);
    assert.equal(filterOn(nodePortsFilter, makePod('p', { hostPort: 8080 }), cache, 'b'), undefined);
    assert.equal(filterOn(nodePortsFilter, makePod('p', { hostPort: 8081 }), cache, 'a'), undefined);
  });
});

describe('InterPodAffinity', () => {
  const anti = (app: string) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' }] } });
  const affinity = (app: string) => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' }] } });

  it('keeps a pod with anti-affinity off nodes holding matching pods', () => {
    const cache = world([makeNode('a'), makeNode('b')], [makePod('w1', { labels: { app: 'web' }, nodeName: 'a' })]);
    const pod = makePod('w2', { labels: { app: 'web' }, affinity: anti('web') });
    assert.deepEqual(filterOn(interPodAffinityFilter.filter, pod, cache, 'a'), { plugin: 'InterPodAffinity', code: 'Unschedulable', reasons: ["node(s) didn't match pod anti-affinity rules"] });
    assert.equal(filterOn(interPodAffinityFilter.filter, pod, cache, 'b'), undefined);
  });

  it("honours placed pods' anti-affinity against the incoming pod", () => {
    const cache = world([makeNode('a'), makeNode('b')], [makePod('lonely', { labels: { app: 'x' }, affinity: anti('web'), nodeName: 'a' })]);
    const pod = makePod('w', { labels: { app: 'web' } });
    assert.deepEqual(filterOn(interPodAffinityFilter.filter, pod, cache, 'a')?.reasons, ["node(s) didn't satisfy existing pods anti-affinity rules"]);
    assert.equal(filterOn(interPodAffinityFilter.filter, pod, cache, 'b'), undefined);
  });

  it('requires a matching pod in the domain for affinity, except for the first of a self-selecting group', () => {
    const cache = world([makeNode('a'), makeNode('b')], [makePod('db', { labels: { app: 'db' }, nodeName: 'b' })]);
    const pod = makePod('cache', { labels: { app: 'cache' }, affinity: affinity('db') });
    assert.deepEqual(filterOn(interPodAffinityFilter.filter, pod, cache, 'a'), { plugin: 'InterPodAffinity', code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match pod affinity rules"] });
    assert.equal(filterOn(interPodAffinityFilter.filter, pod, cache, 'b'), undefined);
    const first = makePod('g1', { labels: { app: 'group' }, affinity: affinity('group') });
    assert.equal(filterOn(interPodAffinityFilter.filter, first, cache, 'a'), undefined);
  });

  it('only looks at the namespaces of the term (the pod’s own by default)', () => {
    const cache = world([makeNode('a')], [makePod('w1', { namespace: 'other', labels: { app: 'web' }, nodeName: 'a' })]);
    assert.equal(filterOn(interPodAffinityFilter.filter, makePod('w2', { affinity: anti('web') }), cache, 'a'), undefined);
  });
});

describe('PodTopologySpread', () => {
  const spread = (when: string, maxSkew = 1) => [{ maxSkew, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'web' } } }];

  it('DoNotSchedule keeps the skew within maxSkew', () => {
    const cache = world([makeNode('a'), makeNode('b')], [makePod('w1', { labels: { app: 'web' }, nodeName: 'a' })]);
    const pod = makePod('w2', { labels: { app: 'web' }, topologySpreadConstraints: spread('DoNotSchedule') });
    assert.deepEqual(filterOn(podTopologySpreadFilter.filter, pod, cache, 'a')?.reasons, ["node(s) didn't match pod topology spread constraints"]);
    assert.equal(filterOn(podTopologySpreadFilter.filter, pod, cache, 'b'), undefined);
  });

  it('rejects nodes without the topology label as unresolvable', () => {
    const node = makeNode('bare');
    delete node.metadata.labels!['kubernetes.io/hostname'];
    const cache = world([node]);
    const pod = makePod('w', { labels: { app: 'web' }, topologySpreadConstraints: spread('DoNotSchedule') });
    assert.deepEqual(filterOn(podTopologySpreadFilter.filter, pod, cache, 'bare'), { plugin: 'PodTopologySpread', code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"] });
  });

  it('ScheduleAnyway prefers the node with fewer matching pods', () => {
    const cache = world([makeNode('a'), makeNode('b')], [makePod('w1', { labels: { app: 'web' }, nodeName: 'a' }), makePod('w0', { labels: { app: 'web' }, nodeName: 'a' })]);
    const pod = makePod('w2', { labels: { app: 'web' }, topologySpreadConstraints: spread('ScheduleAnyway') });
    const state = newCycleState(pod, cache.nodes());
    podTopologySpreadScore.preScore!(state, cache.nodes());
    const scores = cache.nodes().map((n) => podTopologySpreadScore.score(state, n));
    podTopologySpreadScore.normalize!(state, scores);
    assert.ok(scores[1]! > scores[0]!, `b should score higher: ${scores}`);
    assert.equal(scores[1], 100);
  });
});

describe('PodInfo', () => {
  it('parses a pod once: requests, host ports, affinity terms', () => {
    const info = newPodInfo(makePod('p', { cpu: '250m', hostPort: 80, priority: 7 }));
    assert.equal(info.requests.get('cpu'), 250);
    assert.deepEqual(info.hostPorts, [{ hostIP: '0.0.0.0', protocol: 'TCP', port: 80 }]);
    assert.equal(info.priority, 7);
  });
});
