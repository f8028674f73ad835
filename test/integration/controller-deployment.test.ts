import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import { newDeploymentController } from '../../src/controllers/deployment/controller.ts';
import { newGarbageCollector } from '../../src/controllers/garbage-collector/controller.ts';
import { newReplicaSetController } from '../../src/controllers/replicaset/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const REV = 'deployment.kubernetes.io/revision';
const deployment = (name: string, replicas: number, image: string, strategy?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
    ...(strategy ? { strategy } : {}),
  },
});

interface Status {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  conditions?: { type: string; status: string; reason: string }[];
}

describe('Deployment controller against a real cluster', () => {
  let cluster: TestCluster;
  let factory: SharedInformerFactory;
  const actors: Actor<typeof controllerMachine>[] = [];
  let kubelet: NodeJS.Timeout | undefined;

  /** Stands in for a kubelet: every pending pod of the namespace becomes Running and Ready. */
  const markPodsReady = async () => {
    for (const pod of (await cluster.client.list('pods', NS)).items) {
      const status = (pod.status ?? {}) as { phase?: string };
      if (pod.metadata.deletionTimestamp || status.phase === 'Running') continue;
      const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] };
      await cluster.client.update('pods', { ...pod, status: ready }, { subresource: 'status' }).catch(() => undefined);
    }
  };

  before(async () => {
    cluster = await startTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    const dc = newDeploymentController(cluster.client, factory);
    const { controller: rsc } = newReplicaSetController(cluster.client, factory);
    const gc = newGarbageCollector(cluster.client, factory, { resources: ['pods', 'replicasets.apps', 'deployments.apps'] });
    for (const controller of [dc, rsc, gc]) {
      const actor = createActor(controllerMachine, { input: { controller } });
      actor.start();
      actors.push(actor);
    }
    for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  });

  after(async () => {
    clearInterval(kubelet);
    for (const actor of actors) actor.send({ type: 'stop' });
    for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await cluster.dispose();
  });

  const rsOf = async (name: string) =>
    (await cluster.client.list('replicasets.apps', NS, { labelSelector: `app=${name}` })).items.filter((rs) => !rs.metadata.deletionTimestamp);
  const livePods = async (name: string) =>
    (await cluster.client.list('pods', NS, { labelSelector: `app=${name}` })).items.filter((p) => !p.metadata.deletionTimestamp);
  const statusOf = async (name: string) => {
    const d = await cluster.client.get('deployments.apps', NS, name);
    return { d, s: (d.status ?? {}) as Status };
  };
  const rolledOut = (name: string, replicas: number) =>
    eventually(async () => {
      const { d, s } = await statusOf(name);
      const done =
        (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        s.replicas === replicas && s.updatedReplicas === replicas && s.availableReplicas === replicas &&
        s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable');
      return done ? d : undefined;
    }, 30_000, `${name} rolled out with ${replicas}`);

  it('creates its ReplicaSet and pods, rolls a new image to a new ReplicaSet, scales, and goes with its dependents', async () => {
    const created = await cluster.client.create('deployments.apps', deployment('web', 3, 'nginx:1'));
    const [first] = await eventually(async () => {
      const rss = await rsOf('web');
      return rss.length === 1 ? rss : undefined;
    }, 15_000, 'the first ReplicaSet');
    const hash = first!.metadata.labels?.['pod-template-hash'];
    assert.ok(hash);
    assert.equal(first!.metadata.name, `web-${hash}`);
    assert.equal(first!.metadata.annotations?.[REV], '1');
    assert.equal(first!.metadata.ownerReferences?.[0]?.uid, created.metadata.uid);
    await eventually(async () => ((await livePods('web')).length === 3 ? true : undefined), 15_000, '3 pods');

    kubelet = setInterval(() => void markPodsReady(), 100);
    const done = await rolledOut('web', 3);
    assert.equal(done.metadata.annotations?.[REV], '1');
    assert.ok(((done.status as Status).conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True'));

    await cluster.client.patch('deployments.apps', NS, 'web', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'strategic');
    const rolled = await rolledOut('web', 3);
    assert.equal(rolled.metadata.annotations?.[REV], '2');
    await eventually(async () => {
      const rss = await rsOf('web');
      const old = rss.find((rs) => rs.metadata.name === first!.metadata.name);
      const fresh = rss.find((rs) => rs.metadata.annotations?.[REV] === '2');
      return old && (old.spec as { replicas: number }).replicas === 0 && fresh && (fresh.spec as { replicas: number }).replicas === 3 ? true : undefined;
    }, 15_000, 'old RS at 0, new RS at 3');
    await eventually(async () => {
      const pods = await livePods('web');
      return pods.length === 3 && pods.every((p) => (p.spec as { containers: { image: string }[] }).containers[0]!.image === 'nginx:2') ? true : undefined;
    }, 15_000, 'three nginx:2 pods');

    await cluster.client.patch('deployments.apps', NS, 'web', { spec: { replicas: 5 } });
    await rolledOut('web', 5);
    await eventually(async () => ((await livePods('web')).length === 5 ? true : undefined), 15_000, '5 pods');

    await cluster.client.delete('deployments.apps', NS, 'web', { propagationPolicy: 'Background' });
    await eventually(async () => ((await rsOf('web')).length === 0 && (await livePods('web')).length === 0 ? true : undefined), 20_000, 'no RS and no pods left');
  });

  it('Recreate replaces every pod only once the old ones are gone', async () => {
    await cluster.client.create('deployments.apps', deployment('rec', 2, 'nginx:1', { type: 'Recreate' }));
    await rolledOut('rec', 2);
    await cluster.client.patch('deployments.apps', NS, 'rec', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'strategic');
    await rolledOut('rec', 2);
    const rss = await rsOf('rec');
    assert.deepEqual(rss.map((rs) => (rs.spec as { replicas: number }).replicas).sort(), [0, 2]);
    const pods = await livePods('rec');
    assert.ok(pods.every((p) => (p.spec as { containers: { image: string }[] }).containers[0]!.image === 'nginx:2'));
  });
});
