// Node IPAM with real kubelets (simulated runtime): a kubelet started without a podCIDR
// registers a Node without one, waits, and starts its pods with addresses of the /16 the
// node IPAM controller gives it; a kubelet given a podCIDR keeps it, and its /16 is
// never handed to another Node; the next Node gets the next free /16.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { newNodeIpamController } from '../../src/controllers/node-ipam/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { MemoryLogSink } from '../../src/kubelet/log-sink.ts';
import { SimulatedRuntime } from '../../src/runtime/simulated-runtime.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const podCIDROf = (node: KubeObject | undefined) => (node?.spec as { podCIDR?: string } | undefined)?.podCIDR;

describe('node IPAM and the kubelet', { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  let rootDir: string;
  let factory: SharedInformerFactory;
  let ipam: Actor<typeof controllerMachine> | undefined;
  const kubelets: Actor<typeof kubeletMachine>[] = [];

  const startKubelet = (nodeName: string, podCIDR?: string) => {
    const actor = createActor(kubeletMachine, {
      input: { natsUrl: cluster.nats.url, nodeName, runtime: new SimulatedRuntime(), rootDir, logs: new MemoryLogSink(), ...(podCIDR ? { podCIDR } : {}) },
    });
    actor.start();
    kubelets.push(actor);
    return actor;
  };
  const node = (name: string) => cluster.client.get('nodes', undefined, name).catch(() => undefined);

  before(async () => {
    cluster = await startTestCluster();
    rootDir = await mkdtemp(join(tmpdir(), 'jetkube-ipam-'));
    factory = new SharedInformerFactory(cluster.client);
  });
  after(async () => {
    for (const k of kubelets) k.send({ type: 'stop' });
    for (const k of kubelets) await waitFor(k, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    if (ipam) {
      ipam.send({ type: 'stop' });
      await waitFor(ipam, (s) => s.status === 'done', { timeout: 30_000 });
    }
    factory.shutdown();
    await cluster.dispose();
    await rm(rootDir, { recursive: true, force: true });
  });

  it('a kubelet without a podCIDR registers without one and starts no pod until one is assigned', async () => {
    startKubelet('explicit', '127.128.0.0/16');
    const waiting = startKubelet('assigned');
    await eventually(async () => ((await node('assigned')) ? true : undefined), 10_000, 'the Node registered');
    assert.equal(podCIDROf(await node('assigned')), undefined);
    await waitFor(waiting, (s) => s.matches({ running: 'awaitingPodCIDR' }), { timeout: 10_000 });
    await cluster.client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'assigned', containers: [{ name: 'c', image: 'busybox' }] } });

    ipam = createActor(controllerMachine, { input: { controller: newNodeIpamController(cluster.client, factory) } });
    ipam.start();
    const cidr = await eventually(async () => podCIDROf(await node('assigned')), 10_000, 'a podCIDR assigned');
    // The explicit node holds 127.128.0.0/16, so the controller gives the next one.
    assert.equal(cidr, '127.129.0.0/16');
    assert.equal(podCIDROf(await node('explicit')), '127.128.0.0/16');
    const ip = await eventually(async () => ((await cluster.client.get('pods', 'default', 'p')).status as { podIP?: string } | undefined)?.podIP, 15_000, 'the pod address');
    assert.match(ip, /^127\.129\.\d+\.\d+$/);
  });

  it('the next Node that needs a range gets the next free /16', async () => {
    startKubelet('third');
    const third = await eventually(async () => podCIDROf(await node('third')), 10_000, 'third assigned');
    assert.equal(third, '127.130.0.0/16');
  });
});
