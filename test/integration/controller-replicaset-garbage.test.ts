import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import { newGarbageCollector } from '../../src/controllers/garbage-collector/controller.ts';
import { newReplicaSetController } from '../../src/controllers/replicaset/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const rs = (name: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: NS },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
  },
});

describe('ReplicaSet controller and garbage collector against a real cluster', () => {
  let cluster: TestCluster;
  let factory: SharedInformerFactory;
  const actors: Actor<typeof controllerMachine>[] = [];

  before(async () => {
    cluster = await startTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    const { controller: rsc } = newReplicaSetController(cluster.client, factory);
    const gc = newGarbageCollector(cluster.client, factory, { resources: ['pods', 'replicasets.apps', 'deployments.apps']});
    for (const controller of [rsc, gc]) {
      const actor = createActor(controllerMachine, { input: { controller } });
      actor.start();
      actors.push(actor);
    }
    for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  });

  after(async () => {
    for (const actor of actors) actor.send({ type: 'stop' });
    for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await cluster.dispose();
  });

  const podsOf = async (app: string) => (await cluster.client.list('pods', NS, { labelSelector: `app=${app}` })).items;
  const ownedBy = (pods: KubeObject[], uid: string) => pods.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller));
  const countIs = (app: string, n: number, uid?: string) =>
    eventually(async () => {
      const pods = (await podsOf(app)).filter((p) => !p.metadata.deletionTimestamp);
      return (uid ? ownedBy(pods, uid) : pods).length === n && pods.length === n ? pods : undefined;
    }, 15_000, `${n} pods of ${app}`);

  it('creates the replicas, scales up and down, replaces a deleted pod, reports status', async () => {
    const created = await cluster.client.create('replicasets.apps', rs('web', 3));
    const uid = created.metadata.uid!;
    const pods = await countIs('web', 3, uid);
    for (const p of pods) {
      assert.match(p.metadata.name!, /^web-/);
      assert.equal(p.metadata.ownerReferences?.[0]?.blockOwnerDeletion, true);
    }
    await eventually(async () => {
      const s = (await cluster.client.get('replicasets.apps', NS, 'web')).status as { replicas?: number; observedGeneration?: number };
      return s?.replicas === 3 && s.observedGeneration === 1 ? s : undefined;
    }, 10_000, 'status replicas 3');

    await cluster.client.patch('replicasets.apps', NS, 'web', { spec: { replicas: 5 } });
    await countIs('web', 5, uid);
    await cluster.client.patch('replicasets.apps', NS, 'web', { spec: { replicas: 1 } });
    const [survivor] = await countIs('web', 1, uid);
    await cluster.client.delete('pods', NS, survivor!.metadata.name!);
    await eventually(async () => {
      const now = await podsOf('web');
      return now.length === 1 && now[0]!.metadata.name !== survivor!.metadata.name ? now : undefined;
    }, 15_000, 'a replacement pod');
  });

  it('adopts an orphan pod whose labels match', async () => {
    const created = await cluster.client.create('replicasets.apps', rs('adopt', 2));
    await countIs('adopt', 2, created.metadata.uid);
    await cluster.client.patch('replicasets.apps', NS, 'adopt', { spec: { replicas: 3 } }).catch(() => undefined);
    // An orphan created meanwhile is either adopted or makes a create unnecessary: three owned pods in the end.
    await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stray', namespace: NS, labels: { app: 'adopt' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await eventually(async () => {
      const stray = await cluster.client.get('pods', NS, 'stray').catch(() => undefined);
      return stray?.metadata.ownerReferences?.some((r) => r.uid === created.metadata.uid && r.controller) ? stray : undefined;
    }, 15_000, 'the stray pod adopted');
    await countIs('adopt', 3, created.metadata.uid);
  });

  it('background deletion of the ReplicaSet removes its pods', async () => {
    const created = await cluster.client.create('replicasets.apps', rs('bg', 2));
    await countIs('bg', 2, created.metadata.uid);
    await cluster.client.delete('replicasets.apps', NS, 'bg', { propagationPolicy: 'Background' });
    await countIs('bg', 0);
  });

  it('orphan deletion keeps the pods without the ownerRef', async () => {
    const created = await cluster.client.create('replicasets.apps', rs('orph', 2));
    await countIs('orph', 2, created.metadata.uid);
    await cluster.client.delete('replicasets.apps', NS, 'orph', { propagationPolicy: 'Orphan' });
    await eventually(async () => {
      const gone = await cluster.client.get('replicasets.apps', NS, 'orph').then(() => false, () => true);
      const pods = await podsOf('orph');
      return gone && pods.length === 2 && pods.every((p) => !(p.metadata.ownerReferences ?? []).length) ? true : undefined;
    }, 15_000, 'the RS gone and its pods orphaned');
  });

  it('foreground deletion removes the pods, then the ReplicaSet', async () => {
    const created = await cluster.client.create('replicasets.apps', rs('fg', 2));
    await countIs('fg', 2, created.metadata.uid);
    await cluster.client.delete('replicasets.apps', NS, 'fg', { propagationPolicy: 'Foreground' });
    await eventually(async () => {
      const gone = await cluster.client.get('replicasets.apps', NS, 'fg').then(() => false, () => true);
      return gone && (await podsOf('fg')).length === 0 ? true : undefined;
    }, 15_000, 'the pods and the RS gone');
  });
});
