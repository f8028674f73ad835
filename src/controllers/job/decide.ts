/**
 * The Job controller's decision (kube-controller-manager 1.32's syncJob), pure: given a
 * Job, the pods of its namespace, the time and whether the controller's own creates and
 * deletes have all been observed, which writes converge it?
 *  1. claim: adopt active orphans the selector matches (adding the tracking finalizer),
 *     release owned pods it no longer matches;
 *  2. finished? an existing FailureTarget/SuccessCriteriaMet condition says so; else a
 *     podFailurePolicy FailJob match, failures above backoffLimit (restarts too, for
 *     OnFailure pods) or activeDeadlineSeconds passed end it as failed (active pods are
 *     deleted); enough successes end it as complete;
 *  3. manage (expectations satisfied, not finished): a suspended Job deletes its active
 *     pods; otherwise surplus pods go (duplicate or finished indexes first) and missing
 *     ones are created, at most parallelism and never more than the completions left,
 *     after the failure backoff; Indexed Jobs create the lowest pending indexes;
 *  4. tracking with finalizers, as Kubernetes does: every pod carries
 *     batch.kubernetes.io/job-tracking; a finished pod is first recorded in
 *     status.uncountedTerminatedPods (Indexed successes in completedIndexes), its
 *     finalizer is removed only once that record is in the stored status, and it moves
 *     into succeeded/failed once its finalizer is gone. Kubernetes runs these three steps
 *     in one sync; here each sync takes the steps its cache allows and the writes of one
 *     step are the events that wake the next, so every decision is a function of the cache;
 *  5. conditions: the interim FailureTarget/SuccessCriteriaMet first, the terminal
 *     Failed/Complete once no pod is uncounted or terminating; Suspended True/False.
 * Imports nothing from xstate, nats or pino, so it can be re-run over a recorded log.
 */
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorMatches, type LabelSelector } from '../../api/selectors.ts';
import { isPodActive, isPodReady, rankPodsForDeletion } from '../replicaset/pods.ts';
import { controllerRef, newControllerRef } from '../runtime/owner.ts';
import { DEFAULT_POD_BACKOFF, failuresSinceLastSuccess, remainingBackoffMs, type PodBackoff } from './backoff.ts';
import { matchPodFailurePolicy, type PodFailurePolicy } from './failure-policy.ts';
import { completionIndex, firstPendingIndexes, formatIndexes, JOB_COMPLETION_INDEX, JOB_COMPLETION_INDEX_ENV, parseIndexes } from './indexes.ts';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** spec.managedBy of the Jobs this controller runs (or none). */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  ready?: number;
  terminating?: number;
  succeeded?: number;
  failed?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  [key: string]: unknown;
}

export interface JobSpecView {
  parallelism?: number;
  completions?: number | null;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  suspend?: boolean;
  completionMode?: 'NonIndexed' | 'Indexed';
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  podFailurePolicy?: PodFailurePolicy;
  managedBy?: string;
  selector?: LabelSelector;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] }; spec?: Record<string, unknown> };
}

export type JobAction =
  | { type: 'adoptPod'; pod: KubeObject }
  | { type: 'releasePod'; pod: KubeObject }
  | { type: 'createPod'; pod: KubeObject }
  | { type: 'deletePod'; pod: KubeObject }
  | { type: 'removeFinalizer'; pod: KubeObject }
  | { type: 'updateStatus'; status: JobStatus }
  | { type: 'event'; eventType: 'Normal' | 'Warning'; reason: string; message: string };

export interface JobDecision {
  actions: JobAction[];
  /** Look again then: the backoff or the active deadline runs out. */
  requeueAfterMs?: number;
}

export interface JobDecideOptions {
  /** Every create and delete this controller made for the Job has been observed. */
  expectationsSatisfied: boolean;
  backoff?: PodBackoff;
  burst?: number;
}

interface Finish {
  kind: 'success' | 'failure';
  reason: string;
  message: string;
}

