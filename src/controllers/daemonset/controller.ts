/**
 * The DaemonSet controller's wiring: which events enqueue which DaemonSet, and the
 * writes that carry out decideDaemonSet's actions. Pods enqueue their controlling
 * DaemonSet (an orphan: every DaemonSet of its namespace that matches it); a node that
 * comes, goes, or changes labels, taints or unschedulable enqueues every DaemonSet.
 * Pod names are generated, so creates and deletes raise expectations (as the
 * ReplicaSet controller's) that the pod informer lowers; until then a sync only writes
 * status. Creates go in slow-start batches (1, 2, 4, ...), so a failing template costs
 * one try; a node whose daemon pod keeps failing waits out a growing back-off
 * (FailedPodBackoff) before the next replacement.
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX, objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { canonicalJson } from '../deployment/hash.ts';
import { CONTROLLER_REVISIONS, equalRevision } from '../history/revision.ts';
import { Controller, enqueueObject, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { Expectations } from '../runtime/expectations.ts';
import { slowStartBatches } from '../runtime/slow-start.ts';
import { controllerRef, ownerKey } from '../runtime/owner.ts';
import { ownedPodHandlers } from '../runtime/owned-pods.ts';
import { FailedPodBackoff } from './backoff.ts';
import { decideDaemonSet, type DaemonSetAction } from './decide.ts';
import { targetNodeName } from './eligibility.ts';

export const DAEMONSETS = 'daemonsets.apps';
const PODS = 'pods';
const NODES = 'nodes';

export interface DaemonSetController {
  controller: Controller;
  expectations: Expectations;
}

/** What makes a node eligible or not: a change elsewhere (status heartbeats) is no news. */
const placementOf = (node: KubeObject) => {
  const spec = (node.spec ?? {}) as { taints?: unknown; unschedulable?: unknown };
  return canonicalJson({ labels: node.metadata.labels ?? {}, taints: spec.taints ?? [], unschedulable: spec.unschedulable ?? false });
};

export function newDaemonSetController(
  client: ApiClient,
  factory: SharedInformerFactory,
  options: ControllerOptions & { recorder?: EventRecorder } = {},
): DaemonSetController {
  const clock: Clock = options.clock ?? realClock;
  const recorder = options.recorder ?? new ApiEventRecorder(client, 'daemonset-controller', clock);
  const controller = new Controller('daemonset', options);
  const expectations = new Expectations();
  const backoff = new FailedPodBackoff();
  const sets = factory.informerFor(DAEMONSETS);
  const pods = factory.informerFor(PODS);
  const nodes = factory.informerFor(NODES);
  const revisions = factory.informerFor(CONTROLLER_REVISIONS);

  const dsKeyOf = (o: KubeObject): string | undefined => {
    const ref = controllerRef(o);
    return ref?.kind === 'DaemonSet' && ref.apiVersion.startsWith('apps/') ? ownerKey(o, ref) : undefined;
  };
  const enqueueAll = () => {
    for (const ds of sets.indexer.list()) controller.enqueue(objectKey(ds));
  };

  controller.watch(sets, {
    ...enqueueObject(controller, objectKey),
    onDelete: (o) => {
      const key = objectKey(deletedObject(o));
      expectations.delete(key);
      controller.enqueue(key);
    },
  });
  controller.watch(
    pods,
    ownedPodHandlers({
      ownerKeyOf: dsKeyOf,
      expectations,
      enqueue: (key) => controller.enqueue(key),
      ownersIn: (namespace) => sets.indexer.byIndex(NAMESPACE_INDEX, namespace),
    }),
  );
  controller.watch(nodes, {
    onAdd: enqueueAll,
    onUpdate: (old, node) => {
      if (placementOf(old) !== placementOf(node)) enqueueAll();
    },
    onDelete: enqueueAll,
  });
  controller.watch(revisions, {
    onAdd: (r) => {
      const key = dsKeyOf(r);
      if (key) controller.enqueue(key);
    },
    onDelete: (o) => {
      const key = dsKeyOf(deletedObject(o));
      if (key) controller.enqueue(key);
    },
  });

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const ds = sets.indexer.get(key);
    if (!ds) {
      expectations.delete(key);
      return {};
    }
    const now = clock.now();
    const ns = ds.metadata.namespace ?? '';
    const decision = decideDaemonSet(
      ds,
      { nodes: nodes.indexer.list(), pods: pods.indexer.byIndex(NAMESPACE_INDEX, ns), revisions: revisions.indexer.byIndex(NAMESPACE_INDEX, ns) },
      now,
      { expectationsSatisfied: expectations.satisfied(key, now), failedPodBackoffMs: (node) => backoff.remainingMs(FailedPodBackoff.key(key, node), now) },
    );
    backoff.gc(now);
    for (const action of decision.actions) {
      if (action.type === 'deletePod' && action.reason === 'failed' && podPhase(action.pod) === 'Failed') backoff.next(FailedPodBackoff.key(key, nodeOf(action.pod)), now);
    }
    await carryOut(client, recorder, key, ds, decision.actions, expectations, now);
    return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
  });
  return { controller, expectations };
}

