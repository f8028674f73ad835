/**
 * The node lifecycle controller's decision for one node, pure (Kubernetes'
 * monitorNodeHealth for one node): fold in what we see of its kubelet (node status and
 * Lease), then
 *  1. status: after the grace period without news, the monitored conditions turn
 *     Unknown (a pinned status update);
 *  2. taints: the condition taints the (possibly just updated) node calls for (a pinned
 *     update of the Node);
 *  3. pods: on a node we declared unreachable, every pod's Ready condition turns False.
 * It runs again every monitor period, and sooner when the grace period would run out.
 * With evictionsStopped (every node down at once, see disruption.ts) step 2 adds no
 * NoExecute taint and removes the controller's.
 * Imports nothing from xstate, nats or pino, so it can be re-run over a recorded log.
 */
import type { KubeObject } from '../../api/object.ts';
import { decideNodeTaints } from './decide-taints.ts';
import { podsToMarkNotReady } from './decide-pods.ts';
import { decideNodeStatus, nodeCondition, observeNode, type HealthTimings, type NodeCondition, type NodeHealth } from './health.ts';
import type { Taint } from './taints.ts';

export interface NodeLifecycleTimings extends HealthTimings {
  /** How often each node is looked at without news (Kubernetes: 5 s). */
  monitorPeriodMs: number;
}

export const DEFAULT_NODE_LIFECYCLE_TIMINGS: NodeLifecycleTimings = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000, monitorPeriodMs: 5_000 };

export interface NodeLifecycleInput {
  node: KubeObject;
  lease?: KubeObject;
  /** The node's pods, asked for only when the node is unreachable. */
  podsOnNode: () => readonly KubeObject[];
  /** The health record from the previous look; undefined the first time (or after a restart). */
  previous?: NodeHealth;
  now: number;
  timings?: NodeLifecycleTimings;
  /**
   * Whether, with this node as it is after the status write, every node is down at once:
   * then add no NoExecute taint and take the controller's away.
   */
  evictionsStopped?: (nodeAfterStatus: KubeObject) => boolean;
}

export interface NodeLifecycleDecision {
  health: NodeHealth;
  /** Conditions to write with a status update pinned to the node's resourceVersion. */
  statusConditions?: NodeCondition[];
  /** We turned a Ready node Unknown: record NodeNotReady on the node. */
  becameNotReady: boolean;
  /** The node's new taint list, written with an update pinned to the node as it is after the status write. */
  taints?: Taint[];
  /** Pods whose Ready condition turns False (status updates pinned to each pod's resourceVersion). */
  podsNotReady: KubeObject[];
  requeueAfterMs: number;
}

export function decideNodeLifecycle(input: NodeLifecycleInput): NodeLifecycleDecision {
  const timings = input.timings ?? DEFAULT_NODE_LIFECYCLE_TIMINGS;
  const { node, now } = input;
  const health = observeNode(input.previous, node, input.lease, now);
  const status = decideNodeStatus(node, health, now, timings);
  const after = status.conditions ? withConditions(node, status.conditions) : node;
  const becameNotReady = !!status.conditions && nodeCondition(node, 'Ready')?.status === 'True' && nodeCondition(after, 'Ready')?.status !== 'True';
  const taints = decideNodeTaints(after, now, input.evictionsStopped?.(after) ?? false);
  const untilExpiry = status.expiresAt === undefined ? timings.monitorPeriodMs : status.expiresAt - now + 1;
  return {
    health,
    ...(status.conditions ? { statusConditions: status.conditions } : {}),
    becameNotReady,
    ...(taints ? { taints } : {}),
    podsNotReady: podsToMarkNotReady(after, input.podsOnNode, now),
    requeueAfterMs: Math.max(1, Math.min(timings.monitorPeriodMs, untilExpiry)),
  };
}

export function withConditions(node: KubeObject, conditions: NodeCondition[]): KubeObject {
  return { ...node, status: { ...((node.status ?? {}) as object), conditions } };
}

export function withTaints(node: KubeObject, taints: Taint[]): KubeObject {
  const spec = { ...((node.spec ?? {}) as Record<string, unknown>) };
  if (taints.length > 0) spec.taints = taints;
  else delete spec.taints;
  return { ...node, spec };
}
