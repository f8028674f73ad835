/**
 * A DaemonSet's status (updateDaemonSetStatus): over the nodes that should run its pod,
 * how many do (current), whose oldest pod is ready, available and at the current
 * revision; nodes running one that should not count as misscheduled. observedGeneration
 * moves only when the sync acted on this generation (not while waiting on
 * expectations). Pure.
 */
import type { KubeObject } from '../../api/object.ts';
import { isPodAvailable, isPodReady } from '../replicaset/pods.ts';
import type { Eligibility } from './eligibility.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history/revision.ts';

export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** IsPodUpdated: the revision hash matches, or the template generation does. */
export function isPodUpdated(pod: KubeObject, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return (hash !== '' && labels[CONTROLLER_REVISION_HASH_LABEL] === hash) || (generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation);
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
  [key: string]: unknown;
}

export function daemonSetStatus(
  ds: KubeObject,
  current: DaemonSetStatus,
  nodes: readonly KubeObject[],
  eligibility: ReadonlyMap<string, Eligibility>,
  nodeToPods: ReadonlyMap<string, KubeObject[]>,
  hash: string,
  generation: string | undefined,
  minReadySeconds: number,
  now: number,
  observed: boolean,
): DaemonSetStatus {
  let desired = 0;
  let scheduled = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of nodes) {
    const pods = nodeToPods.get(node.metadata.name!) ?? [];
    if (!eligibility.get(node.metadata.name!)?.shouldRun) {
      if (pods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    scheduled++;
    const oldest = pods[0]!; // sorted scheduled first, then oldest
    if (isPodReady(oldest)) {
      ready++;
      if (isPodAvailable(oldest, minReadySeconds, now)) available++;
    }
    if (isPodUpdated(oldest, hash, generation)) updated++;
  }
  const status: DaemonSetStatus = {
    ...(current as Record<string, unknown>),
    currentNumberScheduled: scheduled,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
  if (observed && ds.metadata.generation !== undefined) status.observedGeneration = ds.metadata.generation;
  return status;
}

const FIELDS = [
  'currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable',
  'numberUnavailable', 'collisionCount',
] as const;

export function statusChanged(current: DaemonSetStatus, next: DaemonSetStatus): boolean {
  return FIELDS.some((f) => (current[f] ?? 0) !== (next[f] ?? 0));
}
