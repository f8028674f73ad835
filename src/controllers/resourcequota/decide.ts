/**
 * The resource quota controller's decision (Kubernetes' syncResourceQuota), pure: given
 * a quota, the objects of its namespace of each kind it counts, and the time, which
 * status should it have? status.hard is spec.hard; status.used is the usage measured
 * now for every hard resource (zero when nothing uses it), computed by the same
 * evaluators the admission charges with, scopes applied. Usage the measurement cannot
 * see (a resource no kind uses up) keeps its last recorded value. Undefined when the
 * stored status already says so: nothing to write.
 */
import type { KubeObject } from '../../api/object.ts';
import { matchesScopes } from '../../admission/resource-quota/check.ts';
import { evaluatorsFor, sumUsage } from '../../admission/resource-quota/evaluators.ts';
import { addLists, equalLists, mask, names, resourceList, toStored, type ResourceList } from '../../admission/resource-quota/resource-list.ts';

export interface QuotaStatus {
  hard: Record<string, string>;
  used: Record<string, string>;
}

/** The objects of one kind (registry key) in the quota's namespace. */
export type ObjectsOf = (resource: string) => readonly KubeObject[];

/** quota.CalculateUsage: the measured usage of every hard resource some kind uses up. */
export function calculateUsage(quota: KubeObject, objectsOf: ObjectsOf, now: Date): ResourceList {
  const hardNames = names(resourceList((quota.spec as { hard?: unknown } | undefined)?.hard));
  let usage: ResourceList = {};
  const measured = new Set<string>();
  for (const evaluator of evaluatorsFor(hardNames)) {
    for (const name of evaluator.matchingResources(hardNames)) measured.add(name);
    const matches = (o: KubeObject) => matchesScopes(quota, evaluator, o, now);
    usage = addLists(usage, sumUsage(evaluator, objectsOf(evaluator.resource), hardNames, matches, now));
  }
  return mask(usage, measured);
}

export function decideQuotaStatus(quota: KubeObject, objectsOf: ObjectsOf, now: Date): QuotaStatus | undefined {
  const status = (quota.status ?? {}) as { hard?: unknown; used?: unknown };
  const hard = resourceList((quota.spec as { hard?: unknown } | undefined)?.hard);
  const previous = resourceList(status.used);
  const used = mask({ ...previous, ...calculateUsage(quota, objectsOf, now) }, names(hard));
  const dirty =
    status.hard === undefined || status.used === undefined || !equalLists(hard, resourceList(status.hard)) || !equalLists(used, previous);
  return dirty ? { hard: toStored(hard), used: toStored(used) } : undefined;
}
