/**
 * The controller manager's set of controllers over one connection and one informer
 * factory (so every controller shares each informer): the ReplicaSet controller, the
 * garbage collector, the namespace controller and the ServiceAccounts controller. Opening
 * connects and builds them (no list or watch yet: each controller's machine starts its
 * informers); closing stops the informers and the client. Only the Lease holder runs a
 * set (actors/controller-manager.machine.ts); a set is built afresh for every term.
 */
import { ApiClient } from '../client/api-client.ts';
import { SharedInformerFactory } from '../informer/informer-factory.ts';
import { componentLogger } from '../log.ts';
import { newDeploymentController } from './deployment/controller.ts';
import { newGarbageCollector } from './garbage-collector/controller.ts';
import { newNamespaceController } from './namespace/controller.ts';
import { newReplicaSetController } from './replicaset/controller.ts';
import { newServiceAccountsController } from './serviceaccount/controller.ts';
import type { Controller } from './runtime/controller.ts';

const log = componentLogger('controller-manager');

export interface ControllerManagerOptions {
  /** Registry keys the garbage collector watches (default: every collectable resource). */
  gcResources?: string[];
  workers?: number;
}

export interface ControllerSet {
  client: ApiClient;
  factory: SharedInformerFactory;
  controllers: Controller[];
}

export async function openControllerSet(natsUrl: string, options: ControllerManagerOptions = {}): Promise<ControllerSet> {
  const client = await ApiClient.connect(natsUrl, 'controller-manager');
  const factory = new SharedInformerFactory(client);
  const onError = (controller: string) => (key: string, err: unknown, requeues: number) =>
    log.warn({ controller, key, requeues, err }, 'reconcile failed; retrying with backoff');
  const workers = options.workers;
  const controllers = [
    newReplicaSetController(client, factory, { workers, onError: onError('replicaset') }).controller,
    newDeploymentController(client, factory, { workers, onError: onError('deployment') }),
    newGarbageCollector(client, factory, { workers, resources: options.gcResources, onError: onError('garbage-collector') }),
    newNamespaceController(client, factory, { workers, onError: onError('namespace') }),
    newServiceAccountsController(client, factory, { workers, onError: onError('serviceaccount') }),
  ];
  return { client, factory, controllers };
}

export async function closeControllerSet(set: ControllerSet): Promise<void> {
  set.factory.shutdown();
  await set.client.close();
}
