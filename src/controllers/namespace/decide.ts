/**
 * The namespace controller's decision (Kubernetes' namespacedResourcesDeleter), pure:
 * given a namespace, what a sweep of its content found (per resource: what is left and
 * which finalizers hold it; which deletes failed) and the time, which writes move it on?
 *  - not being deleted, or without the `kubernetes` finalizer: nothing;
 *  - content left or a failure: the deletion conditions on its status, then look again;
 *  - nothing left: the conditions, then `kubernetes` removed through namespaces/finalize
 *    (the API server removes the namespace with its last finalizer).
 * Simplified from Kubernetes: no discovery step (the registry is static, so
 * NamespaceDeletionDiscoveryFailure and NamespaceDeletionGroupVersionParsingFailure are
 * always False), and no per-pod grace estimate (a fixed requeue).
 */
import type { KubeObject } from '../../api/object.ts';

export const FINALIZER_KUBERNETES = 'kubernetes';

export interface RemainingContent {
  /** Registry key: "pods", "deployments.apps". */
  resource: string;
  count: number;
  /** Finalizer -> how many of the remaining objects carry it. */
  finalizers: Record<string, number>;
}

export interface Sweep {
  remaining: RemainingContent[];
  /** Failed deletes or lists, as "resource: message". */
  failures: string[];
}

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export type NamespaceAction =
  | { type: 'updateStatus'; status: Record<string, unknown> }
  | { type: 'finalize'; finalizers: string[] };

export interface NamespaceDecision {
  actions: NamespaceAction[];
  requeueAfterMs?: number;
}

export const REQUEUE_WHILE_CONTENT_MS = 1_000;

const specFinalizers = (ns: KubeObject): string[] => ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).slice();

/** Whether the controller must sweep this namespace at all. */
export function needsSweep(ns: KubeObject): boolean {
  return Boolean(ns.metadata.deletionTimestamp) && specFinalizers(ns).includes(FINALIZER_KUBERNETES);
}

export function decideNamespace(ns: KubeObject, sweep: Sweep, now: string): NamespaceDecision {
  if (!needsSweep(ns)) return { actions: [] };
  const actions: NamespaceAction[] = [];
  const status = (ns.status ?? {}) as { phase?: string; conditions?: NamespaceCondition[] };
  const conditions = mergeConditions(status.conditions ?? [], deletionConditions(sweep, now));
  if (status.phase !== 'Terminating' || JSON.stringify(conditions) !== JSON.stringify(status.conditions ?? [])) {
    actions.push({ type: 'updateStatus', status: { ...status, phase: 'Terminating', conditions } });
  }
  const done = sweep.failures.length === 0 && sweep.remaining.every((r) => r.count === 0);
  if (!done) return { actions, requeueAfterMs: REQUEUE_WHILE_CONTENT_MS };
  actions.push({ type: 'finalize', finalizers: specFinalizers(ns).filter((f) => f !== FINALIZER_KUBERNETES) });
  return { actions };
}

/** The five conditions Kubernetes reports on a terminating namespace. */
export function deletionConditions(sweep: Sweep, now: string): NamespaceCondition[] {
  const left = sweep.remaining.filter((r) => r.count > 0);
  const finalizers = new Map<string, number>();
  for (const r of left) for (const [f, n] of Object.entries(r.finalizers)) finalizers.set(f, (finalizers.get(f) ?? 0) + n);
  const c = (type: string, on: boolean, reason: string, message: string): NamespaceCondition => ({
    type,
    status: on ? 'True' : 'False',
    reason,
    message,
    lastTransitionTime: now,
  });
  return [
    c('NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered'),
    c('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    sweep.failures.length > 0
      ? c('NamespaceDeletionContentFailure', true, 'ContentDeletionFailed', `Failed to delete all resource types, ${sweep.failures.length} remaining: ${sweep.failures.join(', ')}`)
      : c('NamespaceDeletionContentFailure', false, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    left.length > 0
      ? c('NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${left.map((r) => `${r.resource} has ${r.count} resource instances`).join(', ')}`)
      : c('NamespaceContentRemaining', false, 'ContentRemoved', 'All content successfully removed'),
    finalizers.size > 0
      ? c(
          'NamespaceFinalizersRemaining',
          true,
          'SomeFinalizersRemain',
          `Some content in the namespace has finalizers remaining: ${[...finalizers].sort().map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`,
        )
      : c('NamespaceFinalizersRemaining', false, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
  ];
}

/** A condition whose status, reason and message did not change keeps its transition time. */
function mergeConditions(old: NamespaceCondition[], wanted: NamespaceCondition[]): NamespaceCondition[] {
  const known = new Set(wanted.map((c) => c.type));
  const kept = old.filter((c) => !known.has(c.type));
  return [
    ...kept,
    ...wanted.map((c) => {
      const before = old.find((o) => o.type === c.type);
      return before && before.status === c.status && before.reason === c.reason && before.message === c.message ? before : c;
    }),
  ];
}

/** What is left of one resource in the namespace, from a list of it. */
export function remainingOf(resource: string, items: KubeObject[]): RemainingContent {
  const finalizers: Record<string, number> = {};
  for (const item of items) for (const f of item.metadata.finalizers ?? []) finalizers[f] = (finalizers[f] ?? 0) + 1;
  return { resource, count: items.length, finalizers };
}
