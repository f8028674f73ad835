/**
 * The NoExecute taint manager's wiring (Kubernetes' taint-eviction-controller): the key
 * is a pod. A pod that is added or changes enqueues itself; a node whose NoExecute
 * taints change enqueues every pod bound to it. Reconcile asks decideTaintEviction: a
 * pod to wait for is looked at again when its toleration runs out (requeueAfter), so a
 * cancelled eviction is simply a later look that finds nothing to do. An eviction
 * records TaintManagerEviction, sets the DisruptionTarget condition (status update
 * pinned to the pod read) and deletes with a uid precondition, so a pod re-created
 * under the same name is never the one deleted.
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NODE_NAME_INDEX, objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { decideTaintEviction, noExecuteTaints } from './decide-eviction.ts';
import { rfc3339 } from './health.ts';
import type { Taint } from './taints.ts';

export const NODES = 'nodes';
export const PODS = 'pods';

export const DISRUPTION_TARGET = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
} as const;

export interface TaintEvictionControllerOptions extends ControllerOptions {
  recorder?: EventRecorder;
}

export interface TaintEvictionController {
  controller: Controller;
  /** Pods with an eviction scheduled, and when (our clock). */
  scheduled: ReadonlyMap<string, number>;
}

export function newTaintEvictionController(client: ApiClient, factory: SharedInformerFactory, options: TaintEvictionControllerOptions = {}): TaintEvictionController {
  const clock: Clock = options.clock ?? realClock;
  const recorder = options.recorder ?? new ApiEventRecorder(client, 'taint-eviction-controller', clock);
  const controller = new Controller('taint-eviction', options);
  const scheduled = new Map<string, number>();
  /** Pods we deleted whose deletion the cache has not shown yet (key -> uid): never evicted twice. */
  const evicted = new Map<string, string>();
  /** When we first saw each NoExecute taint that carries no timeAdded, by node. */
  const firstSeen = new Map<string, Map<string, number>>();
  const nodes = factory.informerFor(NODES);
  const pods = factory.informerFor(PODS);

  const enqueuePodsOn = (nodeName: string) => {
    for (const pod of pods.indexer.byIndex(NODE_NAME_INDEX, nodeName)) controller.enqueue(objectKey(pod));
  };
  const taintId = (t: Taint) => `${t.key}\u0000${t.value ?? ''}`;
  const noteTaints = (node: KubeObject) => {
    const now = clock.now();
    const seen = firstSeen.get(node.metadata.name!) ?? new Map<string, number>();
    const current = new Set(noExecuteTaints(node).map(taintId));
    for (const id of seen.keys()) if (!current.has(id)) seen.delete(id);
    for (const id of current) if (!seen.has(id)) seen.set(id, now);
    if (seen.size > 0) firstSeen.set(node.metadata.name!, seen);
    else firstSeen.delete(node.metadata.name!);
  };

  controller.watch(nodes, {
    onAdd: (node) => {
      noteTaints(node);
      if (noExecuteTaints(node).length > 0) enqueuePodsOn(node.metadata.name!);
    },
    onUpdate: (old, node) => {
      noteTaints(node);
      if (JSON.stringify(noExecuteTaints(old)) !== JSON.stringify(noExecuteTaints(node))) enqueuePodsOn(node.metadata.name!);
    },
    onDelete: (o) => {
      const node = deletedObject(o);
      firstSeen.delete(node.metadata.name!);
      enqueuePodsOn(node.metadata.name!);
    },
  });
  // Only pods on a NoExecute-tainted node (or with an eviction pending) have anything to decide.
  const onPod = (pod: KubeObject) => {
    const key = objectKey(pod);
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (scheduled.has(key) || evicted.has(key) || (nodeName && noExecuteTaints(nodes.indexer.get(nodeName)).length > 0)) controller.enqueue(key);
  };
  controller.watch(pods, {
    onAdd: onPod,
    onUpdate: (_old, pod) => onPod(pod),
    onDelete: (o) => {
      const key = objectKey(deletedObject(o));
      scheduled.delete(key);
      evicted.delete(key);
    },
  });

  const cancel = (key: string, pod: KubeObject) => {
    if (!scheduled.delete(key)) return;
    recorder.record(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  };

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const pod = pods.indexer.get(key);
    if (!pod) {
      scheduled.delete(key);
      evicted.delete(key);
      return {};
    }
    if (evicted.has(key)) {
      if (evicted.get(key) === pod.metadata.uid && !pod.metadata.deletionTimestamp) return {};
      evicted.delete(key);
    }
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    const node = nodeName ? nodes.indexer.get(nodeName) : undefined;
    const now = clock.now();
    const decision = decideTaintEviction(pod, node, now, (taint) => firstSeen.get(nodeName!)?.get(taintId(taint)) ?? now);
    switch (decision.type) {
      case 'none':
        // A pod already being deleted is not a cancellation: the eviction happened.
        if (decision.why === 'deleting') scheduled.delete(key);
        else cancel(key, pod);
        return {};
      case 'wait':
        scheduled.set(key, decision.evictAt);
        return { requeueAfterMs: decision.evictAt - now };
      case 'evict':
        scheduled.delete(key);
        recorder.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
        await evict(client, pod, now);
        evicted.set(key, pod.metadata.uid ?? '');
        return {};
      default: {
        const never: never = decision;
        throw new Error(`unknown eviction decision ${JSON.stringify(never)}`);
      }
    }
  });
  return { controller, scheduled };
}

/** addConditionAndDeletePod: DisruptionTarget first (when not already there), then the delete. */
async function evict(client: ApiClient, pod: KubeObject, now: number): Promise<void> {
  const status = (pod.status ?? {}) as { conditions?: { type: string; status: string }[] };
  const conditions = status.conditions ?? [];
  const current = conditions.find((c) => c.type === DISRUPTION_TARGET.type);
  try {
    if (!current || current.status !== DISRUPTION_TARGET.status) {
      const condition = { ...DISRUPTION_TARGET, lastProbeTime: null, lastTransitionTime: rfc3339(now) };
      const next = [...conditions.filter((c) => c.type !== DISRUPTION_TARGET.type), condition];
      await client.update(PODS, { ...pod, status: { ...status, conditions: next } }, { subresource: 'status' });
    }
    await client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
  } catch (error) {
    if (error instanceof StatusError && error.code === 404) return;
    throw error;
  }
}
