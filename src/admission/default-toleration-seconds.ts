/**
 * The DefaultTolerationSeconds admission plugin, pure: a pod that does not already
 * tolerate node.kubernetes.io/not-ready:NoExecute (or unreachable) gets a toleration
 * for it (operator Exists, tolerationSeconds 300 by default), so the taint manager
 * evicts it five minutes after its node goes away rather than at once. "Already
 * tolerates" is the plugin's own rule, not full toleration matching: any toleration
 * whose key is the taint's or empty and whose effect is NoExecute or empty counts,
 * whatever its operator and value. Only pods are touched (an object whose kind is set and is not Pod is returned as is); the input is never mutated.
 * Kubernetes runs it on pod create and update (not on subresources).
 */
import type { KubeObject } from '../api/object.ts';
import { podsOnly, type AdmissionPlugin } from './plugin.ts';

export const NOT_READY_TAINT_KEY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

export interface DefaultTolerationSecondsOptions {
  /** --default-not-ready-toleration-seconds */
  notReadySeconds?: number;
  /** --default-unreachable-toleration-seconds */
  unreachableSeconds?: number;
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

function tolerates(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
}

export function defaultTolerationSeconds(pod: KubeObject, options: DefaultTolerationSecondsOptions = {}): KubeObject {
  if (pod.kind && pod.kind !== 'Pod') return pod;
  const spec = (pod.spec ?? {}) as { tolerations?: Toleration[] };
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const added: Toleration[] = [];
  if (!tolerates(tolerations, NOT_READY_TAINT_KEY)) {
    added.push({ key: NOT_READY_TAINT_KEY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: options.notReadySeconds ?? DEFAULT_TOLERATION_SECONDS });
  }
  if (!tolerates(tolerations, UNREACHABLE_TAINT_KEY)) {
    added.push({ key: UNREACHABLE_TAINT_KEY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: options.unreachableSeconds ?? DEFAULT_TOLERATION_SECONDS });
  }
  if (added.length === 0) return pod;
  return { ...pod, spec: { ...spec, tolerations: [...tolerations, ...added] } };
}

export const defaultTolerationSecondsPlugin: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  handles: podsOnly(['CREATE', 'UPDATE']),
  admit: (a) => defaultTolerationSeconds(a.object),
};
