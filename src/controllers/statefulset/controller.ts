/**
 * The StatefulSet controller's wiring: which events enqueue which StatefulSet, and the
 * writes that carry out decideStatefulSet's actions, in the order decided (a revision
 * before the pods that name it, a pod's claims before the pod). No expectations, as in
 * Kubernetes: pod and claim names are deterministic, so a create the cache has not shown
 * yet answers AlreadyExists (ignored: its watch event brings the next sync), deletes
 * carry a uid precondition, and every other write is pinned to the resourceVersion the
 * decision saw (a race is a 409, then a retry with backoff).
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { labelSelectorMatches, type LabelSelector } from '../../api/selectors.ts';
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX, objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { CONTROLLER_REVISIONS, equalRevision } from '../history/revision.ts';
import { Controller, enqueueObject, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { controllerRef, ownerKey } from '../runtime/owner.ts';
import { decideStatefulSet, type StatefulSetAction } from './decide.ts';

export const STATEFULSETS = 'statefulsets.apps';
const PODS = 'pods';
const CLAIMS = 'persistentvolumeclaims';

export function newStatefulSetController(
  client: ApiClient,
  factory: SharedInformerFactory,
  options: ControllerOptions & { recorder?: EventRecorder } = {},
): Controller {
  const clock: Clock = options.clock ?? realClock;
  const recorder = options.recorder ?? new ApiEventRecorder(client, 'statefulset-controller', clock);
  const controller = new Controller('statefulset', options);
  const sets = factory.informerFor(STATEFULSETS);
  const pods = factory.informerFor(PODS);
  const revisions = factory.informerFor(CONTROLLER_REVISIONS);
  const claims = factory.informerFor(CLAIMS);

  const setKeyOf = (o: KubeObject): string | undefined => {
    const ref = controllerRef(o);
    return ref?.kind === 'StatefulSet' && ref.apiVersion.startsWith('apps/') ? ownerKey(o, ref) : undefined;
  };
  const enqueueFor = (o: KubeObject) => {
    const key = setKeyOf(o);
    if (key) return controller.enqueue(key);
    if (controllerRef(o)) return;
    for (const set of sets.indexer.byIndex(NAMESPACE_INDEX, o.metadata.namespace ?? '')) {
      if (labelSelectorMatches((set.spec as { selector?: LabelSelector }).selector, o.metadata.labels)) controller.enqueue(objectKey(set));
    }
  };
  const dependentHandler = {
    onAdd: enqueueFor,
    onUpdate: (old: KubeObject, o: KubeObject) => {
      const before = setKeyOf(old);
      if (before && before !== setKeyOf(o)) controller.enqueue(before);
      enqueueFor(o);
    },
    onDelete: (o: Parameters<typeof deletedObject>[0]) => enqueueFor(deletedObject(o)),
  };

  controller.watch(sets, enqueueObject(controller, objectKey));
  controller.watch(pods, dependentHandler);
  controller.watch(revisions, dependentHandler);
  // Claims are read from the cache only; their changes need no sync of their own.
  controller.watch(claims, {});

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const set = sets.indexer.get(key);
    if (!set) return {};
    const ns = set.metadata.namespace ?? '';
    const decision = decideStatefulSet(
      set,
      { pods: pods.indexer.byIndex(NAMESPACE_INDEX, ns), revisions: revisions.indexer.byIndex(NAMESPACE_INDEX, ns), claims: claims.indexer.byIndex(NAMESPACE_INDEX, ns) },
      clock.now(),
    );
    await carryOut(client, recorder, set, decision.actions);
    return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
  });
  return controller;
}

async function carryOut(client: ApiClient, recorder: EventRecorder, set: KubeObject, actions: StatefulSetAction[]): Promise<void> {
  const setName = set.metadata.name!;
  for (const action of actions) {
    switch (action.type) {
      case 'createRevision': {
        const created = await client.create(CONTROLLER_REVISIONS, action.revision).catch((e) => ignoreCode(e, 409));
        if (!created) {
          // Already there: ours from an earlier sync the cache has not shown, or a collision (then decide again).
          const existing = await client.get(CONTROLLER_REVISIONS, action.revision.metadata.namespace, action.revision.metadata.name!);
          if (!equalRevision(existing, action.revision)) throw new Error(`controller revision ${action.revision.metadata.name} collides with another`);
        }
        break;
      }
      case 'renumberRevision':
        await client.update(CONTROLLER_REVISIONS, { ...action.revision, revision: action.to } as KubeObject);
        break;
      case 'deleteRevision':
        await client
          .delete(CONTROLLER_REVISIONS, action.revision.metadata.namespace, action.revision.metadata.name!, { preconditions: { uid: action.revision.metadata.uid } })
          .catch((e) => ignoreCode(e, 404));
        break;
      case 'adoptPod':
      case 'releasePod':
        await patchOwners(client, PODS, action.pod, action.ownerReferences);
        break;
      case 'createClaim': {
        const { podName } = action;
        await client.create(CLAIMS, action.claim).then(
          () => recorder.record(set, 'Normal', 'SuccessfulCreate', `create Claim ${action.claim.metadata.name} Pod ${podName} in StatefulSet ${setName} success`),
          (error: unknown) => {
            if (error instanceof StatusError && error.code === 409) return;
            recorder.record(set, 'Warning', 'FailedCreate', `create Claim ${action.claim.metadata.name} for Pod ${podName} in StatefulSet ${setName} failed error: ${message(error)}`);
            throw error;
          },
        );
        break;
      }
      case 'setClaimOwners':
        await patchOwners(client, CLAIMS, action.claim, action.ownerReferences);
        break;
      case 'createPod':
        await client.create(PODS, action.pod).then(
          () => recorder.record(set, 'Normal', 'SuccessfulCreate', `create Pod ${action.pod.metadata.name} in StatefulSet ${setName} successful`),
          (error: unknown) => {
            if (error instanceof StatusError && error.code === 409) return;
            recorder.record(set, 'Warning', 'FailedCreate', `create Pod ${action.pod.metadata.name} in StatefulSet ${setName} failed error: ${message(error)}`);
            throw error;
          },
        );
        break;
      case 'deletePod':
        await client.delete(PODS, action.pod.metadata.namespace, action.pod.metadata.name!, { preconditions: { uid: action.pod.metadata.uid } }).then(
          () => recorder.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${action.pod.metadata.name} in StatefulSet ${setName} successful`),
          (error: unknown) => {
            if (error instanceof StatusError && (error.code === 404 || error.code === 409)) return;
            recorder.record(set, 'Warning', 'FailedDelete', `delete Pod ${action.pod.metadata.name} in StatefulSet ${setName} failed error: ${message(error)}`);
            throw error;
          },
        );
        break;
      case 'labelPod': {
        const patch = { metadata: { labels: action.labels, resourceVersion: action.pod.metadata.resourceVersion } };
        await client.patch(PODS, action.pod.metadata.namespace, action.pod.metadata.name!, patch, 'merge').catch((e) => ignoreCode(e, 404));
        break;
      }
      case 'updateStatus':
        await client.update(STATEFULSETS, { ...set, status: action.status }, { subresource: 'status' }).catch((e) => ignoreCode(e, 404));
        break;
      default: {
        const never: never = action;
        throw new Error(`unknown action ${JSON.stringify(never)}`);
      }
    }
  }
}

/** A merge patch of the owner references, pinned to the resourceVersion the decision saw. */
function patchOwners(client: ApiClient, resource: string, o: KubeObject, ownerReferences: OwnerReference[]): Promise<unknown> {
  const patch = { metadata: { ownerReferences, resourceVersion: o.metadata.resourceVersion } };
  return client.patch(resource, o.metadata.namespace, o.metadata.name!, patch, 'merge').catch((e) => ignoreCode(e, 404));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function ignoreCode(error: unknown, code: number): undefined {
  if (error instanceof StatusError && error.code === code) return undefined;
  throw error;
}
