/**
 * The Job controller's wiring: which events enqueue which Job, and the writes that carry
 * out decideJob's actions. Pods enqueue their controlling Job (an orphan enqueues every
 * Job of its namespace whose selector matches it). Expectations are raised before pod
 * creates and deletes and lowered as the pod informer shows them. A pod that still holds
 * the tracking finalizer while its Job is gone, finished or not its controller any more
 * is queued as `orphan:<ns>/<pod>` and let go after a live read confirms the Job is
 * gone or finished (Kubernetes' orphan queue), so a deleted Job's pods can be deleted.
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX, OWNER_UID_INDEX, objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { slowStartBatches } from '../runtime/slow-start.ts';
import { Expectations } from '../runtime/expectations.ts';
import { controllerRef, newControllerRef, ownerKey } from '../runtime/owner.ts';
import { ownedPodHandlers } from '../runtime/owned-pods.ts';
import type { PodBackoff } from './backoff.ts';
import { decideJob, isJobFinished, JOB_TRACKING_FINALIZER, type JobAction } from './decide.ts';

export const JOBS = 'jobs.batch';
export const PODS = 'pods';
const ORPHAN_PREFIX = 'orphan:';

export interface JobControllerOptions extends ControllerOptions {
  recorder?: EventRecorder;
  /** Pod creation backoff after failures (default 10 s doubling, capped at 6 min). */
  backoff?: PodBackoff;
}

export interface JobController {
  controller: Controller;
  expectations: Expectations;
}

const isJobRef = (ref: { kind: string; apiVersion: string } | undefined) => ref?.kind === 'Job' && ref.apiVersion === 'batch/v1';
const hasTrackingFinalizer = (pod: KubeObject) => (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

export function newJobController(client: ApiClient, factory: SharedInformerFactory, options: JobControllerOptions = {}): JobController {
  const clock: Clock = options.clock ?? realClock;
  const recorder = options.recorder ?? new ApiEventRecorder(client, 'job-controller', clock);
  const controller = new Controller('job', options);
  const expectations = new Expectations();
  const jobInformer = factory.informerFor(JOBS);
  const podInformer = factory.informerFor(PODS);

  /** The key of the Job that controls the pod, when the cache has that very Job. */
  const jobKeyFor = (pod: KubeObject): string | undefined => {
    const ref = controllerRef(pod);
    if (!ref || !isJobRef(ref)) return undefined;
    const key = ownerKey(pod, ref);
    return jobInformer.indexer.get(key)?.metadata.uid === ref.uid ? key : undefined;
  };
  /** A pod that holds our finalizer but whose Job will not release it. */
  const maybeOrphan = (pod: KubeObject) => {
    if (!hasTrackingFinalizer(pod)) return;
    const ref = controllerRef(pod);
    if (ref && !isJobRef(ref)) return;
    const key = ref ? jobKeyFor(pod) : undefined;
    if (!key || isJobFinished(jobInformer.indexer.get(key)!)) controller.enqueue(ORPHAN_PREFIX + objectKey(pod));
  };

  controller.watch(jobInformer, {
    onAdd: (job) => controller.enqueue(objectKey(job)),
    onUpdate: (_old, job) => controller.enqueue(objectKey(job)),
    onDelete: (o) => {
      const job = deletedObject(o);
      const key = objectKey(job);
      expectations.delete(key);
      controller.enqueue(key);
      for (const pod of podInformer.indexer.byIndex(OWNER_UID_INDEX, job.metadata.uid ?? '')) maybeOrphan(pod);
    },
  });
  controller.watch(
    podInformer,
    ownedPodHandlers({
      ownerKeyOf: jobKeyFor,
      expectations,
      enqueue: (key) => controller.enqueue(key),
      ownersIn: (namespace) => jobInformer.indexer.byIndex(NAMESPACE_INDEX, namespace),
      afterEach: maybeOrphan,
    }),
  );

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    if (key.startsWith(ORPHAN_PREFIX)) return releaseOrphan(client, podInformer.indexer.get(key.slice(ORPHAN_PREFIX.length)));
    const job = jobInformer.indexer.get(key);
    if (!job) {
      expectations.delete(key);
      return {};
    }
    const now = clock.now();
    const pods = podInformer.indexer.byIndex(NAMESPACE_INDEX, job.metadata.namespace ?? '');
    const decision = decideJob(job, pods, now, { expectationsSatisfied: expectations.satisfied(key, now), backoff: options.backoff });
    await carryOut(client, recorder, key, job, decision.actions, expectations, now);
    return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
  });
  return { controller, expectations };
}

