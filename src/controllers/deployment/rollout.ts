/**
 * The rollout steps over a Plan, as Kubernetes' rolling.go, recreate.go and sync.go:
 *  - rolling: scale the new RS up within maxSurge; else scale old ones down within
 *    maxUnavailable (unhealthy replicas first); once complete, clean up history;
 *  - recreate: old RSs to 0, wait until none of their pods is left, then the new RS;
 *  - scale (paused or a replica-count change): the one active RS takes the new size, or
 *    every active RS gets its share of the difference, proportionally;
 *  - cleanup: beyond revisionHistoryLimit, delete idle old RSs, lowest revision first.
 * Pure.
 */
import type { KubeObject } from '../../api/object.ts';
import { controllerRef } from '../runtime/owner.ts';
import type { Plan } from './plan.ts';
import {
  activeOnly, byCreation, byRevision, bySizeNewer, bySizeOlder, deploymentSpec, DESIRED_REPLICAS, desiredReplicas, isRollingUpdate, MAX_REPLICAS,
  maxSurge, maxUnavailable, replicasOf, rsStatus, sumOf,
} from './util.ts';

/** NewRSNewReplicas: Recreate wants all at once; RollingUpdate up to replicas + maxSurge in total. */
export function newRSNewReplicas(plan: Plan, newRS: KubeObject): number {
  const { d } = plan;
  if (!isRollingUpdate(d)) return desiredReplicas(d);
  const all = [...plan.oldRSs(), newRS];
  const current = sumOf(all, replicasOf);
  const maxTotal = desiredReplicas(d) + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, desiredReplicas(d) - replicasOf(newRS));
}

export function rolloutRolling(plan: Plan): void {
  const newRS = plan.newRS() ?? plan.createNewRS(newRSNewReplicas);
  if (!newRS) return;
  if (reconcileNewReplicaSet(plan, newRS)) return;
  if (reconcileOldReplicaSets(plan, plan.newRS()!)) return;
  cleanupIfComplete(plan);
}

function reconcileNewReplicaSet(plan: Plan, newRS: KubeObject): boolean {
  const wanted = desiredReplicas(plan.d);
  if (replicasOf(newRS) === wanted) return false;
  if (replicasOf(newRS) > wanted) return plan.scale(newRS, wanted);
  return plan.scale(newRS, newRSNewReplicas(plan, newRS));
}

function reconcileOldReplicaSets(plan: Plan, newRS: KubeObject): boolean {
  const { d } = plan;
  if (sumOf(plan.oldRSs(), replicasOf) === 0) return false;
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (rsStatus(newRS).availableReplicas ?? 0);
  const maxScaledDown = sumOf(plan.all(), replicasOf) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;

  // Unhealthy replicas of old RSs go first: removing them costs no availability.
  let cleaned = 0;
  for (const rs of activeOnly(plan.oldRSs()).sort(byCreation)) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = replicasOf(rs) - (rsStatus(rs).availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const count = Math.min(maxScaledDown - cleaned, unhealthy);
    plan.scale(rs, replicasOf(rs) - count);
    cleaned += count;
  }

  const available = sumOf(plan.all(), (rs) => rsStatus(rs).availableReplicas);
  let scaledDown = 0;
  if (available > minAvailable) {
    const target = available - minAvailable;
    for (const rs of activeOnly(plan.oldRSs()).sort(byCreation)) {
      if (scaledDown >= target) break;
      const count = Math.min(replicasOf(rs), target - scaledDown);
      plan.scale(rs, replicasOf(rs) - count);
      scaledDown += count;
    }
  }
  return cleaned + scaledDown > 0;
}

export function rolloutRecreate(plan: Plan, pods: readonly KubeObject[]): void {
  let scaledDown = false;
  for (const rs of activeOnly(plan.oldRSs())) scaledDown = plan.scale(rs, 0) || scaledDown;
  if (scaledDown || oldPodsRunning(plan, pods)) return;
  const newRS = plan.newRS() ?? plan.createNewRS(newRSNewReplicas);
  if (!newRS) return;
  if (replicasOf(newRS) !== desiredReplicas(plan.d)) plan.scale(newRS, desiredReplicas(plan.d));
  cleanupIfComplete(plan);
}

