/**
 * The whole control plane goes away and comes back: API server, controller manager,
 * scheduler and the nats-server holding the log are stopped, then started again on the
 * same store. Expected, as for a Kubernetes control plane restart:
 * - the log rebuilds the store identical: every object at the shutdown revision, by a
 *   digest over all of them, equals what the old API server held;
 * - the kubelet keeps its pods running through the outage (same containers, no restart)
 *   and resyncs once the API is back: the Deployment is whole, its pods the same ones.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { createActor, waitFor, type Actor, type AnyActorRef } from 'xstate';
import type { apiServerMachine } from '../../actors/apiserver.machine.ts';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { MemoryLogSink } from '../../src/kubelet/log-sink.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { connectNats, drainNats } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { eventually, startApiServer, stopApiServer } from '../support/cluster.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const NODE = 'restart-node';
let nats: TestNats;
let rootDir: string;
let kubelet: AnyActorRef;
let client: ApiClient;
let controlPlane: { apiserver: Actor<typeof apiServerMachine>; others: AnyActorRef[] } | undefined;

async function startControlPlane(url: string) {
  const apiserver = await startApiServer(url, 'apiserver');
  const others = [
    createActor(controllerManagerMachine, { input: { natsUrl: url, leaderElect: false } }),
    createActor(schedulerMachine, { input: { natsUrl: url, leaderElect: false } }),
  ];
  for (const actor of others) actor.start();
  return { apiserver, others };
}

async function stopControlPlane(plane: NonNullable<typeof controlPlane>) {
  for (const actor of plane.others) actor.send({ type: 'stop' });
  for (const actor of plane.others) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
  await stopApiServer(plane.apiserver);
}

/** Every object of a store, in key order, hashed: equal digests mean equal stores. */
function digest(store: ObjectStore): { digest: string; objects: Map<string, KubeObject> } {
  const objects = new Map<string, KubeObject>();
  for (const resource of store.resources()) {
    for (const object of store.list(resource).items) objects.set(`${resource}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object);
  }
  const hash = createHash('sha256');
  for (const key of [...objects.keys()].sort()) hash.update(key).update(JSON.stringify(objects.get(key)));
  return { digest: hash.digest('hex'), objects };
}

const storeOf = (apiserver: Actor<typeof apiServerMachine>) => apiserver.getSnapshot().context.connection!.store;

/** The pods of the Deployment with their containers' ids and restart counts, once both run. */
async function runningPods(): Promise<Map<string, string>> {
  return eventually(
    async () => {
      // Right after the restart the client may still be reconnecting: a timeout is "not yet".
      const listed = await client.list('pods', 'default', { labelSelector: 'app=keeper' }).catch(() => undefined);
      if (!listed) return undefined;
      const pods = listed.items.filter((p) => !p.metadata.deletionTimestamp);
      const running = pods.filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running');
      if (pods.length !== 2 || running.length !== 2) return undefined;
      const ids = new Map<string, string>();
      for (const pod of running) {
        const status = (pod.status as { containerStatuses?: { containerID?: string; restartCount: number; ready: boolean }[] }).containerStatuses?.[0];
        if (!status?.containerID || !status.ready) return undefined;
        ids.set(pod.metadata.name!, `${status.containerID} restarts=${status.restartCount}`);
      }
      return ids;
    },
    60_000,
    'two running, ready pods of the keeper Deployment',
  );
}

before(async () => {
  nats = await startTestNats();
  rootDir = await mkdtemp(join(tmpdir(), 'jetkube-restart-'));
  controlPlane = await startControlPlane(nats.url);
  client = await ApiClient.connect(nats.url, 'restart-test', { timeoutMs: 10_000 });
  kubelet = createActor(kubeletMachine, {
    input: { natsUrl: nats.url, nodeName: NODE, runtime: 'process', rootDir, podCIDR: `127.${128 + Math.floor(Math.random() * 64)}.${Math.floor(Math.random() * 256)}.0/24`, logs: new MemoryLogSink(), leaseRenewMs: 1_000 },
  });
  kubelet.start();
});

after(async () => {
  await client?.close();
  kubelet?.send({ type: 'stop' });
  if (kubelet) await waitFor(kubelet, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
  if (controlPlane) await stopControlPlane(controlPlane).catch(() => undefined);
  await nats?.dispose();
  await rm(rootDir, { recursive: true, force: true });
});

it('rebuilds the store identical and keeps the pods running through a full control plane restart', { timeout: 180_000 }, async () => {
  await client.create('deployments.apps', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'keeper', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'keeper' } },
      template: {
        metadata: { labels: { app: 'keeper' } },
        spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }] },
      },
    },
  });
  const before = await runningPods();

  // Shut down: the digest is taken in one synchronous pass, so it is the store at one revision.
  const plane = controlPlane!;
  const oldStore = storeOf(plane.apiserver);
  const revision = oldStore.revision;
  const old = digest(oldStore);
  controlPlane = undefined;
  await stopControlPlane(plane);
  await nats.stop();
  assert.equal(kubelet.getSnapshot().status, 'active', 'the kubelet outlives its control plane');
  nats = await nats.restart();

  // The log folded up to the shutdown revision is the old store, object for object.
  const nc = await connectNats(nats.url, 'restart-digest');
  try {
    const log = new RegistryLog(nc);
    const rebuilt = new ObjectStore();
    for await (const entry of log.read({ fromSeq: 1, toSeq: revision })) rebuilt.apply(entry);
    const fresh = digest(rebuilt);
    assert.equal(fresh.objects.size, old.objects.size);
    assert.equal(fresh.digest, old.digest);
  } finally {
    await drainNats(nc);
  }

  controlPlane = await startControlPlane(nats.url);
  // The new API server replayed the same log: every old object is there as it was, or
  // changed since (the kubelet's heartbeats go on as soon as the API is back).
  const live = storeOf(controlPlane.apiserver);
  for (const [key, object] of old.objects) {
    const [resource, namespace, name] = key.split('/') as [string, string, string];
    const now = live.get(resource, namespace, name);
    if (Number(now?.metadata.resourceVersion) > revision) continue;
    assert.deepEqual(now, object, `${key} as it was at revision ${revision}`);
  }

  // The kubelet resynced: the same two pods, the same containers, never restarted.
  const afterRestart = await runningPods();
  assert.deepEqual(afterRestart, before);
  await eventually(async () => {
    const deployment = await client.get('deployments.apps', 'default', 'keeper').catch(() => undefined);
    return (deployment?.status as { availableReplicas?: number } | undefined)?.availableReplicas === 2 || undefined;
  }, 30_000, 'the Deployment available again');
});
