/**
 * The ReplicaSet controller's wiring: which events enqueue which ReplicaSet, and the
 * writes that carry out decideReplicaSet's actions. Pods enqueue their controlling RS
 * (both RSs when the controller reference changes); an orphan pod enqueues every RS of
 * its namespace whose selector matches it, which may adopt it. Expectations are raised
 * before creates and deletes and lowered as the pod informer shows them (or as a write
 * fails), so the decision never acts twice on one shortfall. The failure of a sync's
 * creates or deletes is kept per key and handed to the next decision as data, which
 * reports it as the ReplicaFailure condition (and drops it after a sync without one).
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX, objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { Controller, enqueueObject, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { slowStartBatches } from '../runtime/slow-start.ts';
import { Expectations } from '../runtime/expectations.ts';
import { controllerRef, newControllerRef, ownerKey } from '../runtime/owner.ts';
import { ownedPodHandlers } from '../runtime/owned-pods.ts';
import { decideReplicaSet, type ManageFailure, type ReplicaSetAction } from './decide.ts';

export const REPLICASETS = 'replicasets.apps';
export const PODS = 'pods';

export interface ReplicaSetController {
  controller: Controller;
  expectations: Expectations;
}

export function newReplicaSetController(
  client: ApiClient,
  factory: SharedInformerFactory,
  options: ControllerOptions & { recorder?: EventRecorder } = {},
): ReplicaSetController {
  const clock: Clock = options.clock ?? realClock;
  const recorder = options.recorder ?? new ApiEventRecorder(client, 'replicaset-controller', clock);
  const controller = new Controller('replicaset', options);
  const expectations = new Expectations();
  const failures = new Map<string, ManageFailure>();
  const rsInformer = factory.informerFor(REPLICASETS);
  const podInformer = factory.informerFor(PODS);

  const rsKeyFor = (pod: KubeObject): string | undefined => {
    const ref = controllerRef(pod);
    return ref?.kind === 'ReplicaSet' && ref.apiVersion.startsWith('apps/') ? ownerKey(pod, ref) : undefined;
  };

  controller.watch(rsInformer, {
    ...enqueueObject(controller, objectKey),
    onDelete: (o) => {
      const key = objectKey(deletedObject(o));
      expectations.delete(key);
      failures.delete(key);
      controller.enqueue(key);
    },
  });
  controller.watch(
    podInformer,
    ownedPodHandlers({
      ownerKeyOf: rsKeyFor,
      expectations,
      enqueue: (key) => controller.enqueue(key),
      ownersIn: (namespace) => rsInformer.indexer.byIndex(NAMESPACE_INDEX, namespace),
    }),
  );

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const rs = rsInformer.indexer.get(key);
    if (!rs) {
      expectations.delete(key);
      failures.delete(key);
      return {};
    }
    const now = clock.now();
    const pods = podInformer.indexer.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '');
    const reported = failures.get(key);
    const decision = decideReplicaSet(rs, pods, now, { expectationsSatisfied: expectations.satisfied(key, now), manageFailure: reported });
    let cleared = false;
    await carryOut(client, recorder, key, rs, decision.actions, expectations, now, (failure) => {
      if (failure) failures.set(key, failure);
      else failures.delete(key);
      cleared = !!reported && !failure;
    });
    // This sync's status still carried the old failure: look again to remove it.
    if (cleared) controller.enqueue(key);
    return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
  });
  return { controller, expectations };
}

async function carryOut(
  client: ApiClient,
  recorder: EventRecorder,
  key: string,
  rs: KubeObject,
  actions: ReplicaSetAction[],
  expectations: Expectations,
  now: number,
  onManaged: (failure: ManageFailure | undefined) => void,
): Promise<void> {
  const errors: unknown[] = [];
  let failure: ManageFailure | undefined;
  const attempt = async (write: () => Promise<unknown>, onFailure?: () => void) => {
    try {
      await write();
    } catch (error) {
      onFailure?.();
      errors.push(error);
    }
  };
  const byType = <T extends ReplicaSetAction['type']>(type: T) => actions.filter((a): a is Extract<ReplicaSetAction, { type: T }> => a.type === type);

  for (const { pod } of byType('adoptPod')) {
    const refs = [...(pod.metadata.ownerReferences ?? []), newControllerRef(rs)];
    await attempt(() => patchOwnerRefs(client, pod, refs));
  }
  for (const { pod } of byType('releasePod')) {
    const refs = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
    await attempt(() => patchOwnerRefs(client, pod, refs).catch(ignoreNotFound));
  }

  const creates = byType('createPod');
  if (creates.length > 0) {
    expectations.expectCreations(key, creates.length, now);
    const create = (pod: KubeObject) =>
      client.create(PODS, pod).then(
        (created) => recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`),
        (error: unknown) => {
          recorder.record(rs, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`);
          failure ??= { reason: 'FailedCreate', message: errorMessage(error) };
          throw error;
        },
      );
    // Slow start, as Kubernetes: batches of 1, 2, 4, ... so a failing template costs one try.
    const { failures, untried } = await slowStartBatches(creates, ({ pod }) => create(pod));
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
      deletes.map(({ pod }) =>
        attempt(
          () =>
            client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } }).then(
              () => recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`),
              (error: unknown) => {
                if (error instanceof StatusError && error.code === 404) return;
                recorder.record(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(error)}`);
                failure ??= { reason: 'FailedDelete', message: errorMessage(error) };
                throw error;
              },
            ),
          () => expectations.deletionObserved(key, objectKey(pod)),
        ),
      ),
    );
  }

  onManaged(failure);
  for (const { status } of byType('updateStatus')) {
    await attempt(() => client.update(REPLICASETS, { ...rs, status }, { subresource: 'status' }).catch(ignoreNotFound));
  }
  if (errors.length > 0) throw errors[0];
}

/** A merge patch pinned to the resourceVersion the decision saw: a race is a 409, then a retry. */
function patchOwnerRefs(client: ApiClient, pod: KubeObject, ownerReferences: unknown[]): Promise<KubeObject> {
  const patch = { metadata: { ownerReferences, resourceVersion: pod.metadata.resourceVersion } };
  return client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, patch, 'merge');
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

function ignoreNotFound(error: unknown): undefined {
  if (error instanceof StatusError && error.code === 404) return undefined;
  throw error;
}
