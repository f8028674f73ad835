/**
 * The CronJob controller's decision (kube-controller-manager 1.32's ControllerV2 sync),
 * pure: given a CronJob, the Jobs it controls, the time, and which of its active Jobs a
 * live read found gone, which writes converge it?
 *  1. history: finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit
 *     are deleted, oldest start first;
 *  2. status.active loses finished and vanished Jobs; lastSuccessfulTime follows the
 *     newest completion;
 *  3. unless deleted, suspended, or in a zone or schedule that cannot be read: the most
 *     recent schedule time that is due (only that one, however many were missed; over
 *     100 missed gives the TooManyMissedTimes warning) starts a Job named
 *     `<cronjob>-<scheduled time in minutes>`, unless it is past startingDeadlineSeconds,
 *     already started, or Forbid finds a Job active; Replace deletes the active ones first;
 *  4. the sync comes back 100 ms after the next schedule time.
 * The created Job's reference and lastScheduleTime enter status once the create
 * succeeded (its uid is the server's), which the wiring does.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { controllerRef, newControllerRef } from '../runtime/owner.ts';
import { isKnownTimeZone, parseSchedule, rfc3339InZone, ScheduleError, type Schedule } from './schedule.ts';

export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** A sync runs this long after the schedule time, so the time is surely due. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
export const MANY_MISSED = 100;

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  [key: string]: unknown;
}

export interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
}

export type CronJobAction =
  | { type: 'deleteJob'; job: KubeObject }
  | { type: 'createJob'; job: KubeObject; scheduledTime: number }
  | { type: 'updateStatus'; status: CronJobStatus }
  | { type: 'event'; eventType: 'Normal' | 'Warning'; reason: string; message: string };

export interface CronJobDecision {
  actions: CronJobAction[];
  requeueAfterMs?: number;
}

export interface CronJobDecideOptions {
  /** uids of active Jobs missing from the cache that a live read found gone. */
  goneJobUids?: ReadonlySet<string>;
}

type Missed = 'none' | 'few' | 'many';

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const parseTime = (value: string | undefined) => (value ? Date.parse(value) : NaN);

