/**
 * The DaemonSet controller against a real API server, with the controller manager, the
 * scheduler and kubelets on the simulated runtime: one pod per node, bound by the
 * scheduler through its metadata.name node affinity; a node that joins gets one; a
 * NoExecute taint takes it away; a template change rolls through every node with at
 * most maxUnavailable (1) pods down at a time; a node that is removed loses its pod
 * (the pod GC collects it, as in Kubernetes).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type AnyActorRef } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { WatchEvent } from '../../src/apiserver/request.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const nodeOf = (pod: KubeObject) => (pod.spec as { nodeName?: string }).nodeName;
const isReady = (pod: KubeObject) =>
  !pod.metadata.deletionTimestamp && ((pod.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

describe('the DaemonSet controller on simulated nodes', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let dir: string;
  let control: AnyActorRef[] = [];
  const kubelets = new Map<string, AnyActorRef>();
  const pods = new Map<string, KubeObject>();
  let stopWatch: (() => void) | undefined;

  const startKubelet = (name: string, i: number) => {
    const kubelet = createActor(kubeletMachine, {
      input: { natsUrl: cluster.nats.url, nodeName: name, runtime: 'simulated', rootDir: join(dir, name), podCIDR: `127.32.${i}.0/24` },
    });
    kubelet.start();
    kubelets.set(name, kubelet);
  };
  const stopKubelet = async (name: string) => {
    const k = kubelets.get(name)!;
    kubelets.delete(name);
    k.send({ type: 'stop' });
    await waitFor(k, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
  };
  const dsStatus = async () => ((await cluster.client.get('daemonsets.apps', NS, 'agent')).status ?? {}) as Record<string, number>;
  /** Live daemon pods by node, once each is Running and Ready. */
  const readyByNode = () => [...pods.values()].filter(isReady).map(nodeOf).sort();

  before(async () => {
    cluster = await startTestCluster();
    dir = await mkdtemp(join(tmpdir(), 'jetkube-ds-'));
    const natsUrl = cluster.nats.url;
    control = [
      createActor(controllerManagerMachine, { input: { natsUrl, leaderElect: false, podGCPeriodMs: 300, podGCQuarantineMs: 300 } }),
      createActor(schedulerMachine, { input: { natsUrl, leaderElect: false } }),
    ];
    for (const c of control) c.start();
    startKubelet('sim-a', 1);
    startKubelet('sim-b', 2);
    const stream = await cluster.client.watch('pods', NS, { labelSelector: 'app=agent' }, (event: WatchEvent) => {
      const pod = event.object as KubeObject;
      if (event.type === 'DELETED') pods.delete(pod.metadata.name!);
      else pods.set(pod.metadata.name!, pod);
    });
    stopWatch = () => void stream.stop();
    await eventually(async () => ((await cluster.client.list('nodes', undefined)).items.length === 2 ? true : undefined), 30_000, 'two nodes');
  });

  after(async () => {
    stopWatch?.();
    for (const name of [...kubelets.keys()]) await stopKubelet(name);
    for (const c of control) {
      c.send({ type: 'stop' });
      await waitFor(c, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    }
    await cluster.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs one pod on each node, bound by the scheduler to the node its affinity names', async () => {
    await cluster.client.create('daemonsets.apps', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: NS },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'agent', image: 'busybox:1' }] } },
      },
    });
    await eventually(async () => {
      const s = await dsStatus();
      return s.numberReady === 2 && s.desiredNumberScheduled === 2 ? s : undefined;
    }, 30_000, 'two ready daemon pods');
    assert.deepEqual(readyByNode(), ['sim-a', 'sim-b']);
    for (const pod of pods.values()) {
      const term = (pod.spec as { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchFields: { values: string[] }[] }[] } } } }).affinity
        .nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]!;
      assert.deepEqual(term.matchFields[0]!.values, [nodeOf(pod)]);
    }
  });

  it('a node that joins gets a pod; a NoExecute taint takes it away', async () => {
    startKubelet('sim-c', 3);
    await eventually(async () => (readyByNode().join() === 'sim-a,sim-b,sim-c' ? true : undefined), 30_000, 'a pod on sim-c');
    await cluster.client.patch('nodes', undefined, 'sim-c', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } }, 'merge');
    await eventually(async () => ([...pods.values()].every((p) => nodeOf(p) !== 'sim-c') ? true : undefined), 30_000, 'sim-c without a daemon pod');
    const s = await eventually(async () => {
      const st = await dsStatus();
      return st.desiredNumberScheduled === 2 && st.numberMisscheduled === 0 ? st : undefined;
    }, 30_000, 'status without sim-c');
    assert.equal(s.currentNumberScheduled, 2);
    await cluster.client.patch('nodes', undefined, 'sim-c', { spec: { taints: null } }, 'merge');
    await eventually(async () => (readyByNode().join() === 'sim-a,sim-b,sim-c' ? true : undefined), 30_000, 'the pod back on sim-c');
  });

  it('rolls a template change through every node, one node down at a time', async () => {
    let maxDown = 0;
    const probe = setInterval(() => {
      const upToDate = new Set(readyByNode());
      maxDown = Math.max(maxDown, 3 - upToDate.size);
    }, 10);
    try {
      await cluster.client.patch('daemonsets.apps', NS, 'agent', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'busybox:2' }] } } } }, 'strategic');
      await eventually(async () => {
        const s = await dsStatus();
        return s.updatedNumberScheduled === 3 && s.numberAvailable === 3 && s.observedGeneration === 2 ? s : undefined;
      }, 60_000, 'the rollout to finish');
    } finally {
      clearInterval(probe);
    }
    assert.ok(maxDown <= 1, `at most one node without a ready pod (saw ${maxDown})`);
    for (const pod of pods.values()) assert.equal((pod.spec as { containers: { image: string }[] }).containers[0]!.image, 'busybox:2');
    const revisions = (await cluster.client.list('controllerrevisions.apps', NS)).items;
    assert.deepEqual(revisions.map((r) => (r as { revision?: number }).revision).sort(), [1, 2]);
  });

  it('a removed node loses its pod', async () => {
    await stopKubelet('sim-c');
    await cluster.client.delete('nodes', undefined, 'sim-c');
    await eventually(async () => ([...pods.values()].every((p) => nodeOf(p) !== 'sim-c') ? true : undefined), 30_000, 'the pod of sim-c collected');
    const s = await eventually(async () => {
      const st = await dsStatus();
      return st.desiredNumberScheduled === 2 && st.currentNumberScheduled === 2 ? st : undefined;
    }, 30_000, 'status of two nodes');
    assert.equal(s.numberReady, 2);
  });
});
