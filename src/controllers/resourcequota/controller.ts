/**
 * The resource quota controller's wiring (Kubernetes' resourcequota controller): the key
 * is a quota's `ns/name`. A quota is synced when it appears, when its spec changes, and
 * every resync period (5 min, --resource-quota-sync-period); the namespace's quotas are
 * synced again when a counted object goes away or its usage drops or grows in place (a
 * pod turning terminal, a claim resized, a Service changing type): Kubernetes'
 * replenishment. Creates are not a reason: admission charged them already, and a sync
 * racing a create in flight would count it too early. Pods, Services, claims,
 * ConfigMaps, Secrets and ReplicationControllers come from informers; any other
 * `count/<resource>` is listed live. The status write is pinned to the quota read (a
 * charge by the admission meanwhile is a 409, and the sync runs again).
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { evaluatorFor, evaluatorsFor } from '../../admission/resource-quota/evaluators.ts';
import { equalLists, names, resourceList } from '../../admission/resource-quota/resource-list.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX, objectKey, splitKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import type { SharedInformer } from '../../informer/shared-informer.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { decideQuotaStatus } from './decide.ts';

export const RESOURCE_QUOTAS = 'resourcequotas';
/** The counted kinds watched through informers; other count/<resource> kinds are listed live. */
export const WATCHED_KINDS = ['pods', 'services', 'persistentvolumeclaims', 'configmaps', 'secrets', 'replicationcontrollers'] as const;

export interface ResourceQuotaControllerOptions extends ControllerOptions {
  /** How often every quota is recalculated without a reason (default 5 min). */
  resyncPeriodMs?: number;
}

export function newResourceQuotaController(client: ApiClient, factory: SharedInformerFactory, options: ResourceQuotaControllerOptions = {}): Controller {
  const clock: Clock = options.clock ?? realClock;
  const resyncPeriodMs = options.resyncPeriodMs ?? 5 * 60_000;
  const controller = new Controller('resourcequota', options);
  const quotas = factory.informerFor(RESOURCE_QUOTAS);
  const watched = new Map<string, SharedInformer>(WATCHED_KINDS.map((r) => [r, factory.informerFor(r)]));

  const specOf = (q: KubeObject) => JSON.stringify(q.spec ?? {});
  controller.watch(quotas, {
    onAdd: (q) => controller.enqueue(objectKey(q)),
    onUpdate: (old, q) => specOf(old) !== specOf(q) && controller.enqueue(objectKey(q)),
  });

  const replenish = (namespace: string | undefined) => {
    for (const q of quotas.indexer.byIndex(NAMESPACE_INDEX, namespace ?? '')) controller.enqueue(objectKey(q));
  };
  for (const [resource, informer] of watched) {
    const evaluator = evaluatorFor(resource);
    controller.watch(informer, {
      onUpdate: (old, o) => {
        // Most updates (pod status) happen in namespaces without quotas: no usage to compare.
        if (quotas.indexer.byIndex(NAMESPACE_INDEX, o.metadata.namespace ?? '').length === 0) return;
        const now = new Date(clock.now());
        if (!equalLists(evaluator.usage(old, now), evaluator.usage(o, now))) replenish(o.metadata.namespace);
      },
      onDelete: (o) => replenish(deletedObject(o).metadata.namespace),
    });
  }

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const quota = quotas.indexer.get(key);
    if (!quota) return {};
    const { namespace } = splitKey(key);
    const objects = new Map<string, readonly KubeObject[]>();
    for (const evaluator of evaluatorsFor(names(resourceList((quota.spec as { hard?: unknown } | undefined)?.hard)))) {
      const informer = watched.get(evaluator.resource);
      objects.set(evaluator.resource, informer ? informer.indexer.byIndex(NAMESPACE_INDEX, namespace) : await listLive(client, evaluator.resource, namespace));
    }
    const status = decideQuotaStatus(quota, (resource) => objects.get(resource) ?? [], new Date(clock.now()));
    if (status) await client.update(RESOURCE_QUOTAS, { ...quota, status }, { subresource: 'status' });
    return { requeueAfterMs: resyncPeriodMs };
  });
  return controller;
}

/** A kind with no informer here; one the API does not serve counts nothing. */
async function listLive(client: ApiClient, resource: string, namespace: string): Promise<KubeObject[]> {
  try {
    return (await client.listAll(resource, namespace)).items;
  } catch (error) {
    if (error instanceof StatusError && error.code === 404) return [];
    throw error;
  }
}