function finishedType(job: KubeObject): 'Complete' | 'Failed' | undefined {
  const conditions = ((job.status ?? {}) as { conditions?: { type?: string; status?: string }[] }).conditions ?? [];
  const c = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

/** The Jobs this CronJob controls. */
export function jobsOf(cronJob: KubeObject, jobsInNamespace: readonly KubeObject[]): KubeObject[] {
  return jobsInNamespace.filter((j) => {
    const ref = controllerRef(j);
    return ref?.kind === 'CronJob' && ref.uid === cronJob.metadata.uid;
  });
}

/** `<cronjob>-<minutes since the epoch>`: one name per schedule time, so a repeat create is a 409. */
export function jobName(cronJob: KubeObject, scheduledTime: number): string {
  return `${cronJob.metadata.name}-${Math.floor(scheduledTime / 60_000)}`;
}

/**
 * mostRecentScheduleTime: the last schedule time (or the creation), the most recent due
 * time at `now` if any, and how many were missed (estimated from the gap between two
 * activations, as Kubernetes does). An error for a schedule that never fires.
 */
export function mostRecentScheduleTime(
  cronJob: KubeObject,
  now: number,
  schedule: Schedule,
  includeStartingDeadline: boolean,
): { earliest: number; mostRecent?: number; missed: Missed; error?: string } {
  const spec = (cronJob.spec ?? {}) as CronJobSpec;
  const status = (cronJob.status ?? {}) as CronJobStatus;
  let earliest = parseTime(status.lastScheduleTime);
  if (!Number.isFinite(earliest)) earliest = parseTime(cronJob.metadata.creationTimestamp);
  if (!Number.isFinite(earliest)) earliest = now;
  if (includeStartingDeadline && spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null) {
    earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
  }
  const never = { earliest, missed: 'none' as const, error: 'time difference between two schedules is less than 1 second' };
  const t1 = schedule.next(earliest);
  if (t1 === undefined) return never;
  if (now < t1) return { earliest, missed: 'none' };
  const t2 = schedule.next(t1);
  if (t2 === undefined) return never;
  if (now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return never;
  const missedCount = Math.floor(Math.floor((now - t1) / 1000) / between) + 1;
  // Start one interval early and let the schedule find the exact times. Kubernetes stops
  // there; for an irregular schedule ("0 */10 * * *": 4 h then 10 h) that start can be past
  // the most recent time, so this goes back further until it finds it (t1 <= now is due).
  let mostRecent: number | undefined;
  for (let back = 2; mostRecent === undefined; back *= 2) {
    const from = Math.max(earliest, t1 + (missedCount - back) * between * 1000);
    for (let t = schedule.next(from); t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
    if (from === earliest) break;
  }
  const missed: Missed = missedCount > MANY_MISSED ? 'many' : missedCount > 0 ? 'few' : 'none';
  return mostRecent === undefined ? { earliest, missed } : { earliest, mostRecent, missed };
}

/** How long until the sync after the next schedule time. */
export function nextScheduleTimeDuration(cronJob: KubeObject, now: number, schedule: Schedule): number | undefined {
  const { earliest, mostRecent, missed, error } = mostRecentScheduleTime(cronJob, now, schedule, false);
  const from = error ? now : (mostRecent ?? (missed === 'none' ? earliest : now));
  const next = schedule.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}

export function decideCronJob(cronJob: KubeObject, jobsInNamespace: readonly KubeObject[], now: number, options: CronJobDecideOptions = {}): CronJobDecision {
  const spec = (cronJob.spec ?? {}) as CronJobSpec;
  const original = (cronJob.status ?? {}) as CronJobStatus;
  const status: CronJobStatus = { ...original, active: [...(original.active ?? [])] };
  const actions: CronJobAction[] = [];
  const event = (eventType: 'Normal' | 'Warning', reason: string, message: string) => actions.push({ type: 'event', eventType, reason, message });
  const jobs = jobsOf(cronJob, jobsInNamespace);
  const inActive = (uid: string | undefined) => status.active!.some((r) => r.uid === uid);
  const dropActive = (uid: string | undefined) => (status.active = status.active!.filter((r) => r.uid !== uid));
  const deleted = new Set<string>();

  // History limits: the oldest finished Jobs go.
  for (const [kind, limit] of [['Complete', spec.successfulJobsHistoryLimit], ['Failed', spec.failedJobsHistoryLimit]] as const) {
    if (limit === undefined || limit === null) continue;
    const finished = jobs.filter((j) => finishedType(j) === kind).sort(byStartTime);
    for (const job of finished.slice(0, Math.max(0, finished.length - limit))) {
      actions.push({ type: 'deleteJob', job });
      deleted.add(job.metadata.uid!);
      dropActive(job.metadata.uid);
    }
  }

  const children = new Set(jobs.map((j) => j.metadata.uid));
  for (const job of jobs) {
    const finished = finishedType(job);
    if (!finished) continue;
    if (inActive(job.metadata.uid)) {
      dropActive(job.metadata.uid);
      event('Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${finished}`);
    }
    const completedAt = ((job.status ?? {}) as { completionTime?: string }).completionTime;
    if (finished === 'Complete' && completedAt && !(parseTime(status.lastSuccessfulTime) >= parseTime(completedAt))) status.lastSuccessfulTime = completedAt;
  }
  for (const ref of [...status.active!]) {
    if (children.has(ref.uid) || !options.goneJobUids?.has(ref.uid ?? '')) continue;
    event('Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
    dropActive(ref.uid);
  }

  const finish = (requeueAfterMs?: number): CronJobDecision => {
    const next = { ...status };
    if (next.active!.length === 0) delete next.active;
    if (JSON.stringify(next) !== JSON.stringify(original)) actions.push({ type: 'updateStatus', status: next });
    // Writes first, then the events that report them.
    actions.sort((a, b) => Number(a.type === 'event') - Number(b.type === 'event'));
    return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
  };

  if (cronJob.metadata.deletionTimestamp) return finish();
  if (spec.timeZone !== undefined && spec.timeZone !== null && !isKnownTimeZone(spec.timeZone)) {
    event('Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(spec.timeZone)}: unknown time zone ${spec.timeZone}`);
    return finish();
  }
  if (spec.suspend === true) return finish();
  let schedule: Schedule;
  try {
    if ((spec.schedule ?? '').includes('TZ')) {
      event('Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    schedule = parseSchedule(spec.schedule ?? '', (spec.schedule ?? '').includes('TZ') ? undefined : (spec.timeZone ?? undefined));
  } catch (error) {
    event('Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${error instanceof ScheduleError ? error.message : String(error)}`);
    return finish();
  }

  const due = mostRecentScheduleTime(cronJob, now, schedule, true);
  if (due.error && due.mostRecent === undefined) {
    event('Warning', 'InvalidSchedule', `invalid schedule: ${spec.schedule} : ${due.error}`);
    return finish();
  }
  const requeue = () => nextScheduleTimeDuration({ ...cronJob, status }, now, schedule);
  if (due.mostRecent === undefined || due.mostRecent > now) return finish(requeue());
  const scheduledTime = due.mostRecent;
  if (due.missed === 'many') event('Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');

  const deadline = spec.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && scheduledTime + deadline * 1000 < now) {
    event('Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduledTime)}`);
    return finish(requeue());
  }
  const name = jobName(cronJob, scheduledTime);
  if (status.active!.some((r) => r.name === name) || parseTime(status.lastScheduleTime) === scheduledTime) return finish(requeue());
  if (spec.concurrencyPolicy === 'Forbid' && status.active!.length > 0) {
    event('Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return finish(requeue());
  }
  if (spec.concurrencyPolicy === 'Replace') {
    for (const ref of [...status.active!]) {
      const job = jobs.find((j) => j.metadata.uid === ref.uid);
      if (job && !deleted.has(ref.uid!)) actions.push({ type: 'deleteJob', job });
      dropActive(ref.uid);
    }
  }
  actions.push({ type: 'createJob', job: jobFromTemplate(cronJob, scheduledTime), scheduledTime });
  // The sync after this one: as if the Job were recorded.
  const after = nextScheduleTimeDuration({ ...cronJob, status: { ...status, lastScheduleTime: rfc3339(scheduledTime) } }, now, schedule);
  return finish(after);
}

/** getJobFromTemplate2: the template's labels, annotations and spec, named for the time, controlled by the CronJob. */
export function jobFromTemplate(cronJob: KubeObject, scheduledTime: number): KubeObject {
  const spec = (cronJob.spec ?? {}) as CronJobSpec;
  const template = spec.jobTemplate ?? {};
  const ref: OwnerReference = newControllerRef(cronJob);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(cronJob, scheduledTime),
      namespace: cronJob.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP]: rfc3339InZone(scheduledTime, spec.timeZone ?? undefined) },
      ownerReferences: [ref],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

/** The reference status.active keeps of a Job. */
export function jobReference(job: KubeObject): ObjectReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    namespace: job.metadata.namespace,
    name: job.metadata.name,
    uid: job.metadata.uid,
    resourceVersion: job.metadata.resourceVersion,
  };
}

/** byJobStartTime: started before unstarted, then by start time, then by name. */
function byStartTime(a: KubeObject, b: KubeObject): number {
  const sa = parseTime((a.status as { startTime?: string } | undefined)?.startTime);
  const sb = parseTime((b.status as { startTime?: string } | undefined)?.startTime);
  if (Number.isFinite(sa) !== Number.isFinite(sb)) return Number.isFinite(sa) ? -1 : 1;
  if (Number.isFinite(sa) && sa !== sb) return sa - sb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Go's time.RFC1123Z, in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

export { rfc3339 };
