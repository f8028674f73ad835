/**
 * What pod-security-admission says when a namespace's enforce level changes (its
 * EvaluatePodsInNamespace): the new level is never applied to pods already running, but
 * the client is warned which of them it would refuse: `existing pods in namespace "dev"
 * violate the new PodSecurity enforce level "baseline:latest"`, then one warning per
 * distinct set of reasons, `web-1 (and 2 other pods): host namespaces, privileged`, in
 * sorted order. At most MAX_PODS_TO_CHECK pods are checked, as Kubernetes caps the work.
 */
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { evaluatePod } from './checks.ts';
import { levelVersionString, type LevelVersion } from './policy.ts';

export const MAX_PODS_TO_CHECK = 3000;

export function existingPodWarnings(namespace: string, enforce: LevelVersion, pods: readonly KubeObject[]): string[] {
  if (enforce.level === 'privileged') return [];
  const checked = pods.slice(0, MAX_PODS_TO_CHECK);
  const byReasons = new Map<string, { first: string; count: number }>();
  for (const pod of checked) {
    const violations = evaluatePod(enforce.level, { metadata: pod.metadata, spec: isPlainObject(pod.spec) ? pod.spec : {} });
    if (violations.length === 0) continue;
    const reasons = violations.map((v) => v.reason).join(', ');
    const name = pod.metadata.name ?? '';
    const seen = byReasons.get(reasons);
    if (!seen) byReasons.set(reasons, { first: name, count: 1 });
    else {
      seen.count++;
      if (name < seen.first) seen.first = name;
    }
  }
  const warnings: string[] = [];
  if (checked.length < pods.length) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${pods.length} existing pods`);
  if (byReasons.size > 0) warnings.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(enforce)}"`);
  const perReasons = [...byReasons].map(([reasons, { first, count }]) => {
    if (count === 1) return `${first}: ${reasons}`;
    if (count === 2) return `${first} (and 1 other pod): ${reasons}`;
    return `${first} (and ${count - 1} other pods): ${reasons}`;
  });
  return [...warnings, ...perReasons.sort()];
}
