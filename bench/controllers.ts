/**
 * The workload controllers at scale, against an API server process on the bench's
 * nats-server, with the Deployment, ReplicaSet and garbage-collector controllers in this
 * process: a Deployment of `replicas` from create until every pod is created and
 * available, then a rolling update of it (new image) until complete. The bench is the
 * node set: it makes every pod of its namespace Running and Ready through the status
 * subresource as soon as it sees it. Then the informer's rates: a fresh pod informer's
 * initial sync (objects/s through its handlers) and the pod events the controllers'
 * informer handled during the rollout (events/s), next to the same run's raw replay.
 */
import { BENCH_ADMISSION } from './bench-admission.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../actors/controllers/controller.machine.ts';
import { StatusError } from '../src/api/errors.ts';
import type { KubeObject } from '../src/api/object.ts';
import { ApiClient } from '../src/client/api-client.ts';
import { untilServing } from '../src/client/until-serving.ts';
import { newDeploymentController } from '../src/controllers/deployment/controller.ts';
import { newGarbageCollector } from '../src/controllers/garbage-collector/controller.ts';
import { newReplicaSetController } from '../src/controllers/replicaset/controller.ts';
import { SharedInformerFactory } from '../src/informer/informer-factory.ts';
import { listWatcher } from '../src/informer/list-watcher.ts';
import { PROJECT_ROOT } from '../src/natsd/server.ts';
import type { Figure } from './figures.ts';

const NS = 'bench-controllers';
const KUBELETS = 32;

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
}

function deployment(replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } },
    },
  };
}

export async function benchControllers(natsUrl: string, replicas = 1_000): Promise<Figure[]> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'apiserver', '--nats-url', natsUrl, '--name', 'bench-controllers-apiserver', ...BENCH_ADMISSION], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const client = await ApiClient.connect(natsUrl, 'bench-controllers');
  // Informers see only the bench's namespace: the earlier benches leave tens of thousands
  // of pods in `default`, and an unpaginated list of them all exceeds NATS' max payload.
  const scoped = () => new SharedInformerFactory(client, { listWatcherFor: (s) => listWatcher(client, { ...s, namespace: NS }) });
  const factory = scoped();
  const actors: Actor<typeof controllerMachine>[] = [];
  let kubeletRunning = true;
  try {
    await untilServing(client);
    await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }).catch(ignore(409));
    const controllers = [
      newDeploymentController(client, factory),
      newReplicaSetController(client, factory).controller,
      newGarbageCollector(client, factory, { resources: ['pods', 'replicasets.apps', 'deployments.apps'] }),
    ];
    for (const controller of controllers) {
      const actor = createActor(controllerMachine, { input: { controller } });
      actor.start();
      actors.push(actor);
    }
    for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 120_000 });

    // The fake node set: pods of the namespace not yet Running are made Running and Ready.
    const podInformer = factory.informerFor('pods');
    const pending = new Map<string, KubeObject>();
    let podEvents = 0;
    const offer = (pod: KubeObject) => {
      podEvents++;
      if (pod.metadata.namespace !== NS || pod.metadata.deletionTimestamp) return;
      if ((pod.status as { phase?: string } | undefined)?.phase !== 'Running') pending.set(pod.metadata.name!, pod);
    };
    podInformer.addEventHandler({ onAdd: offer, onUpdate: (_old, pod) => offer(pod), onDelete: () => void podEvents++ });
    const kubelets = Array.from({ length: KUBELETS }, async () => {
      while (kubeletRunning) {
        const next = pending.entries().next();
        if (next.done) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        const [name, pod] = next.value;
        pending.delete(name);
        const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] };
        await client.update('pods', { ...pod, status }, { subresource: 'status' }).catch(() => undefined);
      }
    });

    const rolledOut = async (what: string) => {
      for (;;) {
        const d = await client.get('deployments.apps', NS, 'web');
        const s = (d.status ?? {}) as DeploymentStatus;
        if ((s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.replicas === replicas && s.updatedReplicas === replicas && s.availableReplicas === replicas) return;
        await new Promise((r) => setTimeout(r, 20));
        if (actors.some((a) => a.getSnapshot().status !== 'active')) throw new Error(`a controller stopped during ${what}`);
      }
    };

    let started = performance.now();
    await client.create('deployments.apps', deployment(replicas));
    await rolledOut('the create');
    const createMs = performance.now() - started;

    const eventsBefore = podEvents;
    started = performance.now();
    await client.patch('deployments.apps', NS, 'web', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } }, 'strategic');
    await rolledOut('the rolling update');
    const rolloutMs = performance.now() - started;
    const rolloutEvents = podEvents - eventsBefore;

    kubeletRunning = false;
    await Promise.all(kubelets);

    // A fresh informer over the namespace's pods: list, then handlers, until synced.
    const fresh = scoped();
    let added = 0;
    const informer = fresh.informerFor('pods');
    informer.addEventHandler({ onAdd: () => void added++ });
    started = performance.now();
    fresh.start();
    await informer.waitForSync(120_000);
    const syncMs = performance.now() - started;
    fresh.shutdown();

    const label = replicas.toLocaleString('en-US');
    process.stderr.write(`  controllers: create to available ${(createMs / 1000).toFixed(2)} s, rolling update ${(rolloutMs / 1000).toFixed(2)} s, ${rolloutEvents} pod events, sync of ${added} pods ${(syncMs / 1000).toFixed(2)} s\n`);
    return [
      { name: `deployment create to ${label} available (pods/s)`, opsPerSec: Math.round((replicas * 1000) / createMs) },
      { name: `deployment rolling update of ${label} (pods/s)`, opsPerSec: Math.round((replicas * 1000) / rolloutMs) },
      { name: 'informer pod events during rollout', opsPerSec: Math.round((rolloutEvents * 1000) / rolloutMs) },
      { name: `informer initial sync, ${added.toLocaleString('en-US')} pods`, opsPerSec: Math.round((added * 1000) / syncMs) },
    ];
  } finally {
    kubeletRunning = false;
    for (const actor of actors) if (actor.getSnapshot().status === 'active') actor.send({ type: 'stop' });
    for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 60_000 }).catch(() => undefined);
    factory.shutdown();
    await client.close();
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
}

function ignore(code: number) {
  return (error: unknown) => {
    if (error instanceof StatusError && error.code === code) return undefined;
    throw error;
  };
}

