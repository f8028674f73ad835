/**
 * A node that dies takes its pods with it, and the Deployment's pods come back on the
 * other node: two kubelets running real processes (the pause image), the scheduler, and
 * the controller manager with a 2 s node grace period. Killing one kubelet stops its
 * Lease: its node goes Unknown and is tainted unreachable, its pods (tolerating that for
 * 1 s) are evicted, and the ReplicaSet's replacements are scheduled onto the live node.
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
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const octet = 128 + Math.floor(Math.random() * 64);

describe('a node failure reschedules its pods', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let dir: string;
  const kubelets = new Map<string, AnyActorRef>();
  let control: AnyActorRef[] = [];

  const nodeOf = (pod: KubeObject) => (pod.spec as { nodeName?: string }).nodeName;
  const runningPods = async () =>
    (await cluster.client.list('pods', NS, { labelSelector: 'app=pause' })).items.filter(
      (p) => !p.metadata.deletionTimestamp && (p.status as { phase?: string } | undefined)?.phase === 'Running',
    );

  before(async () => {
    cluster = await startTestCluster();
    dir = await mkdtemp(join(tmpdir(), 'jetkube-node-failure-'));
    const natsUrl = cluster.nats.url;
    for (const [i, name] of ['node-a', 'node-b'].entries()) {
      const kubelet = createActor(kubeletMachine, {
        input: { natsUrl, nodeName: name, runtime: 'process', rootDir: join(dir, name), podCIDR: `127.${octet}.${i + 1}.0/24`, leaseRenewMs: 300 },
      });
      kubelet.start();
      kubelets.set(name, kubelet);
    }
    control = [
      createActor(controllerManagerMachine, { input: { natsUrl, leaderElect: false, nodeMonitorGracePeriodMs: 2_000, nodeMonitorPeriodMs: 200 } }),
      createActor(schedulerMachine, { input: { natsUrl, leaderElect: false } }),
    ];
    for (const actor of control) actor.start();
  });

  after(async () => {
    for (const actor of [...control, ...kubelets.values()]) {
      actor.send({ type: 'stop' });
      await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    }
    await cluster.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('evicts the dead node\'s pods and runs their replacements on the other node', async () => {
    await cluster.client.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'pause', namespace: NS },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'pause' } },
        template: {
          metadata: { labels: { app: 'pause' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'pause', image: 'pause' }],
            tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }],
          },
        },
      },
    });
    const placed = await eventually(async () => {
      const pods = await runningPods();
      return pods.length === 4 && pods.some((p) => nodeOf(p) === 'node-a') ? pods : undefined;
    }, 60_000, 'four Running pods, some on node-a');
    const victims = placed.filter((p) => nodeOf(p) === 'node-a').map((p) => p.metadata.uid);

    // The node dies: its kubelet stops (killing its processes) and renews its Lease no more.
    const dead = kubelets.get('node-a')!;
    dead.send({ type: 'stop' });
    await waitFor(dead, (s) => s.status === 'done', { timeout: 30_000 });

    const taintsOf = (n: KubeObject) => ((n.spec as { taints?: Array<{ key: string; effect: string }> }).taints ?? []).map((t) => `${t.key}:${t.effect}`);
    const node = await eventually(async () => {
      const n = await cluster.client.get('nodes', '', 'node-a');
      return taintsOf(n).includes('node.kubernetes.io/unreachable:NoExecute') ? n : undefined;
    }, 30_000, 'node-a tainted unreachable');
    const ready = ((node.status as { conditions?: Array<{ type: string; status: string }> }).conditions ?? []).find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'Unknown');
    assert.ok(taintsOf(node).includes('node.kubernetes.io/unreachable:NoSchedule'));

    const replaced = await eventually(async () => {
      const pods = await runningPods();
      const live = pods.filter((p) => nodeOf(p) === 'node-b');
      return live.length === 4 ? live : undefined;
    }, 60_000, 'four Running pods on node-b');
    assert.ok(replaced.every((p) => !victims.includes(p.metadata.uid)), 'the evicted pods were replaced, not revived');
    for (const uid of victims) {
      const old = (await cluster.client.list('pods', NS, { labelSelector: 'app=pause' })).items.find((p) => p.metadata.uid === uid);
      assert.ok(!old || old.metadata.deletionTimestamp, 'each pod of the dead node is marked for deletion (or gone)');
    }
  });
});