/** Any pod of an old RS not yet terminated (or any the RS status still counts). */
function oldPodsRunning(plan: Plan, pods: readonly KubeObject[]): boolean {
  const old = plan.oldRSs();
  if (sumOf(old, (rs) => rsStatus(rs).replicas) > 0) return true;
  const oldUids = new Set(old.map((rs) => rs.metadata.uid));
  return pods.some((pod) => {
    const ref = controllerRef(pod);
    if (!ref || !oldUids.has(ref.uid)) return false;
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    return phase !== 'Failed' && phase !== 'Succeeded';
  });
}

/** isScalingEvent: an active RS was sized for a different replica count. */
export function isScalingEvent(plan: Plan): boolean {
  return activeOnly(plan.all()).some((rs) => {
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
    return desired !== undefined && Number(desired) !== desiredReplicas(plan.d);
  });
}

/** Kubernetes' scale(): a replica-count change while paused or mid-rollout. */
export function scale(plan: Plan): void {
  const { d } = plan;
  const wanted = desiredReplicas(d);
  const newRS = plan.newRS();
  const activeOrLatest = findActiveOrLatest(newRS, plan.oldRSs());
  if (activeOrLatest) {
    // Also when only its desired-replicas annotation is stale (Kubernetes returns early
    // there and the Deployment then reads as a scaling event forever: kubernetes#138036).
    // plan.scale writes nothing when neither the size nor the annotations change.
    plan.scale(activeOrLatest, wanted);
    return;
  }
  if (newRS && isSaturated(d, newRS)) {
    for (const rs of activeOnly(plan.oldRSs())) plan.scale(rs, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const active = activeOnly(plan.all());
  const allowed = wanted > 0 ? wanted + maxSurge(d) : 0;
  const toAdd = allowed - sumOf(active, replicasOf);
  // No active RS (paused before its first one was created): nothing to share the change.
  // With toAdd 0 the sizes stay but the annotations must still move to the new count,
  // or the Deployment reads as a scaling event forever and never rolls again.
  if (active.length === 0) return;
  active.sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of active) {
    const share = proportion(plan, rs, toAdd, added);
    sizes.set(rs.metadata.name!, replicasOf(rs) + share);
    added += share;
  }
  const first = active[0]!.metadata.name!;
  sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  for (const rs of active) plan.scale(rs, sizes.get(rs.metadata.name!)!);
}

function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeOnly(newRS ? [...newestFirst, newRS] : newestFirst);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

function isSaturated(d: KubeObject, rs: KubeObject): boolean {
  const n = desiredReplicas(d);
  return replicasOf(rs) === n && Number(rs.metadata.annotations?.[DESIRED_REPLICAS]) === n && (rsStatus(rs).availableReplicas ?? 0) === n;
}

/** GetProportion: this RS's share of the change, by its size against the size it was scaled for. */
function proportion(plan: Plan, rs: KubeObject, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const { d } = plan;
  let fraction: number;
  if (desiredReplicas(d) === 0) fraction = -replicasOf(rs);
  else {
    const annotated = Number.parseInt(rs.metadata.annotations?.[MAX_REPLICAS] ?? '', 10);
    const base = Number.isFinite(annotated) ? annotated : ((d.status as { replicas?: number } | undefined)?.replicas ?? 0);
    fraction = base === 0 ? 0 : Math.round((replicasOf(rs) * (desiredReplicas(d) + maxSurge(d))) / base) - replicasOf(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function cleanupIfComplete(plan: Plan): void {
  const s = (plan.d.status ?? {}) as { updatedReplicas?: number; replicas?: number; availableReplicas?: number; observedGeneration?: number };
  const n = desiredReplicas(plan.d);
  const complete = s.updatedReplicas === n && s.replicas === n && s.availableReplicas === n && (s.observedGeneration ?? 0) >= (plan.d.metadata.generation ?? 0);
  if (complete) cleanupHistory(plan);
}

/** cleanupDeployment: old, idle RSs beyond revisionHistoryLimit go, lowest revision first. */
export function cleanupHistory(plan: Plan): void {
  const limit = deploymentSpec(plan.d).revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = plan.oldRSs().filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - limit;
  for (const rs of cleanable.slice(0, Math.max(0, diff))) {
    const st = rsStatus(rs);
    if ((st.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (st.observedGeneration ?? 0)) continue;
    plan.delete(rs);
  }
}
