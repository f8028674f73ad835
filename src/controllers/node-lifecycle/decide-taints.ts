/**
 * Which taints a node's conditions call for, pure (Kubernetes' doNoScheduleTaintingPass
 * and the NoExecute half of processTaintBaseEviction, without the per-zone rate limit):
 *  - NoSchedule: Ready False -> not-ready, Ready Unknown -> unreachable, MemoryPressure /
 *    DiskPressure / PIDPressure / NetworkUnavailable True -> the matching pressure taint,
 *    spec.unschedulable -> unschedulable;
 *  - NoExecute: Ready False -> not-ready, Ready Unknown -> unreachable (the two are
 *    swapped, never both), Ready True -> neither; a node without a Ready condition keeps
 *    whatever NoExecute taints it has. An added NoExecute taint carries timeAdded (when
 *    the eviction clock of the pods tolerating it starts).
 * Taints the controller does not manage are kept as they are, in place; managed ones
 * already present are kept with their timeAdded. The answer is the whole new taint list,
 * or undefined when it would not change.
 */
import type { KubeObject } from '../../api/object.ts';
import { nodeCondition, nodeConditions, rfc3339 } from './health.ts';
import {
  hasTaint,
  nodeTaints,
  sameTaint,
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  type Taint,
} from './taints.ts';

/** Condition type -> condition status -> the NoSchedule taint key it calls for. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};

const NO_SCHEDULE_KEYS = new Set([TAINT_UNSCHEDULABLE, ...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m))]);
const NO_EXECUTE_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

export function isManagedTaint(taint: Pick<Taint, 'key' | 'effect'>): boolean {
  return (taint.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(taint.key)) || (taint.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(taint.key));
}

/** The managed taints the node should carry (timeAdded not yet set). */
export function wantedTaints(node: KubeObject): Taint[] {
  const wanted: Taint[] = [];
  for (const condition of nodeConditions(node)) {
    const key = CONDITION_TAINTS[condition.type]?.[condition.status];
    if (key) wanted.push({ key, effect: 'NoSchedule' });
  }
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) wanted.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = nodeCondition(node, 'Ready');
  if (ready?.status === 'False') wanted.push({ key: TAINT_NOT_READY, effect: 'NoExecute' });
  else if (ready?.status === 'Unknown') wanted.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  return wanted.filter((t, i) => wanted.findIndex((u) => sameTaint(t, u)) === i);
}

/**
 * evictionsStopped: every node is down at once (Kubernetes' "master disruption mode",
 * more likely the control plane's network than every kubelet): no NoExecute taint is
 * added and the controller's are removed, so nothing is evicted.
 */
export function decideNodeTaints(node: KubeObject, now: number, evictionsStopped = false): Taint[] | undefined {
  const current = nodeTaints(node);
  const wanted = wantedTaints(node).filter((t) => !evictionsStopped || t.effect !== 'NoExecute');
  const hasReady = !!nodeCondition(node, 'Ready');
  // Without a Ready condition the NoExecute taints are left alone.
  const decides = (t: Taint) => isManagedTaint(t) && (t.effect !== 'NoExecute' || hasReady || evictionsStopped);
  const kept = current.filter((t) => !decides(t) || hasTaint(wanted, t));
  // A duplicate (key, effect) is invalid on a Node: keep only the first.
  const deduplicated = kept.filter((t, i) => kept.findIndex((u) => sameTaint(t, u)) === i);
  const added = wanted
    .filter((t) => !hasTaint(deduplicated, t))
    .map((t) => (t.effect === 'NoExecute' ? { ...t, timeAdded: rfc3339(now) } : t));
  if (added.length === 0 && deduplicated.length === current.length) return undefined;
  return [...deduplicated, ...added];
}
