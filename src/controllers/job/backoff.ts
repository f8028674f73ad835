/**
 * The delay before a Job creates pods again after failures (Kubernetes' backoffRecord):
 * 10 s after the first failure since the last success, doubling with each further one,
 * capped (the docs: six minutes). Kubernetes keeps the record in memory per Job; here it
 * is read from the Job's pods (their finish times), so the decision stays a function of
 * the cache and a restarted controller waits as long as the old one would have. Pure.
 */
import type { KubeObject } from '../../api/object.ts';

export interface PodBackoff {
  /** Delay after the first failure, ms (Kubernetes: 10 s). */
  baseMs: number;
  /** The cap, ms. */
  maxMs: number;
}

export const DEFAULT_POD_BACKOFF: PodBackoff = { baseMs: 10_000, maxMs: 6 * 60_000 };

interface ContainerStatus {
  state?: { terminated?: { finishedAt?: string } };
}
interface PodStatus {
  conditions?: { type?: string; status?: string; lastTransitionTime?: string }[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

const time = (value: string | undefined) => (value ? Date.parse(value) : NaN);

/**
 * When a terminated (or deleted) pod finished: its Ready=False transition, else its
 * containers' latest finishedAt, else its deletionTimestamp, else its creation.
 */
export function podFinishedAt(pod: KubeObject): number {
  const status = (pod.status ?? {}) as PodStatus;
  const readyFalse = status.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  const fromReady = time(readyFalse?.lastTransitionTime);
  if (Number.isFinite(fromReady)) return fromReady;
  const finished = [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])]
    .map((c) => time(c.state?.terminated?.finishedAt))
    .filter(Number.isFinite);
  if (finished.length > 0) return Math.max(...finished);
  const deleted = time(pod.metadata.deletionTimestamp);
  if (Number.isFinite(deleted)) return deleted;
  const created = time(pod.metadata.creationTimestamp);
  return Number.isFinite(created) ? created : 0;
}

/** The failures counted since the last success, and the latest of them. */
export function failuresSinceLastSuccess(failed: readonly KubeObject[], succeeded: readonly KubeObject[]): { count: number; lastFailureAt?: number } {
  const lastSuccess = succeeded.length > 0 ? Math.max(...succeeded.map(podFinishedAt)) : -Infinity;
  const after = failed.map(podFinishedAt).filter((t) => t > lastSuccess);
  return after.length === 0 ? { count: 0 } : { count: after.length, lastFailureAt: Math.max(...after) };
}

/** How long pod creation still waits at `now` (0: create now). */
export function remainingBackoffMs(failures: { count: number; lastFailureAt?: number }, now: number, backoff: PodBackoff = DEFAULT_POD_BACKOFF): number {
  if (failures.count === 0 || failures.lastFailureAt === undefined) return 0;
  let delay = backoff.baseMs;
  for (let i = 1; i < failures.count && delay < backoff.maxMs; i++) delay *= 2;
  delay = Math.min(delay, backoff.maxMs);
  return Math.max(0, delay - (now - failures.lastFailureAt));
}
