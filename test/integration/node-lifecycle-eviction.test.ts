import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { newNodeLifecycleController } from '../../src/controllers/node-lifecycle/controller.ts';
import { newTaintEvictionController } from '../../src/controllers/node-lifecycle/taint-eviction-controller.ts';
import { newReplicaSetController } from '../../src/controllers/replicaset/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const GRACE_MS = 2_000;
const LEASES = 'leases.coordination.k8s.io';
const micro = () => new Date().toISOString().replace('Z', '000Z');
const seconds = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Condition {
  type: string;
  status: string;
  reason?: string;
  lastHeartbeatTime?: string;
}
const conditions = (o: KubeObject) => ((o.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);
const condition = (o: KubeObject, type: string) => conditions(o).find((c) => c.type === type);
const taints = (node: KubeObject) => ((node.spec as { taints?: { key: string; effect: string; timeAdded?: string }[] }).taints ?? []);

describe('node lifecycle and taint eviction against a real cluster', () => {
  let cluster: TestCluster;
  let factory: SharedInformerFactory;
  let actors: Actor<typeof controllerMachine>[];
  let renewing: NodeJS.Timeout | undefined;
  let renewingN2: NodeJS.Timeout | undefined;

  before(async () => {
    cluster = await startTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    const lifecycle = newNodeLifecycleController(cluster.client, factory, { timings: { gracePeriodMs: GRACE_MS, monitorPeriodMs: 200, startupGracePeriodMs: 4_000 } });
    const eviction = newTaintEvictionController(cluster.client, factory);
    const replicasets = newReplicaSetController(cluster.client, factory);
    actors = [lifecycle.controller, eviction.controller, replicasets.controller].map((controller) => createActor(controllerMachine, { input: { controller } }));
    for (const actor of actors) actor.start();
    for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  });

  after(async () => {
    clearInterval(renewing);
    clearInterval(renewingN2);
    for (const actor of actors) actor.send({ type: 'stop' });
    for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await cluster.dispose();
  });

  const client = () => cluster.client;
  /** What a kubelet does every 10 s: renew its Lease (the heartbeat the controller watches first). */
  const renewLease = async (nodeName = 'n1') => {
    const lease = await client().get(LEASES, 'kube-node-lease', nodeName);
    await client().update(LEASES, { ...lease, spec: { ...(lease.spec as object), renewTime: micro() } });
  };
  /** What a kubelet does when its status changed: post Ready True with a fresh heartbeat. */
  const postReady = async (nodeName = 'n1') => {
    const node = await client().get('nodes', undefined, nodeName);
    const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: seconds(), lastTransitionTime: seconds() };
    await client().update('nodes', { ...node, status: { ...(node.status as object), conditions: [ready] } }, { subresource: 'status' });
  };
  /** A kubelet registering: its Node, Ready, and its Lease. */
  const registerNode = async (nodeName: string) => {
    await client().create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName }, spec: {} });
    await postReady(nodeName);
    await client().create(LEASES, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeName, namespace: 'kube-node-lease' },
      spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: micro() },
    });
  };
  const readyPod = async (name: string, tolerations: unknown[]) => {
    const pod = await client().create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { nodeName: 'n1', tolerations, containers: [{ name: 'c', image: 'busybox' }] },
    });
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: seconds() }] };
    return client().update('pods', { ...pod, status }, { subresource: 'status' });
  };
  const getPod = (name: string) => client().get('pods', 'default', name);

  it('a silent node turns Unknown and tainted, its 1 s pod is evicted after ~1 s, a forever pod stays; renewed, the taints go', async () => {
    await registerNode('n1');
    renewing = setInterval(() => void renewLease().catch(() => undefined), 300);
    await readyPod('one-second', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
    await readyPod('forever', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]);

    // While the Lease is renewed, the node stays Ready and untainted past several grace periods.
    await new Promise((r) => setTimeout(r, 2 * GRACE_MS));
    let node = await client().get('nodes', undefined, 'n1');
    assert.equal(condition(node, 'Ready')?.status, 'True');
    assert.deepEqual(taints(node), []);

    clearInterval(renewing);
    const silentSince = Date.now();
    node = await eventually(async () => {
      const n = await client().get('nodes', undefined, 'n1');
      return taints(n).some((t) => t.key === UNREACHABLE && t.effect === 'NoExecute') ? n : undefined;
    }, 10_000, 'the unreachable NoExecute taint');
    const detectedAfterMs = Date.now() - silentSince;
    const ready = condition(node, 'Ready')!;
    assert.equal(ready.status, 'Unknown');
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(condition(node, 'MemoryPressure')?.status, 'Unknown');
    assert.deepEqual(taints(node).map((t) => `${t.key}:${t.effect}`).sort(), [`${UNREACHABLE}:NoExecute`, `${UNREACHABLE}:NoSchedule`]);
    assert.ok(detectedAfterMs >= GRACE_MS - 400, `not before the grace period (${detectedAfterMs} ms)`);
    const timeAdded = Date.parse(taints(node).find((t) => t.effect === 'NoExecute')!.timeAdded!);

    const evicted = await eventually(async () => {
      const p = await getPod('one-second').catch(() => undefined);
      return p?.metadata.deletionTimestamp ? p : undefined;
    }, 10_000, 'the 1 s pod marked for deletion');
    const evictedAfterMs = Date.now() - timeAdded;
    assert.ok(evictedAfterMs >= 1_000, `not before its tolerationSeconds (${evictedAfterMs} ms after timeAdded)`);
    assert.ok(evictedAfterMs < 4_000, `soon after its tolerationSeconds (${evictedAfterMs} ms after timeAdded)`);
    assert.equal(condition(evicted, 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    // Marking pods not ready and the taint manager's eviction are two writes of two controllers: under load either may land first.
    const notReady = await eventually(async () => {
      const p = await getPod('one-second').catch(() => undefined);
      return p && condition(p, 'Ready')?.status === 'False' ? p : undefined;
    }, 10_000, 'the pod marked not ready when its node went silent');
    assert.equal(condition(notReady, 'Ready')?.status, 'False');
    const events = (await client().list('events', 'default')).items;
    assert.ok(
      events.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/one-second'),
      'the eviction is recorded as Kubernetes records it',
    );

    const forever = await getPod('forever');
    assert.equal(forever.metadata.deletionTimestamp, undefined, 'a pod tolerating without tolerationSeconds stays');
    assert.equal(condition(forever, 'Ready')?.status, 'False');

    // The kubelet is back: it posts Ready and renews its Lease; the controller's taints go.
    await postReady();
    await renewLease();
    renewing = setInterval(() => void renewLease().catch(() => undefined), 300);
    await eventually(async () => {
      const n = await client().get('nodes', undefined, 'n1');
      return taints(n).length === 0 && condition(n, 'Ready')?.status === 'True' ? n : undefined;
    }, 10_000, 'the taints removed');
    assert.equal((await getPod('forever')).metadata.deletionTimestamp, undefined);
    console.log(`# detected silence after ${detectedAfterMs} ms (grace ${GRACE_MS} ms); 1 s pod evicted ${evictedAfterMs} ms after timeAdded`);
  });

  it('a ReplicaSet replaces its pod evicted from a silent node while that pod is still Terminating', async () => {
    await registerNode('n2');
    renewingN2 = setInterval(() => void renewLease('n2').catch(() => undefined), 300);
    const rs = await client().create('replicasets.apps', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { tolerations: [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }], containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    const webPods = async () => (await client().list('pods', 'default', { labelSelector: 'app=web' })).items;
    const [first] = await eventually(async () => ((await webPods()).length === 1 ? webPods() : undefined), 10_000, 'the first pod');
    await client().bind('default', first!.metadata.name!, 'n2', { uid: first!.metadata.uid });

    clearInterval(renewingN2);
    const replacement = await eventually(async () => {
      const pods = await webPods();
      const old = pods.find((p) => p.metadata.uid === first!.metadata.uid);
      const fresh = pods.find((p) => p.metadata.uid !== first!.metadata.uid);
      return old?.metadata.deletionTimestamp && fresh ? fresh : undefined;
    }, 15_000, 'a replacement beside the Terminating pod');
    assert.equal(replacement.metadata.ownerReferences?.[0]?.uid, rs.metadata.uid);
    assert.equal(replacement.metadata.deletionTimestamp, undefined);
    const stuck = (await webPods()).find((p) => p.metadata.uid === first!.metadata.uid)!;
    assert.ok(stuck.metadata.deletionTimestamp, 'the evicted pod stays Terminating: no kubelet is left to finish it');
  });
});
