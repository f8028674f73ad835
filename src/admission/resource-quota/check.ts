/**
 * Kubernetes' quota CheckRequest, pure: given the namespace's quotas (as stored, with the
 * status the controller and earlier admissions wrote) and one request, either the
 * refusal's reason or the quotas whose status.used the request raises, with the new
 * usage. Only status.hard counts (what the controller has seen of spec.hard): a quota
 * the controller has not yet initialised limits nothing, and one whose used lacks a
 * tracked resource refuses until it is computed ("status unknown"). An update is charged
 * only what it adds (a claim grown by 1Gi costs 1Gi); an update that adds nothing, like
 * anything that costs nothing, changes no quota.
 */
import type { KubeObject } from '../../api/object.ts';
import type { AdmissionOperation } from '../plugin.ts';
import type { Evaluator, ScopeRequirement } from './evaluators.ts';
import {
  addLists,
  equalLists,
  lessThanOrEqual,
  mask,
  names,
  negativeNames,
  prettyPrint,
  removeZeros,
  resourceList,
  subtractNonNegative,
  type ResourceList,
} from './resource-list.ts';

export interface QuotaRequest {
  operation: AdmissionOperation;
  object: KubeObject;
  oldObject?: KubeObject;
  now: Date;
}

export interface QuotaCharge {
  quota: KubeObject;
  /** The whole new status.used. */
  used: ResourceList;
}

export type QuotaCheck = { ok: true; charges: QuotaCharge[] } | { ok: false; reason: string };

/** spec.scopes (each as Exists) and spec.scopeSelector's expressions. */
export function scopeRequirementsOf(quota: KubeObject): ScopeRequirement[] {
  const spec = (quota.spec ?? {}) as { scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeRequirement[] } };
  return [
    ...(spec.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' })),
    ...(spec.scopeSelector?.matchExpressions ?? []),
  ];
}

export const statusHard = (quota: KubeObject) => resourceList((quota.status as { hard?: unknown } | undefined)?.hard);
export const statusUsed = (quota: KubeObject) => resourceList((quota.status as { used?: unknown } | undefined)?.used);

/** Whether every scope of the quota matches the object (no scope: all match). */
export function matchesScopes(quota: KubeObject, evaluator: Evaluator, object: KubeObject, now: Date): boolean {
  return scopeRequirementsOf(quota).every((scope) => evaluator.matchesScope(scope, object, now));
}

/** The quota tracks something of this kind and its scopes take the object. */
export function quotaMatches(quota: KubeObject, evaluator: Evaluator, object: KubeObject, now: Date): boolean {
  return evaluator.matchingResources(names(statusHard(quota))).length > 0 && matchesScopes(quota, evaluator, object, now);
}

const byName = (a: KubeObject, b: KubeObject) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1);

export function checkRequest(quotas: readonly KubeObject[], evaluator: Evaluator, request: QuotaRequest): QuotaCheck {
  if (!evaluator.handles(request.operation)) return { ok: true, charges: [] };
  const { object, now } = request;
  const interesting: KubeObject[] = [];
  for (const quota of [...quotas].sort(byName)) {
    if (!quotaMatches(quota, evaluator, object, now)) continue;
    const name = quota.metadata.name ?? '';
    const hard = statusHard(quota);
    const restricted = evaluator.matchingResources(names(hard));
    const failed = evaluator.constraints?.(restricted, object);
    if (failed) return { ok: false, reason: `failed quota: ${name}: ${failed}` };
    const used = statusUsed(quota);
    const unknown = restricted.filter((r) => !(r in used));
    if (unknown.length > 0) return { ok: false, reason: `status unknown for quota: ${name}, resources: ${[...restricted].sort().join(',')}` };
    interesting.push(quota);
  }
  if (interesting.length === 0) return { ok: true, charges: [] };

  let delta = evaluator.usage(object, now);
  const negative = negativeNames(delta);
  if (negative.length > 0) return { ok: false, reason: `quota usage is negative for resource(s): ${negative.join(',')}` };
  if (request.operation === 'UPDATE' && request.oldObject?.metadata.resourceVersion) {
    delta = subtractNonNegative(delta, evaluator.usage(request.oldObject, now));
  }
  delta = removeZeros(delta);
  if (Object.keys(delta).length === 0) return { ok: true, charges: [] };

  const charges: QuotaCharge[] = [];
  for (const quota of interesting) {
    const hard = statusHard(quota);
    const used = statusUsed(quota);
    const requested = mask(delta, names(hard));
    const newUsage = addLists(used, requested);
    const { allowed, exceeded } = lessThanOrEqual(mask(newUsage, names(requested)), hard);
    if (!allowed) {
      return {
        ok: false,
        reason: `exceeded quota: ${quota.metadata.name ?? ''}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
      };
    }
    if (!equalLists(newUsage, used)) charges.push({ quota, used: newUsage });
  }
  return { ok: true, charges };
}
