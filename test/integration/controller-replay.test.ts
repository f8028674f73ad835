/**
 * The controllers' writes are replayable: run the Deployment and ReplicaSet controllers
 * against a real cluster (a Deployment created, made ready by a stand-in kubelet, then
 * scaled once), read the REGISTRY log back, fold it, and check every controller write
 * it recorded is among the writes the pure decisions ask for over the state before it.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { newDeploymentController } from '../../src/controllers/deployment/controller.ts';
import { newReplicaSetController } from '../../src/controllers/replicaset/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { checkDecisions } from '../../src/replay/decisions.ts';
import { connectNats, drainNats } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
let cluster: TestCluster;
let factory: SharedInformerFactory;
const actors: Actor<typeof controllerMachine>[] = [];

before(async () => {
  cluster = await startTestCluster();
  factory = new SharedInformerFactory(cluster.client);
  for (const controller of [newDeploymentController(cluster.client, factory), newReplicaSetController(cluster.client, factory).controller]) {
    const actor = createActor(controllerMachine, { input: { controller } });
    actor.start();
    actors.push(actor);
  }
  for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
});

after(async () => {
  for (const actor of actors) if (actor.getSnapshot().status === 'active') actor.send({ type: 'stop' });
  for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
  factory.shutdown();
  await cluster.dispose();
});

const markPodsReady = async () => {
  for (const pod of (await cluster.client.list('pods', NS)).items) {
    if (pod.metadata.deletionTimestamp || (pod.status as { phase?: string } | undefined)?.phase === 'Running') continue;
    const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] };
    await cluster.client.update('pods', { ...pod, status }, { subresource: 'status' }).catch(() => undefined);
  }
};

const available = (replicas: number) =>
  eventually(async () => {
    await markPodsReady();
    const d = await cluster.client.get('deployments.apps', NS, 'web');
    const s = (d.status ?? {}) as { observedGeneration?: number; availableReplicas?: number; updatedReplicas?: number; replicas?: number };
    return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.availableReplicas === replicas && s.replicas === replicas ? d : undefined;
  }, 30_000, `web available with ${replicas}`);

it('re-running the decisions over the recorded log asks for every write the controllers made', async () => {
  const web: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
  };
  await cluster.client.create('deployments.apps', web);
  await available(2);
  await cluster.client.patch('deployments.apps', NS, 'web', { spec: { replicas: 4 } });
  await available(4);
  for (const actor of actors) actor.send({ type: 'stop' });
  for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });

  const nc = await connectNats(cluster.nats.url, 'controller-replay-test');
  try {
    const entries: LogEntry[] = [];
    for await (const entry of new RegistryLog(nc).read({ fromSeq: 1 })) entries.push(entry);
    const checks = await checkDecisions(entries);
    const unexplained = checks.filter((c) => !c.explained);
    assert.deepEqual(unexplained, [], 'every recorded controller write was decided');
    const kinds = new Set(checks.map((c) => c.key.split(' ')[0]));
    for (const kind of ['createRS', 'updateRS', 'createPod', 'rsStatus', 'dStatus', 'dRevision']) assert.ok(kinds.has(kind), `the log has a ${kind} write`);
    assert.equal(checks.filter((c) => c.key.startsWith('createPod')).length, 4, 'four pod creates');

    // A write no decision asks for is caught: the first scale-up (replicas 4) recorded as 7.
    const tampered = entries.map((e) => {
      const spec = e.object.spec as { replicas?: number } | undefined;
      return e.key.resource === 'replicasets.apps' && e.type === 'MODIFIED' && spec?.replicas === 4 ? { ...e, object: { ...e.object, spec: { ...spec, replicas: 7 } } } : e;
    });
    assert.ok((await checkDecisions(tampered)).some((c) => !c.explained && c.key.startsWith('updateRS')), 'a tampered scale is unexplained');
  } finally {
    await drainNats(nc);
  }
});