const phaseOf = (pod: KubeObject) => ((pod.status ?? {}) as { phase?: string }).phase;
const isTerminal = (pod: KubeObject) => phaseOf(pod) === 'Succeeded' || phaseOf(pod) === 'Failed';
const hasTrackingFinalizer = (pod: KubeObject) => (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function jobSpec(job: KubeObject): JobSpecView {
  return (job.spec ?? {}) as JobSpecView;
}

/** The Job's condition of that type with status True, if any. */
export function trueCondition(job: KubeObject, type: string): JobCondition | undefined {
  return ((job.status ?? {}) as JobStatus).conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Complete or Failed: nothing left for the controller but finalizers. */
export function isJobFinished(job: KubeObject): boolean {
  return !!trueCondition(job, 'Complete') || !!trueCondition(job, 'Failed');
}

export function decideJob(job: KubeObject, podsInNamespace: readonly KubeObject[], now: number, options: JobDecideOptions): JobDecision {
  const spec = jobSpec(job);
  const status = (job.status ?? {}) as JobStatus;
  const uid = job.metadata.uid;
  const actions: JobAction[] = [];
  const finishedAlready = isJobFinished(job);
  const deleting = !!job.metadata.deletionTimestamp;
  const matches = (pod: KubeObject) => !!spec.selector && labelSelectorMatches(spec.selector, pod.metadata.labels);
  // A Job another controller manages (spec.managedBy) is not ours to touch.
  if (spec.managedBy !== undefined && spec.managedBy !== JOB_CONTROLLER_NAME) return { actions: [] };

  const owned: KubeObject[] = [];
  for (const pod of podsInNamespace) {
    const ref = controllerRef(pod);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches(pod)) owned.push(pod);
      else actions.push({ type: 'releasePod', pod });
    } else if (matches(pod) && isPodActive(pod) && !deleting && !finishedAlready) {
      actions.push({ type: 'adoptPod', pod });
      owned.push(pod);
    }
  }

  // A finished or deleted Job only lets its pods go.
  if (deleting || finishedAlready) {
    for (const pod of owned) if (hasTrackingFinalizer(pod)) actions.push({ type: 'removeFinalizer', pod });
    return { actions };
  }

  const indexed = spec.completionMode === 'Indexed';
  const completions = typeof spec.completions === 'number' ? spec.completions : undefined;
  const parallelism = spec.parallelism ?? 1;
  const backoffLimit = spec.backoffLimit ?? 6;
  const suspended = spec.suspend === true;
  const onlyReplaceFailed = spec.podReplacementPolicy === 'Failed' || !!spec.podFailurePolicy;
  const burst = options.burst ?? MAX_POD_CREATE_DELETE_PER_SYNC;
  const inRange = (index: number | undefined): index is number => index !== undefined && completions !== undefined && index < completions;
  // A pod being deleted counts as failed at once, unless only Failed pods are replaced.
  const isFailed = (pod: KubeObject) => phaseOf(pod) === 'Failed' || (!onlyReplaceFailed && !!pod.metadata.deletionTimestamp && phaseOf(pod) !== 'Succeeded');
  const countsAsFailure = (pod: KubeObject) => matchPodFailurePolicy(spec.podFailurePolicy, pod).countFailed && (!indexed || inRange(completionIndex(pod)));

  const active = owned.filter(isPodActive);
  const terminating = owned.filter((p) => !!p.metadata.deletionTimestamp && !isTerminal(p));
  const uncountedSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? []);
  const uncountedFailed = new Set(status.uncountedTerminatedPods?.failed ?? []);
  const recorded = (pod: KubeObject) => uncountedSucceeded.has(pod.metadata.uid!) || uncountedFailed.has(pod.metadata.uid!);
  const tracked = owned.filter((p) => hasTrackingFinalizer(p) && !recorded(p));
  const previousIndexes = indexed && completions !== undefined ? parseIndexes(status.completedIndexes, completions) : new Set<number>();

  const newSucceeded = tracked.filter((p) => phaseOf(p) === 'Succeeded');
  const newFailed = tracked.filter((p) => phaseOf(p) !== 'Succeeded' && isFailed(p));
  const succeededIndexes = new Set(previousIndexes);
  if (indexed) for (const pod of newSucceeded) if (inRange(completionIndex(pod))) succeededIndexes.add(completionIndex(pod)!);
  const succeeded = indexed ? succeededIndexes.size : (status.succeeded ?? 0) + uncountedSucceeded.size + newSucceeded.length;
  const failed = (status.failed ?? 0) + uncountedFailed.size + newFailed.filter(countsAsFailure).length;

  let startTime = status.startTime;
  if (!startTime && !suspended) startTime = rfc3339(now);
  const conditions: JobCondition[] = (status.conditions ?? []).map((c) => ({ ...c }));
  const events: JobAction[] = [];
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number) => (requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms));

  let finish: Finish | undefined;
  const successTarget = trueCondition(job, 'SuccessCriteriaMet');
  const failureTarget = trueCondition(job, 'FailureTarget');
  if (successTarget) finish = { kind: 'success', reason: successTarget.reason ?? 'CompletionsReached', message: successTarget.message ?? '' };
  else if (failureTarget) finish = { kind: 'failure', reason: failureTarget.reason ?? '', message: failureTarget.message ?? '' };
  else {
    const failJob = owned
      .filter((p) => phaseOf(p) === 'Failed' && (hasTrackingFinalizer(p) || recorded(p)))
      .map((p) => matchPodFailurePolicy(spec.podFailurePolicy, p).failJobMessage)
      .find((m) => m !== undefined);
    if (failJob) finish = { kind: 'failure', reason: 'PodFailurePolicy', message: failJob };
    else if (failed > backoffLimit || pastBackoffLimitOnFailure(spec, owned, backoffLimit)) {
      finish = { kind: 'failure', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    } else if (spec.activeDeadlineSeconds !== undefined && startTime && !suspended) {
      const left = spec.activeDeadlineSeconds * 1000 - (now - Date.parse(startTime));
      if (left <= 0) finish = { kind: 'failure', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
      else requeue(left);
    }
  }

  let activeCount = active.length;
  let readyCount = active.filter(isPodReady).length;
  let terminatingCount = terminating.length;
  let canFinish = true;
  const deletePods = (pods: readonly KubeObject[]) => {
    for (const pod of pods) actions.push({ type: 'deletePod', pod });
    activeCount -= pods.length;
    readyCount -= pods.filter(isPodReady).length;
    terminatingCount += pods.length;
  };

  if (finish?.kind === 'failure') {
    // Its active pods go; the terminal condition waits until they are gone.
    canFinish = active.length === 0 && options.expectationsSatisfied;
    deletePods(rankPodsForDeletion(active));
  } else if (!finish) {
    let managed = false;
    if (options.expectationsSatisfied) {
      managed = true;
      if (suspended) {
        deletePods(rankPodsForDeletion(active));
      } else {
        const wantActive =
          completions === undefined ? (succeeded > 0 ? activeCount : parallelism) : Math.max(0, Math.min(completions - succeeded, parallelism));
        const surplus = activePodsForRemoval(active, Math.max(0, activeCount - wantActive), indexed ? { completions: completions ?? 0, succeeded: succeededIndexes } : undefined);
        if (surplus.length > 0) {
          deletePods(surplus.slice(0, burst));
        } else {
          const diff = wantActive - (onlyReplaceFailed ? terminatingCount : 0) - activeCount;
          if (diff > 0) {
            const counted = owned.filter((p) => phaseOf(p) !== 'Succeeded' && isFailed(p) && countsAsFailure(p));
            const wait = remainingBackoffMs(failuresSinceLastSuccess(counted, owned.filter((p) => phaseOf(p) === 'Succeeded')), now, options.backoff ?? DEFAULT_POD_BACKOFF);
            if (wait > 0) requeue(wait);
            else {
              const count = Math.min(diff, burst);
              const indexes = indexed
                ? firstPendingIndexes(count, completions ?? 0, succeededIndexes, new Set(active.map(completionIndex).filter(inRange)))
                : Array.from({ length: count }, () => undefined);
              for (const index of indexes) actions.push({ type: 'createPod', pod: podFromTemplate(job, spec, index) });
              activeCount += indexes.length;
            }
          }
        }
      }
    }
    const complete = completions === undefined ? succeeded > 0 && activeCount === 0 : succeeded >= completions && activeCount === 0;
    if (complete) finish = { kind: 'success', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
    else if (managed && suspended) {
      if (setCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
        events.push({ type: 'event', eventType: 'Normal', reason: 'Suspended', message: 'Job suspended' });
      }
    } else if (managed && conditions.some((c) => c.type === 'Suspended')) {
      if (setCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
        events.push({ type: 'event', eventType: 'Normal', reason: 'Resumed', message: 'Job resumed' });
        // activeDeadlineSeconds counts the time a Job is continuously active.
        startTime = rfc3339(now);
      }
    }
  }

  // Finalizer tracking: count what the stored status recorded and whose pod let go,
  // record newly finished pods, and let go of pods whose record is stored.
  const withFinalizer = new Set(owned.filter(hasTrackingFinalizer).map((p) => p.metadata.uid!));
  const nextUncountedSucceeded = new Set<string>();
  const nextUncountedFailed = new Set<string>();
  let succeededTotal = status.succeeded ?? 0;
  let failedTotal = status.failed ?? 0;
  for (const u of uncountedSucceeded) {
    if (withFinalizer.has(u)) nextUncountedSucceeded.add(u);
    else succeededTotal++;
  }
  for (const u of uncountedFailed) {
    if (withFinalizer.has(u)) nextUncountedFailed.add(u);
    else failedTotal++;
  }
  for (const pod of owned) {
    if (!hasTrackingFinalizer(pod)) continue;
    const podUid = pod.metadata.uid!;
    if (recorded(pod)) {
      actions.push({ type: 'removeFinalizer', pod });
    } else if (phaseOf(pod) === 'Succeeded') {
      if (!indexed) nextUncountedSucceeded.add(podUid);
      else if (!inRange(completionIndex(pod)) || previousIndexes.has(completionIndex(pod)!)) actions.push({ type: 'removeFinalizer', pod });
      // else: its index is recorded in completedIndexes by this write; let go next time.
    } else if (isFailed(pod) || finish?.kind === 'failure') {
      // Once the Job fails, every pod not succeeded counts as failed.
      if (countsAsFailure(pod)) nextUncountedFailed.add(podUid);
      else actions.push({ type: 'removeFinalizer', pod });
    }
  }
  if (indexed) succeededTotal = succeededIndexes.size;

  let completionTime = status.completionTime;
  if (finish) {
    const interim = finish.kind === 'success' ? 'SuccessCriteriaMet' : 'FailureTarget';
    setCondition(conditions, interim, 'True', finish.reason, finish.message, now);
    const settled = nextUncountedSucceeded.size === 0 && nextUncountedFailed.size === 0 && terminatingCount === 0;
    if (canFinish && settled) {
      const terminal = finish.kind === 'success' ? 'Complete' : 'Failed';
      if (setCondition(conditions, terminal, 'True', finish.reason, finish.message, now)) {
        if (terminal === 'Complete') {
          completionTime = rfc3339(now);
          events.push({ type: 'event', eventType: 'Normal', reason: 'Completed', message: 'Job completed' });
        } else {
          events.push({ type: 'event', eventType: 'Warning', reason: finish.reason, message: finish.message });
        }
      }
    }
  }

  const next: JobStatus = { ...status };
  for (const key of ['active', 'succeeded', 'failed', 'startTime', 'completionTime', 'conditions', 'completedIndexes'] as const) delete next[key];
  if (conditions.length > 0) next.conditions = conditions;
  if (startTime) next.startTime = startTime;
  if (completionTime) next.completionTime = completionTime;
  if (activeCount > 0) next.active = activeCount;
  if (succeededTotal > 0) next.succeeded = succeededTotal;
  if (failedTotal > 0) next.failed = failedTotal;
  if (indexed) next.completedIndexes = formatIndexes(succeededIndexes);
  next.ready = Math.max(0, readyCount);
  next.terminating = terminatingCount;
  next.uncountedTerminatedPods = {
    ...(nextUncountedSucceeded.size > 0 ? { succeeded: [...nextUncountedSucceeded] } : {}),
    ...(nextUncountedFailed.size > 0 ? { failed: [...nextUncountedFailed] } : {}),
  };
  if (canonical(next) !== canonical(status)) actions.push({ type: 'updateStatus', status: next });
  actions.push(...events);
  return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
}

/**
 * Restarts of OnFailure pods count as failures: the Job fails once the restarts of its
 * running and pending pods reach backoffLimit (any restart, for a limit of 0).
 */
function pastBackoffLimitOnFailure(spec: JobSpecView, pods: readonly KubeObject[], backoffLimit: number): boolean {
  if ((spec.template?.spec as { restartPolicy?: string } | undefined)?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of pods) {
    const status = (pod.status ?? {}) as { phase?: string; containerStatuses?: { restartCount?: number }[]; initContainerStatuses?: { restartCount?: number }[] };
    if (status.phase !== 'Running' && status.phase !== 'Pending') continue;
    for (const c of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  return backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit;
}

/**
 * The active pods to delete: for an Indexed Job first those without a valid pending
 * index (out of range, already succeeded, or a second pod for one index), then the
 * surplus in the ReplicaSet's deletion order.
 */
function activePodsForRemoval(active: readonly KubeObject[], atLeast: number, indexed?: { completions: number; succeeded: ReadonlySet<number> }): KubeObject[] {
  const remove: KubeObject[] = [];
  let left = [...active];
  if (indexed) {
    left = [];
    const seen = new Set<number>();
    // The better pod of an index (ready, older) survives: rank puts the worse first.
    for (const pod of rankPodsForDeletion(active).reverse()) {
      const index = completionIndex(pod);
      if (index === undefined || index >= indexed.completions || indexed.succeeded.has(index) || seen.has(index)) remove.push(pod);
      else {
        seen.add(index);
        left.push(pod);
      }
    }
  }
  if (remove.length < atLeast) remove.push(...rankPodsForDeletion(left).slice(0, atLeast - remove.length));
  return remove;
}

/**
 * Sets a condition's status (and reason, message, time) when it differs; a False
 * condition that does not exist is not added. Answers whether anything changed.
 */
function setCondition(conditions: JobCondition[], type: string, value: 'True' | 'False', reason: string, message: string, now: number): boolean {
  const existing = conditions.find((c) => c.type === type);
  const at = rfc3339(now);
  if (!existing) {
    if (value === 'False') return false;
    conditions.push({ type, status: value, reason, message, lastProbeTime: at, lastTransitionTime: at });
    return true;
  }
  if (existing.status === value) return false;
  Object.assign(existing, { status: value, reason, message, lastProbeTime: at, lastTransitionTime: at });
  return true;
}

/** A new pod for the Job: its template with the tracking finalizer, and for an Indexed Job its index. */
export function podFromTemplate(job: KubeObject, spec: JobSpecView = jobSpec(job), index?: number): KubeObject {
  const template = spec.template ?? {};
  const name = job.metadata.name!;
  const metadata: KubeObject['metadata'] = {
    generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
    namespace: job.metadata.namespace,
    ownerReferences: [newControllerRef(job)],
    labels: { ...(template.metadata?.labels ?? {}) },
    finalizers: [...new Set([...(template.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER])],
  };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  const podSpec = structuredClone(template.spec ?? {}) as Record<string, unknown>;
  if (index !== undefined) {
    metadata.annotations = { ...(metadata.annotations ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
    metadata.labels = { ...metadata.labels, [JOB_COMPLETION_INDEX]: String(index) };
    podSpec.hostname = `${name}-${index}`;
    for (const field of ['initContainers', 'containers'] as const) {
      const containers = podSpec[field] as { env?: { name: string }[] }[] | undefined;
      for (const container of containers ?? []) {
        if ((container.env ?? []).some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) continue;
        const fieldPath = `metadata.annotations['${JOB_COMPLETION_INDEX}']`;
        container.env = [...(container.env ?? []), { name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath } } } as { name: string }];
      }
    }
  }
  if (Object.keys(metadata.labels ?? {}).length === 0) delete metadata.labels;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec };
}

/** JSON with sorted keys, so two statuses compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