/** syncOrphanPod: let go of the finalizer unless a live read shows its Job running and controlling it. */
async function releaseOrphan(client: ApiClient, pod: KubeObject | undefined): Promise<ReconcileResult> {
  if (!pod || !hasTrackingFinalizer(pod)) return {};
  const ref = controllerRef(pod);
  if (ref) {
    if (!isJobRef(ref)) return {};
    const job = await client.get(JOBS, pod.metadata.namespace, ref.name).catch((error: unknown) => {
      if (error instanceof StatusError && error.code === 404) return undefined;
      throw error;
    });
    if (job && job.metadata.uid === ref.uid && !isJobFinished(job) && !job.metadata.deletionTimestamp) return {};
  }
  await removeFinalizer(client, pod).catch(ignoreNotFound);
  return {};
}

async function carryOut(client: ApiClient, recorder: EventRecorder, key: string, job: KubeObject, actions: JobAction[], expectations: Expectations, now: number): Promise<void> {
  const errors: unknown[] = [];
  const attempt = async (write: () => Promise<unknown>, onFailure?: () => void) => {
    try {
      await write();
    } catch (error) {
      onFailure?.();
      errors.push(error);
    }
  };
  const byType = <T extends JobAction['type']>(type: T) => actions.filter((a): a is Extract<JobAction, { type: T }> => a.type === type);

  for (const { pod } of byType('adoptPod')) {
    const patch = {
      metadata: {
        ownerReferences: [...(pod.metadata.ownerReferences ?? []), newControllerRef(job)],
        finalizers: [...new Set([...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER])],
        resourceVersion: pod.metadata.resourceVersion,
      },
    };
    await attempt(() => client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, patch, 'merge'));
  }
  for (const { pod } of byType('releasePod')) {
    const patch = { metadata: { ownerReferences: (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== job.metadata.uid), resourceVersion: pod.metadata.resourceVersion } };
    await attempt(() => client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, patch, 'merge').catch(ignoreNotFound));
  }

  const deletes = byType('deletePod');
  if (deletes.length > 0) {
    expectations.expectDeletions(key, deletes.map(({ pod }) => objectKey(pod)), now);
    await Promise.all(
      deletes.map(({ pod }) =>
        attempt(
          () =>
            client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } }).then(
              () => recorder.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`),
              (error: unknown) => {
                if (error instanceof StatusError && error.code === 404) return;
                recorder.record(job, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(error)}`);
                throw error;
              },
            ),
          () => expectations.deletionObserved(key, objectKey(pod)),
        ),
      ),
    );
  }

  const creates = byType('createPod');
  if (creates.length > 0) {
    expectations.expectCreations(key, creates.length, now);
    const create = (pod: KubeObject) =>
      client.create(PODS, pod).then(
        (created) => recorder.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`),
        (error: unknown) => {
          recorder.record(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`);
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

  await Promise.all(byType('removeFinalizer').map(({ pod }) => attempt(() => removeFinalizer(client, pod).catch(ignoreNotFound))));
  for (const { status } of byType('updateStatus')) {
    await attempt(() => client.update(JOBS, { ...job, status }, { subresource: 'status' }).catch(ignoreNotFound));
  }
  if (errors.length === 0) for (const { eventType, reason, message } of byType('event')) recorder.record(job, eventType, reason, message);
  if (errors.length > 0) throw errors[0];
}

/** A JSON patch that removes our finalizer where it is, and fails if the list moved meanwhile. */
function removeFinalizer(client: ApiClient, pod: KubeObject): Promise<KubeObject> {
  const at = (pod.metadata.finalizers ?? []).indexOf(JOB_TRACKING_FINALIZER);
  const path = `/metadata/finalizers/${at}`;
  return client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, [{ op: 'test', path, value: JOB_TRACKING_FINALIZER }, { op: 'remove', path }], 'json');
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

function ignoreNotFound(error: unknown): undefined {
  if (error instanceof StatusError && error.code === 404) return undefined;
  throw error;
}
