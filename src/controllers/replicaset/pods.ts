/**
 * Pod facts a workload controller reads (Kubernetes' podutil and controller.ActivePods):
 * active, ready, available after minReadySeconds, and the order in which surplus pods
 * are deleted. Pure.
 */
import type { KubeObject } from '../../api/object.ts';

interface PodCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
}
interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  containerStatuses?: { restartCount?: number }[];
}

const status = (pod: KubeObject): PodStatus => (pod.status ?? {}) as PodStatus;
const nodeName = (pod: KubeObject): string => ((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '');

/** Not terminated and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = status(pod).phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

function readyCondition(pod: KubeObject): PodCondition | undefined {
  return status(pod).conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Ready for at least minReadySeconds at `now` (ms). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(readyCondition(pod)?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const restarts = (pod: KubeObject) => (status(pod).containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
const time = (value: string | undefined) => (value ? Date.parse(value) : NaN);

/**
 * Kubernetes' ActivePodsWithRanks order: the pods to delete first come first.
 * Unscheduled before scheduled; Pending before Unknown before Running; not ready before
 * ready; more pods of the same owner on its node before fewer; ready for less time
 * first; more restarts first; newer before older.
 */
export function rankPodsForDeletion(pods: readonly KubeObject[]): KubeObject[] {
  const perNode = new Map<string, number>();
  for (const p of pods) if (nodeName(p)) perNode.set(nodeName(p), (perNode.get(nodeName(p)) ?? 0) + 1);
  const colocated = (p: KubeObject) => (nodeName(p) ? perNode.get(nodeName(p))! : 0);
  return [...pods].sort((a, b) => {
    const assigned = Number(nodeName(a) !== '') - Number(nodeName(b) !== '');
    if (assigned) return assigned;
    const phase = (PHASE_RANK[status(a).phase ?? 'Pending'] ?? 0) - (PHASE_RANK[status(b).phase ?? 'Pending'] ?? 0);
    if (phase) return phase;
    const ready = Number(isPodReady(a)) - Number(isPodReady(b));
    if (ready) return ready;
    const rank = colocated(b) - colocated(a);
    if (rank) return rank;
    if (isPodReady(a) && isPodReady(b)) {
      const ra = time(readyCondition(a)?.lastTransitionTime);
      const rb = time(readyCondition(b)?.lastTransitionTime);
      if (ra !== rb && Number.isFinite(ra) && Number.isFinite(rb)) return rb - ra;
    }
    const restart = restarts(b) - restarts(a);
    if (restart) return restart;
    const ca = time(a.metadata.creationTimestamp);
    const cb = time(b.metadata.creationTimestamp);
    if (ca !== cb && Number.isFinite(ca) && Number.isFinite(cb)) return cb - ca;
    return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  });
}
