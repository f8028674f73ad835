/**
 * The pod garbage collector's decision, pure (Kubernetes' podgc gc()): which pods to
 * force-delete (grace period 0) in one sweep.
 *  - terminated: pods in phase Succeeded or Failed beyond terminatedPodGCThreshold,
 *    evicted ones first, then oldest first (threshold <= 0: never);
 *  - terminating on an out-of-service node: pods being deleted on a node that is not
 *    Ready and carries the node.kubernetes.io/out-of-service taint (no kubelet will
 *    finish them);
 *  - orphaned: pods bound to a node that no longer exists. A node missing from the cache
 *    is quarantined first (40 s: the cache may simply be behind), then the controller
 *    confirms with a live read that it is gone before orphanedPods names the pods;
 *  - unscheduled terminating: pods being deleted that were never bound (no kubelet
 *    will ever confirm the deletion).
 * A pod not yet terminal is marked Failed before it goes (orphans also get the
 * DisruptionTarget condition), as Kubernetes does, so whoever watches sees how it ended.
 */
import type { KubeObject } from '../../api/object.ts';
import { nodeCondition } from '../node-lifecycle/health.ts';
import { nodeTaints, TAINT_OUT_OF_SERVICE } from '../node-lifecycle/taints.ts';

export interface PodGcOptions {
  /** Terminated pods kept before the oldest are deleted (Kubernetes: 12500; <= 0 turns it off). */
  terminatedPodThreshold: number;
  /** How long a node must be missing from the cache before it is checked for real (Kubernetes: 40 s). */
  quarantineMs: number;
}

export const DEFAULT_POD_GC_OPTIONS: PodGcOptions = { terminatedPodThreshold: 12_500, quarantineMs: 40_000 };

export type PodGcReason = 'terminated' | 'terminatingOutOfService' | 'orphaned' | 'unscheduledTerminating';

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface PodGcDelete {
  pod: KubeObject;
  reason: PodGcReason;
  /** Set phase Failed (with this condition, if any) before deleting: the pod is not terminal yet. */
  markFailed: boolean;
  condition?: PodCondition;
}

export const ORPHAN_CONDITION: PodCondition = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByPodGC',
  message: 'PodGC: node no longer exists',
};

export interface PodGcDecision {
  deletes: PodGcDelete[];
  /** Nodes missing from the cache for longer than the quarantine: confirm they are gone, then orphanedPods. */
  nodesToVerify: string[];
  /** Missing node -> when we first missed it (our clock); the caller keeps it for the next sweep. */
  quarantine: Map<string, number>;
  /** The earliest a quarantine runs out, if one is pending. */
  nextQuarantineEndsInMs?: number;
}

const phase = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase;
const nodeNameOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';

export function isPodTerminated(pod: KubeObject): boolean {
  const p = phase(pod);
  return p === 'Succeeded' || p === 'Failed';
}

const isEvicted = (pod: KubeObject) => phase(pod) === 'Failed' && (pod.status as { reason?: string } | undefined)?.reason === 'Evicted';
const created = (pod: KubeObject) => Date.parse(pod.metadata.creationTimestamp ?? '') || 0;

/** byEvictionAndCreationTimestamp: evicted first, then oldest first, then by name for a stable order. */
export function byEvictionAndAge(a: KubeObject, b: KubeObject): number {
  const evicted = Number(isEvicted(b)) - Number(isEvicted(a));
  if (evicted) return evicted;
  const age = created(a) - created(b);
  if (age) return age;
  return `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);
}

const toDelete = (pod: KubeObject, reason: PodGcReason, condition?: PodCondition): PodGcDelete => ({
  pod,
  reason,
  markFailed: !isPodTerminated(pod),
  ...(condition && !isPodTerminated(pod) ? { condition } : {}),
});

export function decidePodGc(
  pods: readonly KubeObject[],
  nodes: ReadonlyMap<string, KubeObject>,
  quarantine: ReadonlyMap<string, number>,
  now: number,
  options: PodGcOptions = DEFAULT_POD_GC_OPTIONS,
): PodGcDecision {
  const deletes: PodGcDelete[] = [];
  const chosen = new Set<KubeObject>();
  const take = (d: PodGcDelete) => {
    if (chosen.has(d.pod)) return;
    chosen.add(d.pod);
    deletes.push(d);
  };

  // One pass over every pod: four took ~1 s of the controller manager's one core per
  // sweep at 82,000 pods. The deletes keep Kubernetes' order: terminated, out of service,
  // then unscheduled terminating pods.
  const terminated: KubeObject[] = [];
  const outOfService: KubeObject[] = [];
  const unscheduledTerminating: KubeObject[] = [];
  const nextQuarantine = new Map<string, number>();
  for (const pod of pods) {
    if (options.terminatedPodThreshold > 0 && isPodTerminated(pod)) terminated.push(pod);
    const name = nodeNameOf(pod);
    if (pod.metadata.deletionTimestamp) {
      const node = name ? nodes.get(name) : undefined;
      if (!name) unscheduledTerminating.push(pod);
      else if (node && nodeCondition(node, 'Ready')?.status !== 'True' && nodeTaints(node).some((t) => t.key === TAINT_OUT_OF_SERVICE)) outOfService.push(pod);
    }
    if (name && !nodes.has(name) && !nextQuarantine.has(name)) nextQuarantine.set(name, quarantine.get(name) ?? now);
  }
  const excess = terminated.length - options.terminatedPodThreshold;
  if (options.terminatedPodThreshold > 0 && excess > 0) for (const pod of terminated.sort(byEvictionAndAge).slice(0, excess)) take(toDelete(pod, 'terminated'));
  for (const pod of outOfService.sort(byEvictionAndAge)) take(toDelete(pod, 'terminatingOutOfService'));
  for (const pod of unscheduledTerminating) take(toDelete(pod, 'unscheduledTerminating'));

  const nodesToVerify: string[] = [];
  let nextQuarantineEndsInMs: number | undefined;
  for (const [name, since] of nextQuarantine) {
    const left = since + options.quarantineMs - now;
    if (left <= 0) nodesToVerify.push(name);
    else nextQuarantineEndsInMs = Math.min(nextQuarantineEndsInMs ?? Infinity, left);
  }

  return { deletes, nodesToVerify: nodesToVerify.sort(), quarantine: nextQuarantine, ...(nextQuarantineEndsInMs !== undefined ? { nextQuarantineEndsInMs } : {}) };
}

/** The pods bound to nodes confirmed gone (gcOrphaned's second half). */
export function orphanedPods(pods: readonly KubeObject[], deletedNodes: ReadonlySet<string>): PodGcDelete[] {
  return pods.filter((pod) => deletedNodes.has(nodeNameOf(pod))).map((pod) => toDelete(pod, 'orphaned', ORPHAN_CONDITION));
}
