/**
 * The TTL-after-finished controller's decision (Kubernetes' ttlafterfinished), pure: a
 * finished Job (Complete or Failed) with spec.ttlSecondsAfterFinished is deleted that
 * many seconds after its finish, the lastTransitionTime of its Complete or Failed
 * condition; before then it is looked at again when the time comes. A Job being
 * deleted, unfinished or without a TTL is left alone.
 */
import type { KubeObject } from '../../api/object.ts';

export type TtlDecision = { action: 'none' } | { action: 'wait'; afterMs: number } | { action: 'delete' };

/** When the Job finished (ms), or undefined while it runs. */
export function jobFinishTime(job: KubeObject): number | undefined {
  const conditions = ((job.status ?? {}) as { conditions?: { type?: string; status?: string; lastTransitionTime?: string }[] }).conditions ?? [];
  const finished = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!finished) return undefined;
  const at = Date.parse(finished.lastTransitionTime ?? '');
  return Number.isFinite(at) ? at : undefined;
}

export function decideTtl(job: KubeObject, now: number): TtlDecision {
  const ttl = (job.spec as { ttlSecondsAfterFinished?: number } | undefined)?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp) return { action: 'none' };
  const finishedAt = jobFinishTime(job);
  if (finishedAt === undefined) return { action: 'none' };
  const expireAt = finishedAt + ttl * 1000;
  return now >= expireAt ? { action: 'delete' } : { action: 'wait', afterMs: expireAt - now };
}
