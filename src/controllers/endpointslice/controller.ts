/**
 * The EndpointSlice controller's wiring: the key is a Service's ns/name. Services enqueue
 * themselves, pods the Services that select them, and slices the Service they are
 * labeled with. The slices a Service has are read from an informer of the slices this
 * controller manages (label endpointslice.kubernetes.io/managed-by), indexed by the
 * service-name label. Writes are pinned: updates carry the slice's resourceVersion,
 * deletes its uid. Slices created but not yet seen by the informer are remembered for
 * a short while, so a second sync does not create them again (the Kubernetes
 * controller's endpointSliceTracker).
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { LABEL_INDEX, NAMESPACE_INDEX, objectKey, splitKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { enqueueServicesOfPod, SERVICES } from '../endpoints/controller.ts';
import { Controller, enqueueObject, type ControllerOptions } from '../runtime/controller.ts';
import { decideSlices, MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './decide.ts';

export const ENDPOINT_SLICES = 'endpointslices.discovery.k8s.io';

export interface EndpointSliceControllerOptions extends ControllerOptions {
  maxEndpointsPerSlice?: number;
}

export function newEndpointSliceController(client: ApiClient, factory: SharedInformerFactory, options: EndpointSliceControllerOptions = {}): Controller {
  const controller = new Controller('endpointslice', options);
  const services = factory.informerFor(SERVICES);
  const pods = factory.informerFor('pods');
  const slices = factory.informerFor({ resource: ENDPOINT_SLICES, labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
  /** Service key -> how many slices it had when we created one the informer has not shown yet. */
  const expectedCounts = new Map<string, { count: number; atMs: number }>();
  /** After this long an expected slice that never showed (deleted meanwhile) is given up on. */
  const EXPECTATION_TTL_MS = 5_000;

  const serviceKeyOf = (slice: KubeObject) => {
    const name = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    return name ? `${slice.metadata.namespace}/${name}` : undefined;
  };
  const enqueueSliceService = (slice: KubeObject) => {
    const key = serviceKeyOf(slice);
    if (key) controller.enqueue(key);
  };

  controller.watch(services, enqueueObject(controller, objectKey));
  controller.watch(pods, enqueueServicesOfPod(controller, services));
  controller.watch(slices, {
    onAdd: enqueueSliceService,
    onUpdate: (_old, slice) => enqueueSliceService(slice),
    onDelete: (o) => enqueueSliceService(deletedObject(o)),
  });

  controller.reconcileWith(async (key) => {
    const { namespace, name } = splitKey(key);
    const current = slices.indexer.byIndex(LABEL_INDEX, `${SERVICE_NAME_LABEL}=${name}`).filter((s) => s.metadata.namespace === namespace);
    const expected = expectedCounts.get(key);
    // Our own create has not come back yet: deciding now would create it again.
    if (expected !== undefined && current.length < expected.count && Date.now() - expected.atMs < EXPECTATION_TTL_MS) return { requeueAfterMs: 100 };
    expectedCounts.delete(key);
    const service = services.indexer.get(key);
    const actions = decideSlices(service, pods.indexer.byIndex(NAMESPACE_INDEX, namespace), current, options.maxEndpointsPerSlice);
    let created = 0;
    for (const action of actions) {
      try {
        if (action.type === 'create') {
          await client.create(ENDPOINT_SLICES, action.slice);
          created++;
        } else if (action.type === 'update') {
          await client.update(ENDPOINT_SLICES, action.slice);
        } else {
          await client.delete(ENDPOINT_SLICES, namespace, action.name, { preconditions: { uid: action.uid } });
        }
      } catch (error) {
        if (action.type === 'delete' && error instanceof StatusError && (error.code === 404 || error.code === 409)) continue;
        throw error;
      }
    }
    if (created > 0) expectedCounts.set(key, { count: current.length - actions.filter((a) => a.type === 'delete').length + created, atMs: Date.now() });
    return {};
  });
  return controller;
}
