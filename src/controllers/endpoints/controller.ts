/**
 * The Endpoints controller's wiring: the key is a Service's ns/name. A Service enqueues
 * itself; a pod enqueues every Service of its namespace that selects it (before or after
 * a label change), so a readiness change reaches the Endpoints on the informer's turn.
 * Reconcile writes what decideEndpoints asks for, pinned to the version it read; a
 * conflict or a create that finds one already there is retried with backoff.
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX, objectKey, splitKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import type { SharedInformer } from '../../informer/shared-informer.ts';
import { Controller, enqueueObject, type ControllerOptions } from '../runtime/controller.ts';
import { decideEndpoints } from './decide.ts';
import { selectsPod } from './pod-endpoints.ts';

export const SERVICES = 'services';
export const ENDPOINTS = 'endpoints';
const PODS = 'pods';

/** Enqueues every Service whose selector picks the pod, as it was and as it is. */
export function enqueueServicesOfPod(controller: Controller, services: SharedInformer): { onAdd(p: KubeObject): void; onUpdate(o: KubeObject, p: KubeObject): void; onDelete(p: unknown): void } {
  const enqueueFor = (pod: KubeObject) => {
    for (const service of services.indexer.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')) {
      if (selectsPod(service, pod)) controller.enqueue(objectKey(service));
    }
  };
  return {
    onAdd: enqueueFor,
    onUpdate: (old, pod) => {
      enqueueFor(pod);
      if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) enqueueFor(old);
    },
    onDelete: (o) => enqueueFor(deletedObject(o as KubeObject)),
  };
}

export function newEndpointsController(client: ApiClient, factory: SharedInformerFactory, options: ControllerOptions = {}): Controller {
  const controller = new Controller('endpoints', options);
  const services = factory.informerFor(SERVICES);
  const pods = factory.informerFor(PODS);
  const endpoints = factory.informerFor(ENDPOINTS);

  controller.watch(services, enqueueObject(controller, objectKey));
  controller.watch(pods, enqueueServicesOfPod(controller, services));
  controller.watch(endpoints, { onDelete: (o) => controller.enqueue(objectKey(deletedObject(o))) });

  controller.reconcileWith(async (key) => {
    const { namespace, name } = splitKey(key);
    const service = services.indexer.get(key);
    const action = decideEndpoints(service, pods.indexer.byIndex(NAMESPACE_INDEX, namespace), endpoints.indexer.get(key));
    try {
      switch (action.type) {
        case 'none':
          return;
        case 'create':
          await client.create(ENDPOINTS, action.endpoints);
          return;
        case 'update':
          await client.update(ENDPOINTS, action.endpoints);
          return;
        case 'delete':
          await client.delete(ENDPOINTS, namespace, name, action.uid ? { preconditions: { uid: action.uid } } : {});
          return;
      }
    } catch (error) {
      if (action.type === 'delete' && error instanceof StatusError && (error.code === 404 || error.code === 409)) return;
      throw error;
    }
  });
  return controller;
}
