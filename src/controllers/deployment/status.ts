/**
 * The Deployment's status and conditions, as Kubernetes' calculateStatus,
 * SetDeploymentCondition and the progress checks (DeploymentComplete,
 * DeploymentProgressing, DeploymentTimedOut). Times are RFC 3339 seconds, from `now`. Pure.
 */
import type { KubeObject } from '../../api/object.ts';
import { canonicalJson } from './hash.ts';
import { deploymentSpec, desiredReplicas, maxUnavailable, replicasOf, rsStatus, sumOf } from './util.ts';

export interface DeploymentCondition {
  type: 'Available' | 'Progressing' | 'ReplicaFailure';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: DeploymentCondition[];
}

export const REASON = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function newCondition(type: DeploymentCondition['type'], status: DeploymentCondition['status'], reason: string, message: string, now: number): DeploymentCondition {
  const at = rfc3339(now);
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

export function getCondition(status: DeploymentStatus, type: DeploymentCondition['type']): DeploymentCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: same status and reason is no change; same status keeps the transition time. */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: DeploymentCondition['type']): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
}

export function hasProgressDeadline(d: KubeObject): boolean {
  const s = deploymentSpec(d).progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

/** calculateStatus: counts over all ReplicaSets, and the Available condition. */
export function calculateStatus(d: KubeObject, base: DeploymentStatus, allRSs: KubeObject[], newRS: KubeObject | undefined, now: number): DeploymentStatus {
  const available = sumOf(allRSs, (rs) => rsStatus(rs).availableReplicas);
  const total = sumOf(allRSs, replicasOf);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sumOf(allRSs, (rs) => rsStatus(rs).replicas),
    updatedReplicas: newRS ? (rsStatus(newRS).replicas ?? 0) : 0,
    readyReplicas: sumOf(allRSs, (rs) => rsStatus(rs).readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    collisionCount: base.collisionCount,
    conditions: [...(base.conditions ?? [])],
  };
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', REASON.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', REASON.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** getReplicaFailures: the first ReplicaFailure of its ReplicaSets (the new one first), as a Deployment condition. */
export function replicaFailureCondition(allRSs: readonly KubeObject[], newRS: KubeObject | undefined): DeploymentCondition | undefined {
  const ordered = newRS ? [newRS, ...allRSs.filter((rs) => rs.metadata.name !== newRS.metadata.name)] : allRSs;
  for (const rs of ordered) {
    const conditions = (rs.status as { conditions?: Partial<DeploymentCondition>[] } | undefined)?.conditions ?? [];
    const c = conditions.find((x) => x.type === 'ReplicaFailure');
    if (!c) continue;
    const at = c.lastTransitionTime;
    return { type: 'ReplicaFailure', status: c.status ?? 'True', reason: c.reason ?? '', message: c.message ?? '', lastUpdateTime: at, lastTransitionTime: at };
  }
  return undefined;
}

export function deploymentComplete(d: KubeObject, s: DeploymentStatus): boolean {
  const n = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Progress: more updated, fewer old, more ready or more available pods than before. */
export function deploymentProgressing(d: KubeObject, next: DeploymentStatus): boolean {
  const old = (d.status ?? {}) as DeploymentStatus;
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** When the Progressing condition's last update is older than the deadline (ms until then, or 0 when past). */
export function msUntilDeadline(d: KubeObject, status: DeploymentStatus, now: number): number | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const cond = getCondition(status, 'Progressing');
  if (!cond || cond.reason === REASON.NewReplicaSetAvailable || cond.reason === REASON.ProgressDeadlineExceeded) return undefined;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return undefined;
  return Math.max(0, from + deploymentSpec(d).progressDeadlineSeconds! * 1000 - now);
}

export function deploymentTimedOut(d: KubeObject, status: DeploymentStatus, now: number): boolean {
  const cond = getCondition(status, 'Progressing');
  if (cond?.reason === REASON.ProgressDeadlineExceeded) return true;
  const left = msUntilDeadline(d, status, now);
  return left !== undefined && left === 0 && Date.parse(cond!.lastUpdateTime!) + deploymentSpec(d).progressDeadlineSeconds! * 1000 < now;
}

/** Kubernetes omits zero counts and empty lists: compare (and write) the status that way. */
export function normalizeStatus(status: DeploymentStatus): DeploymentStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(status)) {
    if (v === undefined || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as DeploymentStatus;
}

export function statusEqual(a: DeploymentStatus, b: DeploymentStatus): boolean {
  return canonicalJson(normalizeStatus(a)) === canonicalJson(normalizeStatus(b));
}
