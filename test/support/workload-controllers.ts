/**
 * The workload controllers a kubectl end-to-end test needs (Deployment, ReplicaSet, the
 * garbage collector over pods/replicasets/deployments), each running as its machine, and
 * a stand-in kubelet that makes pending pods of a namespace Running and Ready, until
 * there is a real kubelet to do it.
 */
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import type { ApiClient } from '../../src/client/api-client.ts';
import { newDeploymentController } from '../../src/controllers/deployment/controller.ts';
import { newGarbageCollector } from '../../src/controllers/garbage-collector/controller.ts';
import { newReplicaSetController } from '../../src/controllers/replicaset/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';

export interface WorkloadControllers {
  stop(): Promise<void>;
}

export async function startWorkloadControllers(client: ApiClient, options: { readyPodsIn?: string } = {}): Promise<WorkloadControllers> {
  const factory = new SharedInformerFactory(client);
  const controllers = [
    newDeploymentController(client, factory),
    newReplicaSetController(client, factory).controller,
    newGarbageCollector(client, factory, { resources: ['pods', 'replicasets.apps', 'deployments.apps'] }),
  ];
  const actors: Actor<typeof controllerMachine>[] = controllers.map((controller) => createActor(controllerMachine, { input: { controller } }));
  for (const actor of actors) actor.start();
  for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  const namespace = options.readyPodsIn ?? 'default';
  const kubelet = setInterval(() => void markPodsReady(client, namespace), 100);
  return {
    async stop() {
      clearInterval(kubelet);
      for (const actor of actors) actor.send({ type: 'stop' });
      for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
      factory.shutdown();
    },
  };
}

/** Every pending pod of the namespace becomes Running and Ready. */
async function markPodsReady(client: ApiClient, namespace: string): Promise<void> {
  for (const pod of (await client.list('pods', namespace).catch(() => ({ items: [] }))).items) {
    if (pod.metadata.deletionTimestamp || (pod.status as { phase?: string } | undefined)?.phase === 'Running') continue;
    const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] };
    await client.update('pods', { ...pod, status }, { subresource: 'status' }).catch(() => undefined);
  }
}
