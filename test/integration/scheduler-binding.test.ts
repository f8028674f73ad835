/**
 * The scheduler against a real cluster (nats-server + API server): Nodes are plain
 * objects created through the client, no kubelet runs; pods are bound through
 * pods/binding, failures are reported as kube-scheduler reports them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import type { KubeObject } from '../../src/api/object.ts';
import { podCondition } from '../../src/api/pod-conditions.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import { makeNode, makePod } from '../../src/scheduler/fixtures.ts';
import { seededRandom } from '../../src/scheduler/random.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const nodeName = (pod: KubeObject) => (pod.spec as { nodeName?: string }).nodeName;

describe('scheduler against a real cluster', () => {
  let cluster: TestCluster;
  let scheduler: Actor<typeof schedulerMachine>;

  before(async () => {
    cluster = await startTestCluster();
    for (const ns of ['binding', 'failing', 'burst']) await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    scheduler = createActor(schedulerMachine, { input: { natsUrl: cluster.nats.url, leaderElect: false, random: seededRandom(7) } });
    scheduler.start();
    await waitFor(scheduler, (s) => s.matches({ running: 'scheduling' }), { timeout: 30_000 });
  });

  after(async () => {
    scheduler.send({ type: 'stop' });
    await waitFor(scheduler, (s) => s.status === 'done', { timeout: 30_000 });
    await cluster.dispose();
  });

  it('binds pending pods and the API server marks them PodScheduled=True', async () => {
    await cluster.client.create('nodes', makeNode('worker-1', { cpu: '4', memory: '8Gi' }));
    await cluster.client.create('nodes', makeNode('worker-2', { cpu: '4', memory: '8Gi', labels: { disk: 'ssd' } }));
    await cluster.client.create('pods', makePod('plain', { namespace: 'binding', cpu: '100m' }));
    await cluster.client.create('pods', makePod('ssd', { namespace: 'binding', cpu: '100m', nodeSelector: { disk: 'ssd' } }));
    await cluster.client.create('pods', makePod('other', { namespace: 'binding', schedulerName: 'someone-else' }));
    const bound = await eventually(async () => {
      const pods = (await cluster.client.list('pods', 'binding')).items.filter((p) => p.metadata.name !== 'other');
      return pods.every((p) => nodeName(p)) ? pods : undefined;
    }, 15_000, 'both pods bound');
    assert.equal(nodeName(bound.find((p) => p.metadata.name === 'ssd')!), 'worker-2');
    for (const pod of bound) assert.equal(podCondition(pod, 'PodScheduled')?.status, 'True');
    const other = await cluster.client.get('pods', 'binding', 'other');
    assert.equal(nodeName(other), undefined, 'a pod for another scheduler is left alone');
    const events = await eventually(async () => {
      const items = (await cluster.client.list('events', 'binding')).items.filter((e) => e.reason === 'Scheduled');
      return items.length === 2 ? items : undefined;
    }, 10_000, 'Scheduled events');
    assert.ok(events.some((e) => e.message === 'Successfully assigned binding/ssd to worker-2'));
    assert.equal((events[0]!.source as { component?: string }).component, 'default-scheduler');
  });

  it('reports a pod that fits nowhere with kube-scheduler’s message, and binds it once a big enough node appears', async () => {
    await cluster.client.create('pods', makePod('huge', { namespace: 'failing', cpu: '16' }));
    const expected =
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    const event = await eventually(async () => (await cluster.client.list('events', 'failing')).items.find((e) => e.reason === 'FailedScheduling'), 15_000, 'FailedScheduling');
    assert.equal(event.message, expected);
    assert.equal(event.type, 'Warning');
    const pending = await eventually(async () => {
      const pod = await cluster.client.get('pods', 'failing', 'huge');
      return podCondition(pod, 'PodScheduled')?.reason === 'Unschedulable' ? pod : undefined;
    }, 10_000, 'PodScheduled=False');
    const condition = podCondition(pending, 'PodScheduled')!;
    assert.equal(condition.status, 'False');
    assert.equal(condition.message, expected);

    await cluster.client.create('nodes', makeNode('big', { cpu: '32', memory: '64Gi' }));
    const bound = await eventually(async () => {
      const pod = await cluster.client.get('pods', 'failing', 'huge');
      return nodeName(pod) ? pod : undefined;
    }, 15_000, 'the pod bound to the new node');
    assert.equal(nodeName(bound), 'big');
    assert.equal(podCondition(bound, 'PodScheduled')?.status, 'True');
  });

  it('never overcommits a node under a burst of 50 pods onto 2 small nodes', async () => {
    const small = { cpu: '1', memory: '1Gi', labels: { pool: 'small' } };
    await cluster.client.create('nodes', makeNode('small-1', small));
    await cluster.client.create('nodes', makeNode('small-2', small));
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => cluster.client.create('pods', makePod(`b${i}`, { namespace: 'burst', cpu: '100m', memory: '64Mi', nodeSelector: { pool: 'small' } }))),
    );
    // 10 fit on each node by cpu; the other 30 must stay pending, marked Unschedulable.
    const settled = await eventually(async () => {
      const pods = (await cluster.client.list('pods', 'burst')).items;
      const bound = pods.filter((p) => nodeName(p));
      const unschedulable = pods.filter((p) => !nodeName(p) && podCondition(p, 'PodScheduled')?.reason === 'Unschedulable');
      return bound.length === 20 && unschedulable.length === 30 ? pods : undefined;
    }, 20_000, '20 bound and 30 unschedulable');
    for (const node of ['small-1', 'small-2']) {
      const onNode = settled.filter((p) => nodeName(p) === node);
      assert.equal(onNode.length, 10, `${node} holds exactly what fits`);
    }
    const stillPending = settled.find((p) => !nodeName(p))!;
    assert.match(podCondition(stillPending, 'PodScheduled')!.message!, /^0\/5 nodes are available: 2 Insufficient cpu, 3 node\(s\) didn't match Pod's node affinity\/selector\./);
  });
});
