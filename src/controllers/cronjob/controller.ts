/**
 * The CronJob controller's wiring: CronJobs enqueue themselves, Jobs their controlling
 * CronJob; each sync reads the cache, confirms with a live read which active Jobs the
 * cache misses are really gone, and carries out decideCronJob's writes: Job deletes
 * (propagation Background, so their pods go too), the create of the scheduled Job
 * (whose reference and lastScheduleTime then enter status; a 409 for our own earlier
 * create is taken as that create), and the status update. Time comes from the injected
 * Clock, and so does the requeue at the next schedule time, so tests step a FakeClock.
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX, objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { controllerRef, ownerKey } from '../runtime/owner.ts';
import { decideCronJob, jobReference, jobsOf, nextScheduleTimeDuration, rfc3339, type CronJobAction, type CronJobStatus } from './decide.ts';
import { parseSchedule } from './schedule.ts';

export const CRONJOBS = 'cronjobs.batch';
export const JOBS = 'jobs.batch';

export interface CronJobControllerOptions extends ControllerOptions {
  recorder?: EventRecorder;
}

export function newCronJobController(client: ApiClient, factory: SharedInformerFactory, options: CronJobControllerOptions = {}): Controller {
  const clock: Clock = options.clock ?? realClock;
  const recorder = options.recorder ?? new ApiEventRecorder(client, 'cronjob-controller', clock);
  const controller = new Controller('cronjob', options);
  const cronJobInformer = factory.informerFor(CRONJOBS);
  const jobInformer = factory.informerFor(JOBS);

  const enqueueOwner = (job: KubeObject) => {
    const ref = controllerRef(job);
    if (ref?.kind === 'CronJob') controller.enqueue(ownerKey(job, ref));
  };
  controller.watch(cronJobInformer, {
    onAdd: (cj) => controller.enqueue(objectKey(cj)),
    onUpdate: (old, cj) => {
      // A new schedule is looked at when it next fires (updateCronJob), not caught up at once.
      const spec = (o: KubeObject) => (o.spec ?? {}) as { schedule?: string; timeZone?: string };
      if (spec(old).schedule !== spec(cj).schedule || spec(old).timeZone !== spec(cj).timeZone) {
        try {
          const wait = nextScheduleTimeDuration(cj, clock.now(), parseSchedule(spec(cj).schedule ?? '', spec(cj).timeZone));
          if (wait !== undefined) controller.queue.addAfter(objectKey(cj), Math.max(0, wait));
        } catch {
          // Unparseable: nothing to wait for; the next sync reports it (UnparseableSchedule).
        }
        return;
      }
      controller.enqueue(objectKey(cj));
    },
    onDelete: (o) => controller.enqueue(objectKey(deletedObject(o))),
  });
  controller.watch(jobInformer, {
    onAdd: enqueueOwner,
    onUpdate: (old, job) => {
      if (old.metadata.resourceVersion === job.metadata.resourceVersion) return;
      const before = controllerRef(old);
      if (before && before.uid !== controllerRef(job)?.uid) enqueueOwner(old);
      enqueueOwner(job);
    },
    onDelete: (o) => enqueueOwner(deletedObject(o)),
  });

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const cronJob = cronJobInformer.indexer.get(key);
    if (!cronJob) return {};
    const jobs = jobInformer.indexer.byIndex(NAMESPACE_INDEX, cronJob.metadata.namespace ?? '');
    const known = new Set(jobsOf(cronJob, jobs).map((j) => j.metadata.uid));
    // Active Jobs the cache misses: ask the API server before forgetting them.
    const gone = new Set<string>();
    for (const ref of ((cronJob.status ?? {}) as CronJobStatus).active ?? []) {
      if (!ref.uid || known.has(ref.uid) || !ref.name) continue;
      const live = await client.get(JOBS, ref.namespace ?? cronJob.metadata.namespace, ref.name).catch((error: unknown) => {
        if (error instanceof StatusError && error.code === 404) return undefined;
        throw error;
      });
      if (!live || live.metadata.uid !== ref.uid) gone.add(ref.uid);
    }
    const decision = decideCronJob(cronJob, jobs, clock.now(), { goneJobUids: gone });
    await carryOut(client, recorder, cronJob, decision.actions);
    return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: Math.max(0, decision.requeueAfterMs) };
  });
  return controller;
}

async function carryOut(client: ApiClient, recorder: EventRecorder, cronJob: KubeObject, actions: CronJobAction[]): Promise<void> {
  const byType = <T extends CronJobAction['type']>(type: T) => actions.filter((a): a is Extract<CronJobAction, { type: T }> => a.type === type);
  for (const { job } of byType('deleteJob')) {
    try {
      await client.delete(JOBS, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
      recorder.record(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 404)) {
        recorder.record(cronJob, 'Warning', 'FailedDelete', `Deleted job: ${errorMessage(error)}`);
        throw error;
      }
    }
  }

  let status = byType('updateStatus')[0]?.status;
  for (const { job, scheduledTime } of byType('createJob')) {
    let created: KubeObject;
    try {
      created = await client.create(JOBS, job);
      recorder.record(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 409)) {
        recorder.record(cronJob, 'Warning', 'FailedCreate', `Error creating job: ${errorMessage(error)}`);
        if (status) await writeStatus(client, cronJob, status);
        throw error;
      }
      // Created before (our status write was lost) or by someone else: only ours is recorded.
      const existing = await client.get(JOBS, job.metadata.namespace, job.metadata.name!);
      if (controllerRef(existing)?.uid !== cronJob.metadata.uid) break;
      created = existing;
    }
    const base: CronJobStatus = status ?? { ...((cronJob.status ?? {}) as CronJobStatus) };
    if ((base.active ?? []).some((r) => r.uid === created.metadata.uid)) continue;
    status = { ...base, active: [...(base.active ?? []), jobReference(created)], lastScheduleTime: rfc3339(scheduledTime) };
  }
  if (status) await writeStatus(client, cronJob, status);
  for (const { eventType, reason, message } of byType('event')) recorder.record(cronJob, eventType, reason, message);
}

function writeStatus(client: ApiClient, cronJob: KubeObject, status: CronJobStatus): Promise<unknown> {
  return client.update(CRONJOBS, { ...cronJob, status }, { subresource: 'status' }).catch((error: unknown) => {
    if (error instanceof StatusError && error.code === 404) return undefined;
    throw error;
  });
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
