// Issue 7's DaemonSet with the real kubectl against a whole cluster (API server,
// controller manager, scheduler, a kubelet running containers as processes, plus a
// second node on the simulated runtime): examples/daemonset.yaml gets one pod per node,
// a node that joins gets its own, and `kubectl rollout status/history/undo ds` work.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type AnyActorRef } from 'xstate';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually } from '../support/cluster.ts';
import { kubectlOk } from '../support/http-cluster.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'daemonset.yaml');
const NS = 'default';

describe('a DaemonSet through kubectl', { timeout: 180_000 }, () => {
  let cluster: NodeTestCluster;
  let dir: string;
  const extraNodes: AnyActorRef[] = [];

  const addSimulatedNode = (name: string, i: number) => {
    const kubelet = createActor(kubeletMachine, {
      input: { natsUrl: cluster.nats.url, nodeName: name, runtime: 'simulated', rootDir: join(dir, name), podCIDR: `127.33.${i}.0/24` },
    });
    kubelet.start();
    extraNodes.push(kubelet);
  };

  before(async () => {
    cluster = await startNodeCluster();
    dir = await mkdtemp(join(tmpdir(), 'jetkube-ds-e2e-'));
    addSimulatedNode('sim-1', 1);
  });
  after(async () => {
    for (const k of extraNodes) {
      k.send({ type: 'stop' });
      await waitFor(k, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    }
    await cluster?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;
  const podsByNode = async () =>
    (await cluster.client.list('pods', NS, { labelSelector: 'app=node-agent' })).items
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p: KubeObject) => (p.spec as { nodeName?: string }).nodeName ?? '')
      .sort();
  /** kubectl runs for 30 s at most: wait for the rollout here, then ask kubectl. */
  const rolledOut = (nodes: number) =>
    eventually(async () => {
      const ds = await cluster.client.get('daemonsets.apps', NS, 'node-agent');
      const s = (ds.status ?? {}) as Record<string, number>;
      const done = s.observedGeneration === ds.metadata.generation && s.desiredNumberScheduled === nodes && s.updatedNumberScheduled === nodes && s.numberAvailable === nodes;
      return done ? s : undefined;
    }, 90_000, `the DaemonSet rolled out on ${nodes} nodes`);

  it('examples/daemonset.yaml runs one pod on each node', async () => {
    await ok('wait', '--for=condition=Ready', `node/${cluster.nodeName}`, 'node/sim-1', '--timeout=60s');
    await ok('apply', '-f', EXAMPLE);
    await rolledOut(2);
    assert.match(await ok('rollout', 'status', 'ds/node-agent', '--timeout=20s'), /daemon set "node-agent" successfully rolled out/);
    assert.match(await ok('get', 'ds', 'node-agent', '--no-headers'), /^node-agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s/);
    assert.deepEqual(await podsByNode(), [cluster.nodeName, 'sim-1']);
    const described = await ok('describe', 'ds', 'node-agent');
    assert.match(described, /Desired Number of Nodes Scheduled: 2/);
    assert.match(described, /Number of Nodes Scheduled with Up-to-date Pods: 2/);
    assert.match(described, /Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
    const onProcessNode = (await cluster.client.list('pods', NS, { labelSelector: 'app=node-agent', fieldSelector: `spec.nodeName=${cluster.nodeName}` })).items[0]!;
    const logs = await eventually(async () => {
      const out = await ok('logs', onProcessNode.metadata.name!);
      return out ? out : undefined;
    }, 20_000, 'the agent\'s output');
    assert.equal(logs, `agent on ${cluster.nodeName}\n`);
  });

  it('a node that joins gets its own pod', async () => {
    addSimulatedNode('sim-2', 2);
    await rolledOut(3);
    assert.deepEqual(await podsByNode(), [cluster.nodeName, 'sim-1', 'sim-2']);
  });

  it('kubectl rollout history and undo go through the ControllerRevisions', async () => {
    await ok('set', 'env', 'ds/node-agent', 'GREETING=hello');
    await rolledOut(3);
    assert.match(await ok('rollout', 'history', 'ds/node-agent'), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(await ok('rollout', 'undo', 'ds/node-agent'), /daemonset.apps\/node-agent rolled back/);
    await rolledOut(3);
    assert.match(await ok('rollout', 'history', 'ds/node-agent'), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
    for (const pod of (await cluster.client.list('pods', NS, { labelSelector: 'app=node-agent' })).items) {
      if (pod.metadata.deletionTimestamp) continue;
      assert.equal((pod.spec as { containers: { env?: { name: string }[] }[] }).containers[0]!.env?.some((e) => e.name === 'GREETING'), false);
    }
    assert.deepEqual(await podsByNode(), [cluster.nodeName, 'sim-1', 'sim-2']);
  });
});
