/**
 * A StatefulSet's status from its pods (computeReplicaStatus and completeRollingUpdate):
 * replicas counts the pods it has, ready/available those Running and Ready (for
 * minReadySeconds), current/updated the live pods at the current/update revision; once
 * a RollingUpdate has every pod updated and ready, the update revision becomes the
 * current one. Pure.
 */
import type { KubeObject } from '../../api/object.ts';
import { isRunningAndAvailable, isRunningAndReady, isTerminating, podRevision, setSpec } from './identity.ts';

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: unknown[];
  [key: string]: unknown;
}

export function computeStatus(
  set: KubeObject,
  pods: readonly KubeObject[],
  currentRevision: string,
  updateRevision: string,
  collisionCount: number,
  minReadySeconds: number,
  now: number,
): StatefulSetStatus {
  const status: StatefulSetStatus = {
    ...((set.status ?? {}) as Record<string, unknown>),
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision,
    updateRevision,
    collisionCount,
  };
  if (set.metadata.generation !== undefined) status.observedGeneration = set.metadata.generation;
  for (const pod of pods) {
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) status.availableReplicas++;
    }
    if (isTerminating(pod)) continue;
    const revision = podRevision(pod);
    if (revision === currentRevision) status.currentReplicas++;
    if (revision === updateRevision) status.updatedReplicas++;
  }
  const rolling = (setSpec(set).updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = updateRevision;
  }
  return status;
}

const FIELDS = [
  'observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision', 'collisionCount',
] as const;

export function statusChanged(current: StatefulSetStatus, next: StatefulSetStatus): boolean {
  // Kubernetes omits zero counts; an absent count equals 0.
  return FIELDS.some((f) => (current[f] ?? 0) !== (next[f] ?? 0));
}
