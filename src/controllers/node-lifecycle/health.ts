/**
 * Node health, pure (Kubernetes' tryUpdateNodeHealth). A node is alive while we have
 * news of its kubelet: its Lease kube-node-lease/<node> renewed, or its Ready condition's
 * lastHeartbeatTime changed. When news arrives is read on OUR clock (probeTimestamp): the
 * kubelet's timestamps are only compared with each other, never with our time, so a
 * skewed kubelet clock cannot make a node look dead or alive.
 *
 * observeNode folds one look at (node, lease) into the health record; decideNodeStatus
 * says whether the grace period ran out and, if so, the node status to write: Ready,
 * MemoryPressure, DiskPressure and PIDPressure turned Unknown (lastHeartbeatTime kept, a
 * new lastTransitionTime), or added as Unknown if the kubelet never posted them. A node
 * that never posted a Ready condition gets the longer startup grace period.
 */
import type { KubeObject } from '../../api/object.ts';

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface NodeHealth {
  /** Our clock (ms) when we last had news of the kubelet. */
  probeTimestamp: number;
  /** The Ready condition's lastHeartbeatTime when we last looked; undefined: no Ready condition then. */
  readyHeartbeat?: string;
  /** The Lease's spec.renewTime when it last moved. */
  leaseRenewTime?: string;
}

export interface HealthTimings {
  /** Without news for this long, a node's conditions turn Unknown (Kubernetes: 40 s). */
  gracePeriodMs: number;
  /** The same for a node that never posted a Ready condition (Kubernetes: 60 s). */
  startupGracePeriodMs: number;
}

export const DEFAULT_HEALTH_TIMINGS: HealthTimings = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000 };

/** The conditions the controller turns Unknown; NetworkUnavailable is the network plugin's. */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export const REASON_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_STATUS_UNKNOWN = 'Kubelet stopped posting node status.';
export const REASON_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const MESSAGE_NEVER_UPDATED = 'Kubelet never posted node status.';

export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function nodeConditions(node: KubeObject): NodeCondition[] {
  return (node.status as { conditions?: NodeCondition[] } | undefined)?.conditions ?? [];
}

export function nodeCondition(node: KubeObject, type: string): NodeCondition | undefined {
  return nodeConditions(node).find((c) => c.type === type);
}

export function leaseRenewTime(lease: KubeObject | undefined): string | undefined {
  const renewTime = (lease?.spec as { renewTime?: unknown } | undefined)?.renewTime;
  return typeof renewTime === 'string' && renewTime !== '' ? renewTime : undefined;
}

/**
 * a is later than b (both written by one kubelet). Within one millisecond the
 * microseconds decide (UTC RFC 3339 strings of one shape sort as text); unparsable
 * times count as "moved" when they differ.
 */
function later(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (!Number.isFinite(ta) || !Number.isFinite(tb)) return a !== b;
  return ta !== tb ? ta > tb : a.length === b.length ? a > b : a !== b;
}

export function observeNode(previous: NodeHealth | undefined, node: KubeObject, lease: KubeObject | undefined, now: number): NodeHealth {
  const ready = nodeCondition(node, 'Ready');
  const heartbeat = ready ? (ready.lastHeartbeatTime ?? '') : undefined;
  let health: NodeHealth;
  if (!previous) {
    // A node that never posted status counts from its creation (the API server's clock), as Kubernetes.
    const created = Date.parse(node.metadata.creationTimestamp ?? '');
    const probeTimestamp = ready || !Number.isFinite(created) ? now : Math.min(created, now);
    health = { probeTimestamp, ...(heartbeat !== undefined ? { readyHeartbeat: heartbeat } : {}) };
  } else if (previous.readyHeartbeat !== heartbeat && (previous.readyHeartbeat !== undefined || heartbeat !== undefined)) {
    health = { ...previous, probeTimestamp: now, readyHeartbeat: heartbeat };
    if (heartbeat === undefined) delete health.readyHeartbeat;
  } else {
    health = { ...previous };
  }
  const renewTime = leaseRenewTime(lease);
  if (renewTime && (health.leaseRenewTime === undefined || later(renewTime, health.leaseRenewTime))) {
    health.leaseRenewTime = renewTime;
    health.probeTimestamp = now;
  }
  return health;
}

export interface StatusDecision {
  /** The grace period ran out: no news for longer than it. */
  expired: boolean;
  /** The conditions to write with a status update; absent when nothing must be written. */
  conditions?: NodeCondition[];
  /** When the grace period runs out (our clock), if it has not yet. */
  expiresAt?: number;
}

export function decideNodeStatus(node: KubeObject, health: NodeHealth, now: number, timings: HealthTimings = DEFAULT_HEALTH_TIMINGS): StatusDecision {
  const ready = nodeCondition(node, 'Ready');
  const grace = ready ? timings.gracePeriodMs : timings.startupGracePeriodMs;
  const expiresAt = health.probeTimestamp + grace;
  if (now <= expiresAt) return { expired: false, expiresAt };

  const at = rfc3339(now);
  const conditions = nodeConditions(node).map((c) => ({ ...c }));
  for (const type of MONITORED_CONDITIONS) {
    const current = conditions.find((c) => c.type === type);
    if (!current) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: REASON_NEVER_UPDATED,
        message: MESSAGE_NEVER_UPDATED,
        ...(node.metadata.creationTimestamp ? { lastHeartbeatTime: node.metadata.creationTimestamp } : {}),
        lastTransitionTime: at,
      });
    } else if (current.status !== 'Unknown') {
      Object.assign(current, { status: 'Unknown', reason: REASON_STATUS_UNKNOWN, message: MESSAGE_STATUS_UNKNOWN, lastTransitionTime: at });
    }
  }
  // As Kubernetes: written only when the Ready condition itself changes.
  const after = conditions.find((c) => c.type === 'Ready')!;
  const changed = !ready || ready.status !== after.status || ready.reason !== after.reason || ready.message !== after.message;
  return changed ? { expired: true, conditions } : { expired: true };
}
