/**
 * What a delete does to an object, as Kubernetes' registry decides it (rest.BeforeDelete
 * and the store's graceful deletion and finalizer handling), and when a marked object
 * may finally be removed.
 *
 * - The propagation policy sets the `orphan` / `foregroundDeletion` finalizers.
 * - A scheduled, running Pod is deleted gracefully: marked with a deletionTimestamp in
 *   the future and a grace period, removed when its kubelet deletes it again with 0.
 * - A Namespace turns Terminating and stays while spec.finalizers remain.
 * - Any object with finalizers is marked (deletionTimestamp now, grace 0) and removed by
 *   the update that takes its last finalizer away.
 * - Otherwise the object is removed at once.
 */
import { deepCopy } from './json.ts';
import { isPlainObject, type KubeObject } from './object.ts';
import type { ResourceType } from './resource-type.ts';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteContext {
  /** RFC 3339. */
  now: string;
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
}

export type DeleteDecision = { action: 'remove' } | { action: 'mark'; object: KubeObject };

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Kinds whose dependents are orphaned when no policy is given: batch/v1 Jobs keep their pods. */
const ORPHAN_BY_DEFAULT = new Set(['jobs.batch']);

/** RFC 3339 at second precision, `seconds` after `now`. */
function later(now: string, seconds: number): string {
  const time = Date.parse(now) + seconds * 1000;
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return now;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The finalizers after the propagation policy is applied (deletionFinalizersForGarbageCollection). */
function finalizersFor(rt: ResourceType, finalizers: readonly string[], policy: PropagationPolicy | undefined): string[] {
  let orphan: boolean;
  let foreground: boolean;
  if (policy) {
    orphan = policy === 'Orphan';
    foreground = policy === 'Foreground';
  } else {
    // Without a policy, a finalizer already present keeps deciding; then the kind's default.
    const first = finalizers.find((f) => f === FINALIZER_ORPHAN || f === FINALIZER_FOREGROUND);
    orphan = first === FINALIZER_ORPHAN || (first === undefined && ORPHAN_BY_DEFAULT.has(rt.key));
    foreground = first === FINALIZER_FOREGROUND;
  }
  const kept = finalizers.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (orphan) kept.push(FINALIZER_ORPHAN);
  if (foreground) kept.push(FINALIZER_FOREGROUND);
  return kept;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

function specFinalizers(object: KubeObject): unknown[] {
  const spec = object.spec;
  return isPlainObject(spec) && Array.isArray(spec.finalizers) ? spec.finalizers : [];
}

/** The grace period a Pod gets (CheckGracefulDelete): unscheduled or finished pods get none. */
function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const status = isPlainObject(pod.status) ? pod.status : {};
  let period = requested ?? (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 0);
  if (!spec.nodeName) period = 0;
  if (status.phase === 'Failed' || status.phase === 'Succeeded') period = 0;
  return period < 0 ? 1 : period;
}

export function prepareDelete(rt: ResourceType, current: KubeObject, ctx: DeleteContext): DeleteDecision {
  const meta = current.metadata;
  const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers : [];
  const wanted = finalizersFor(rt, finalizers, ctx.propagationPolicy);
  const finalizersChange = !sameSet(wanted, finalizers);
  const isPod = rt.key === 'pods';
  const isNamespace = rt.key === 'namespaces';
  // A negative grace period means 1s, as in Kubernetes.
  const requestedGrace = ctx.gracePeriodSeconds === undefined ? undefined : ctx.gracePeriodSeconds < 0 ? 1 : ctx.gracePeriodSeconds;

  if (meta.deletionTimestamp) {
    const grace = typeof meta.deletionGracePeriodSeconds === 'number' ? meta.deletionGracePeriodSeconds : 0;
    // Only a shorter grace period may be asked for, and only while one is pending.
    const shorten = isPod && grace > 0 && requestedGrace !== undefined && requestedGrace < grace;
    const newGrace = shorten ? requestedGrace : grace;
    if (newGrace === 0 && wanted.length === 0 && !(isNamespace && specFinalizers(current).length > 0)) return { action: 'remove' };
    if (!shorten && !finalizersChange) return { action: 'mark', object: current };
    const object = deepCopy(current);
    if (shorten) {
      object.metadata.deletionTimestamp = later(later(meta.deletionTimestamp, -grace), newGrace);
      object.metadata.deletionGracePeriodSeconds = newGrace;
    }
    if (finalizersChange) object.metadata.finalizers = wanted;
    return { action: 'mark', object };
  }

  const object = deepCopy(current);
  if (wanted.length > 0 || finalizersChange) object.metadata.finalizers = wanted;
  if (wanted.length === 0) delete object.metadata.finalizers;
  const bumpGeneration = () => {
    if (rt.hasGeneration && typeof meta.generation === 'number' && meta.generation > 0) object.metadata.generation = meta.generation + 1;
  };

  if (isNamespace) {
    if (specFinalizers(current).length === 0 && wanted.length === 0) return { action: 'remove' };
    object.metadata.deletionTimestamp = ctx.now;
    object.status = { ...(isPlainObject(current.status) ? current.status : {}), phase: 'Terminating' };
    if (specFinalizers(current).length === 0) object.metadata.deletionGracePeriodSeconds = 0;
    return { action: 'mark', object };
  }
  if (isPod) {
    const grace = podGracePeriod(current, requestedGrace);
    if (grace > 0) {
      object.metadata.deletionTimestamp = later(ctx.now, grace);
      object.metadata.deletionGracePeriodSeconds = grace;
      bumpGeneration();
      return { action: 'mark', object };
    }
  }
  if (wanted.length === 0) return { action: 'remove' };
  object.metadata.deletionTimestamp = ctx.now;
  object.metadata.deletionGracePeriodSeconds = 0;
  bumpGeneration();
  return { action: 'mark', object };
}

/**
 * Whether a marked object is done: no finalizers left, no grace period still running
 * (a Pod waits for its kubelet), and for a Namespace no spec.finalizers either.
 */
export function isReadyToRemove(rt: ResourceType, obj: KubeObject): boolean {
  const meta = obj.metadata;
  if (!meta?.deletionTimestamp) return false;
  if (Array.isArray(meta.finalizers) && meta.finalizers.length > 0) return false;
  if (typeof meta.deletionGracePeriodSeconds === 'number' && meta.deletionGracePeriodSeconds > 0) return false;
  return rt.key !== 'namespaces' || specFinalizers(obj).length === 0;
}
