/**
 * The pod watch a simulated fleet's kubelets share (src/kubelet/shared-pod-feed.ts):
 * each node's handler sees its own bound pods only, a late subscriber starts from the
 * pods already bound to it, deletions reach the node that ran the pod; and a fleet of
 * simulated kubelets built on it runs the pods bound to each of its nodes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, waitFor } from 'xstate';
import { simulatedFleetMachine } from '../../actors/simulated-fleet.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { simulatedNodePlan } from '../../src/kubelet/node-plan.ts';
import { SharedPodFeed } from '../../src/kubelet/shared-pod-feed.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const pod = (name: string, nodeName?: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'pause' }] } }) as KubeObject;

function recorder() {
  const seen = { upserted: [] as string[], deleted: [] as string[] };
  return {
    seen,
    handler: {
      upserted: (p: KubeObject) => seen.upserted.push(p.metadata.name!),
      deleted: (p: KubeObject) => seen.deleted.push(p.metadata.name!),
    },
  };
}

describe('shared pod feed', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.dispose();
  });

  it('hands each node its own bound pods, replays them to a late subscriber, and reports deletions', async () => {
    const { client } = cluster;
    const feed = new SharedPodFeed(client);
    feed.start();
    try {
      const a = recorder();
      const unsubscribeA = feed.subscribe('feed-node-a', a.handler);
      await client.create('pods', pod('on-a'));
      await client.create('pods', pod('on-b'));
      await client.create('pods', pod('unbound'));
      await client.bind(NS, 'on-a', 'feed-node-a');
      await client.bind(NS, 'on-b', 'feed-node-b');
      await eventually(() => a.seen.upserted.includes('on-a') || undefined, 10_000, 'node a sees its pod');

      const b = recorder();
      await eventually(() => {
        // Subscribe once the feed holds on-b: the late subscriber must get it at once.
        const probe = recorder();
        const stop = feed.subscribe('feed-node-b', probe.handler);
        stop();
        return probe.seen.upserted.includes('on-b') || undefined;
      }, 10_000, 'the feed holds node b pod');
      feed.subscribe('feed-node-b', b.handler);
      assert.deepEqual(b.seen.upserted, ['on-b']);

      await client.delete('pods', NS, 'on-a', { gracePeriodSeconds: 0 });
      await eventually(() => a.seen.deleted.includes('on-a') || undefined, 10_000, 'node a sees the deletion');
      assert.ok(!a.seen.upserted.includes('on-b') && !a.seen.upserted.includes('unbound'), `node a saw only its own pod: ${a.seen.upserted.join(',')}`);
      assert.ok(!b.seen.upserted.includes('on-a') && !b.seen.upserted.includes('unbound'), `node b saw only its own pod: ${b.seen.upserted.join(',')}`);
      assert.deepEqual(b.seen.deleted, []);

      unsubscribeA();
      await client.create('pods', pod('on-a-again', 'feed-node-a'));
      await eventually(async () => ((await client.get('pods', NS, 'on-a-again')).metadata.resourceVersion ? true : undefined), 5_000, 'created');
      // b's handler sees nothing of node a's after a unsubscribed either.
      assert.ok(!b.seen.upserted.includes('on-a-again'));
    } finally {
      feed.stop();
    }
  });

  it('a feed for some nodes caches only their pods (a fleet split over processes)', async () => {
    const { client } = cluster;
    const feed = new SharedPodFeed(client, new Set(['part-node-a']));
    feed.start();
    try {
      const a = recorder();
      const b = recorder();
      feed.subscribe('part-node-a', a.handler);
      feed.subscribe('part-node-b', b.handler);
      await client.create('pods', pod('part-on-b', 'part-node-b'));
      await client.create('pods', pod('part-on-a', 'part-node-a'));
      await eventually(() => a.seen.upserted.includes('part-on-a') || undefined, 10_000, 'node a sees its pod');
      // on-b was created first: the feed has had it and dropped it, so node b (subscribed, but not kept) heard nothing.
      assert.deepEqual(b.seen.upserted, []);
    } finally {
      feed.stop();
    }
  });

  it('a simulated fleet runs the pods bound to each of its nodes', async () => {
    const { client } = cluster;
    const dataDir = await mkdtemp(join(tmpdir(), 'jetkube-feed-fleet-'));
    const nodes = simulatedNodePlan(2, dataDir);
    const fleet = createActor(simulatedFleetMachine, { input: { natsUrl: cluster.nats.url, nodes } });
    fleet.start();
    try {
      await eventually(async () => ((await client.list('nodes')).items.filter((n) => n.metadata.name!.startsWith('sim-')).length === 2 ? true : undefined), 15_000, 'two simulated nodes');
      await client.create('pods', pod('fleet-1', 'sim-1'));
      await client.create('pods', pod('fleet-2', 'sim-2'));
      for (const [name, node] of [['fleet-1', 'sim-1'], ['fleet-2', 'sim-2']] as const) {
        const running = await eventually(async () => {
          const p = await client.get('pods', NS, name);
          return (p.status as { phase?: string } | undefined)?.phase === 'Running' ? p : undefined;
        }, 15_000, `${name} Running`);
        assert.equal((running.spec as { nodeName: string }).nodeName, node);
        assert.match((running.status as { podIP: string }).podIP, node === 'sim-1' ? /^10\.0\.0\./ : /^10\.0\.1\./);
      }
    } finally {
      fleet.send({ type: 'stop' });
      await waitFor(fleet, (s) => s.status === 'done', { timeout: 20_000 });
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
