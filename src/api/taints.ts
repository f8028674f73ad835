/**
 * Taints and tolerations, pure: the well-known taint keys the node lifecycle controller
 * writes, toleration matching exactly as core/v1 Toleration.ToleratesTaint (an empty
 * effect matches every effect, an empty key every key, operator "" means Equal, an
 * unknown operator matches nothing), and GetMatchingTolerations (every taint must be
 * tolerated; the first toleration that matches each taint is the one used).
 */
import type { KubeObject } from './object.ts';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect | string;
  /** RFC 3339; set on NoExecute taints when they are added. */
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal' | string;
  value?: string;
  effect?: TaintEffect | string;
  tolerationSeconds?: number;
}

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export function nodeTaints(node: KubeObject | undefined): Taint[] {
  return ((node?.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter((t) => !!t && typeof t.key === 'string');
}

export function podTolerations(pod: KubeObject): Toleration[] {
  return (pod.spec as { tolerations?: Toleration[] } | undefined)?.tolerations ?? [];
}

/** Same key and effect: how Kubernetes' taint utilities identify a taint (MatchTaint). */
export function sameTaint(a: Pick<Taint, 'key' | 'effect'>, b: Pick<Taint, 'key' | 'effect'>): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function hasTaint(taints: readonly Taint[], taint: Pick<Taint, 'key' | 'effect'>): boolean {
  return taints.some((t) => sameTaint(t, taint));
}

export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export interface MatchingTolerations {
  allTolerated: boolean;
  /** One per taint, in taint order (empty when not all are tolerated). */
  used: Toleration[];
}

export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): MatchingTolerations {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations.find((t) => toleratesTaint(t, taint));
    if (!match) return { allTolerated: false, used: [] };
    used.push(match);
  }
  return { allTolerated: true, used };
}
