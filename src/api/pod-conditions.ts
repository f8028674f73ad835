/**
 * Pod status conditions, as podutil.UpdatePodCondition: setting a condition replaces the
 * one of its type, and lastTransitionTime moves only when the status itself changes.
 */
import type { KubeObject } from './object.ts';

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export function podConditions(pod: KubeObject): PodCondition[] {
  const status = pod.status as { conditions?: PodCondition[] } | undefined;
  return status?.conditions ?? [];
}

export function podCondition(pod: KubeObject, type: string): PodCondition | undefined {
  return podConditions(pod).find((c) => c.type === type);
}

/** The pod with the condition set; the same object when nothing would change. */
export function withPodCondition(pod: KubeObject, condition: PodCondition, now: string): KubeObject {
  const current = podCondition(pod, condition.type);
  const transition = current && current.status === condition.status ? current.lastTransitionTime : now;
  const next: PodCondition = { lastProbeTime: null, ...condition, lastTransitionTime: condition.lastTransitionTime ?? transition };
  if (current && sameCondition(current, next)) return pod;
  const others = podConditions(pod).filter((c) => c.type !== condition.type);
  const conditions = current ? podConditions(pod).map((c) => (c.type === condition.type ? next : c)) : [...others, next];
  return { ...pod, status: { ...(pod.status as object), conditions } };
}

function sameCondition(a: PodCondition, b: PodCondition): boolean {
  return a.status === b.status && a.reason === b.reason && a.message === b.message && a.lastTransitionTime === b.lastTransitionTime;
}
