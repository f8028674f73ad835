// The real kubectl driving a Deployment through the Deployment, ReplicaSet and garbage
// collector controllers: `rollout status` returns once the test (standing in for a
// kubelet) has made the pods ready, `set image` rolls to a new ReplicaSet, and
// `rollout undo` restores the previous template, whose ReplicaSet takes the next revision.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import { newDeploymentController } from '../../src/controllers/deployment/controller.ts';
import { newGarbageCollector } from '../../src/controllers/garbage-collector/controller.ts';
import { newReplicaSetController } from '../../src/controllers/replicaset/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

describe('kubectl rollout', { timeout: 180_000 }, () => {
  let cluster: HttpTestCluster;
  let factory: SharedInformerFactory;
  const actors: Actor<typeof controllerMachine>[] = [];
  let kubelet: NodeJS.Timeout | undefined;

  before(async () => {
    cluster = await startHttpTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    const controllers = [
      newDeploymentController(cluster.client, factory),
      newReplicaSetController(cluster.client, factory).controller,
      newGarbageCollector(cluster.client, factory, { resources: ['pods', 'replicasets.apps', 'deployments.apps'] }),
    ];
    for (const controller of controllers) {
      const actor = createActor(controllerMachine, { input: { controller } });
      actor.start();
      actors.push(actor);
    }
    for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
    kubelet = setInterval(() => void markPodsReady(), 100);
  });
  after(async () => {
    clearInterval(kubelet);
    for (const actor of actors) actor.send({ type: 'stop' });
    for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory?.shutdown();
    await cluster?.dispose();
  });

  /** Every pending pod becomes Running and Ready. */
  const markPodsReady = async () => {
    for (const pod of (await cluster.client.list('pods', 'default').catch(() => ({ items: [] }))).items) {
      if (pod.metadata.deletionTimestamp || (pod.status as { phase?: string } | undefined)?.phase === 'Running') continue;
      const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] };
      await cluster.client.update('pods', { ...pod, status }, { subresource: 'status' }).catch(() => undefined);
    }
  };
  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout.trim();
  const image = async () => ok('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');

  it('rollout status, set image, rollout undo', async () => {
    await ok('create', 'deployment', 'web', '--image=nginx:1', '--replicas=2');
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /deployment "web" successfully rolled out/);

    await ok('set', 'image', 'deployment/web', 'nginx=nginx:2');
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    assert.equal(await image(), 'nginx:2');

    assert.match(await ok('rollout', 'undo', 'deployment/web'), /deployment.apps\/web rolled back/);
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    assert.equal(await image(), 'nginx:1');
    assert.equal(await ok('get', 'deployment', 'web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}'), '3');
    // Two ReplicaSets: the first one took revision 3 back; the nginx:2 one is scaled to 0.
    const rss = JSON.parse(await ok('get', 'rs', '-l', 'app=web', '-o', 'json')) as { items: { metadata: { annotations: Record<string, string> }; spec: { replicas: number } }[] };
    assert.deepEqual(rss.items.map((rs) => [rs.metadata.annotations['deployment.kubernetes.io/revision'], rs.spec.replicas]).sort(), [['2', 0], ['3', 2]]);
    assert.match(await ok('rollout', 'history', 'deployment/web'), /2\s[\s\S]*3\s/);
  });
});
