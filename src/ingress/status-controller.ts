/**
 * Publishes the proxy's address on every Ingress it serves
 * (status.loadBalancer.ingress), as a controller over Ingresses: a change of an Ingress
 * or of an IngressClass (which may change what we serve) enqueues keys; reconcile reads
 * the cache, decides with desiredIngressStatus and writes the status subresource pinned
 * to the resourceVersion it read, so a concurrent change is a 409 and a retry, never a
 * lost write. Ingresses we stop serving keep their status (as ingress-nginx leaves it).
 */
import { StatusError } from '../api/errors.ts';
import type { ApiClient } from '../client/api-client.ts';
import { objectKey } from '../informer/indexer.ts';
import type { SharedInformer } from '../informer/shared-informer.ts';
import type { Logger } from '../log.ts';
import { Controller, enqueueObject } from '../controllers/runtime/controller.ts';
import { ourClasses, servesIngress } from './ingress-class.ts';
import { desiredIngressStatus } from './ingress-status.ts';

export const INGRESSES = 'ingresses.networking.k8s.io';
export const INGRESS_CLASSES = 'ingressclasses.networking.k8s.io';

export function newIngressStatusController(
  client: ApiClient,
  informers: { ingresses: SharedInformer; ingressClasses: SharedInformer },
  controllerName: string,
  address: () => string | undefined,
  log: Logger,
): Controller {
  const controller = new Controller('ingress-status', {
    workers: 1,
    onError: (key, error, requeues) => log.warn({ key, err: String(error), requeues }, 'ingress status update failed'),
  });
  const enqueueAll = () => {
    for (const ingress of informers.ingresses.indexer.list()) controller.enqueue(objectKey(ingress));
  };
  controller.watch(informers.ingresses, enqueueObject(controller, objectKey));
  controller.watch(informers.ingressClasses, { onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });
  controller.reconcileWith(async (key) => {
    const ingress = informers.ingresses.indexer.get(key);
    const ip = address();
    if (!ingress || !ip || ingress.metadata.deletionTimestamp) return;
    if (!servesIngress(ingress, ourClasses(informers.ingressClasses.indexer.list(), controllerName))) return;
    const status = desiredIngressStatus(ingress, ip);
    if (!status) return;
    try {
      await client.update(INGRESSES, { ...ingress, status }, { subresource: 'status' });
    } catch (err) {
      // Deleted since the cache saw it: its delete event is on its way and ends the matter.
      if (err instanceof StatusError && err.code === 404) return;
      throw err;
    }
    log.info({ ingress: key, ip }, 'ingress status published');
  });
  return controller;
}