async function carryOut(
  client: ApiClient,
  recorder: EventRecorder,
  key: string,
  ds: KubeObject,
  actions: DaemonSetAction[],
  expectations: Expectations,
  now: number,
): Promise<void> {
  const errors: unknown[] = [];
  const attempt = async (write: () => Promise<unknown>, onFailure?: () => void) => {
    try {
      await write();
    } catch (error) {
      onFailure?.();
      errors.push(error);
    }
  };
  const byType = <T extends DaemonSetAction['type']>(type: T) => actions.filter((a): a is Extract<DaemonSetAction, { type: T }> => a.type === type);

  for (const action of [...byType('createRevision'), ...byType('renumberRevision')]) {
    if (action.type === 'createRevision') {
      const created = await client.create(CONTROLLER_REVISIONS, action.revision).catch((e) => ignoreCode(e, 409));
      if (!created) {
        const existing = await client.get(CONTROLLER_REVISIONS, action.revision.metadata.namespace, action.revision.metadata.name!);
        if (!equalRevision(existing, action.revision)) throw new Error(`controller revision ${action.revision.metadata.name} collides with another`);
      }
    } else {
      await client.update(CONTROLLER_REVISIONS, { ...action.revision, revision: action.to } as KubeObject);
    }
  }
  for (const action of [...byType('adoptPod'), ...byType('releasePod')]) {
    const patch = { metadata: { ownerReferences: action.ownerReferences, resourceVersion: action.pod.metadata.resourceVersion } };
    await attempt(() => client.patch(PODS, action.pod.metadata.namespace, action.pod.metadata.name!, patch, 'merge').catch((e) => ignoreCode(e, 404)));
  }

  const creates = byType('createPod');
  if (creates.length > 0) {
    expectations.expectCreations(key, creates.length, now);
    // Slow start, as Kubernetes: batches of 1, 2, 4, ... so a failing template costs one try.
    const { failures, untried } = await slowStartBatches(creates, ({ pod, nodeName }) =>
      client.create(PODS, pod).then(
        (created) => recorder.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`),
        (error: unknown) => {
          recorder.record(ds, 'Warning', 'FailedCreate', `Error creating pod on node ${nodeName}: ${message(error)}`);
          throw error;
        },
      ),
    );
    for (const error of failures) {
      expectations.creationObserved(key);
      errors.push(error);
    }
    for (let n = 0; n < untried; n++) expectations.creationObserved(key);
  }

  const deletes = byType('deletePod');
  if (deletes.length > 0) {
    expectations.expectDeletions(key, deletes.map(({ pod }) => objectKey(pod)), now);
    await Promise.all(
      deletes.map(({ pod, reason }) =>
        attempt(
          () =>
            client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } }).then(
              () => {
                if (reason === 'failed') recorder.record(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeOf(pod)}, will try to kill it`);
                recorder.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
              },
              (error: unknown) => {
                if (error instanceof StatusError && (error.code === 404 || error.code === 409)) return;
                recorder.record(ds, 'Warning', 'FailedDelete', `Error deleting: ${message(error)}`);
                throw error;
              },
            ),
          () => expectations.deletionObserved(key, objectKey(pod)),
        ),
      ),
    );
  }

  for (const { revision } of byType('deleteRevision')) {
    await attempt(() =>
      client.delete(CONTROLLER_REVISIONS, revision.metadata.namespace, revision.metadata.name!, { preconditions: { uid: revision.metadata.uid } }).catch((e) => ignoreCode(e, 404)),
    );
  }
  for (const { status } of byType('updateStatus')) {
    await attempt(() => client.update(DAEMONSETS, { ...ds, status }, { subresource: 'status' }).catch((e) => ignoreCode(e, 404)));
  }
  if (errors.length > 0) throw errors[0];
}

const nodeOf = (pod: KubeObject) => targetNodeName(pod) ?? '';
const podPhase = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function ignoreCode(error: unknown, code: number): undefined {
  if (error instanceof StatusError && error.code === code) return undefined;
  throw error;
}
