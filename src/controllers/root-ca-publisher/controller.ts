/**
 * The root CA publisher's wiring: the key is a namespace name. A namespace that appears or
 * changes enqueues itself; a kube-root-ca.crt ConfigMap that changes or goes away enqueues
 * its namespace (so an edited or deleted copy comes back). The CA bundle is the
 * controller manager's --root-ca-file (the cluster CA `jetkube up` made); a cluster
 * without one (NATS only, no PKI) publishes an empty ca.crt, so pods' token volumes still
 * mount. A 409 (the cache was behind) or a 403/404 (the namespace went away meanwhile) is
 * success: the next event brings the truth.
 */
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { Controller, type ControllerOptions } from '../runtime/controller.ts';
import { decideRootCaConfigMap, ROOT_CA_CONFIGMAP } from './decide.ts';

export interface RootCaPublisherOptions extends ControllerOptions {
  /** The PEM bundle to publish as ca.crt (default: empty). */
  rootCA?: string;
}

export function newRootCaPublisher(client: ApiClient, factory: SharedInformerFactory, options: RootCaPublisherOptions = {}): Controller {
  const caBundle = options.rootCA ?? '';
  const controller = new Controller('root-ca-cert-publisher', options);
  const namespaces = factory.informerFor('namespaces');
  const configMaps = factory.informerFor({ resource: 'configmaps', fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });

  controller.watch(namespaces, {
    onAdd: (ns) => controller.enqueue(ns.metadata.name!),
    onUpdate: (_old, ns) => controller.enqueue(ns.metadata.name!),
  });
  controller.watch(configMaps, {
    onUpdate: (_old, cm) => controller.enqueue(cm.metadata.namespace!),
    onDelete: (o) => controller.enqueue(deletedObject(o).metadata.namespace!),
  });

  controller.reconcileWith(async (name) => {
    const ns = namespaces.indexer.get(name);
    if (!ns) return;
    const existing = configMaps.indexer.get(`${name}/${ROOT_CA_CONFIGMAP}`);
    const action = decideRootCaConfigMap(ns, existing, caBundle);
    try {
      if (action.type === 'create') await client.create('configmaps', action.configMap);
      else if (action.type === 'update') await client.update('configmaps', action.configMap);
    } catch (error) {
      if (!(error instanceof StatusError && (error.code === 409 || error.code === 403 || error.code === 404))) throw error;
    }
  });
  return controller;
}
