/**
 * Leader election by a coordination.k8s.io/v1 Lease, as client-go's leaderelection
 * decides it, pure (time comes in as an argument):
 *  - no Lease: create it, holding it;
 *  - held by us: renew (renewTime now);
 *  - free (no holder) or expired: take it (acquireTime now, leaseTransitions + 1);
 *  - held by another and not expired: wait.
 * Expiry is judged as client-go judges it, against our own clock: a record is expired
 * once it has not changed for leaseDuration since we first observed it, so the holder's
 * clock never matters. Every write the decision asks for is pinned to the resourceVersion
 * it was computed from (a lost race is a 409, that is: not leading this round).
 */
import type { KubeObject } from '../../api/object.ts';

export interface LeaderElectionTiming {
  /** How long a lease is valid without renewal (Kubernetes: 15 s). */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it steps down (Kubernetes: 10 s). */
  renewDeadlineMs: number;
  /** The pause between tries, to acquire or to renew (Kubernetes: 2 s). */
  retryPeriodMs: number;
}

export const DEFAULT_TIMING: LeaderElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaseKey {
  namespace: string;
  name: string;
}

/** "namespace/name", as logs name a Lease. */
export const leaseName = (key: LeaseKey): string => `${key.namespace}/${key.name}`;

export const CONTROLLER_MANAGER_LEASE: LeaseKey = { namespace: 'kube-system', name: 'kube-controller-manager' };

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** The lease record as we last saw it change, and when (our clock). */
export interface Observation {
  resourceVersion: string;
  at: number;
  /** The Lease as this candidate last wrote it: a leader renews from it without reading first. */
  written?: KubeObject;
}

/** A leader's renewal from its own last write (client-go's fast path); undefined when we do not hold it. */
export function decideOptimisticRenew(identity: string, timing: LeaderElectionTiming, key: LeaseKey, observed: Observation | undefined, now: number): KubeObject | undefined {
  const written = observed?.written;
  if (!written || leaseSpec(written).holderIdentity !== identity) return undefined;
  const decision = decideAcquireOrRenew(identity, timing, key, written, observed, now);
  return decision.type === 'update' ? decision.lease : undefined;
}

export type LeaseDecision =
  | { type: 'create'; lease: KubeObject }
  | { type: 'update'; lease: KubeObject }
  | { type: 'held'; holder: string; observed: Observation };

export const leaseSpec = (lease: KubeObject): LeaseSpec => (lease.spec ?? {}) as LeaseSpec;

/** RFC 3339 with microseconds, as a MicroTime. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

export function decideAcquireOrRenew(
  identity: string,
  timing: LeaderElectionTiming,
  key: LeaseKey,
  current: KubeObject | undefined,
  observed: Observation | undefined,
  now: number,
): LeaseDecision {
  const durationSeconds = Math.max(1, Math.ceil(timing.leaseDurationMs / 1000));
  if (!current) {
    const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
    return { type: 'create', lease: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: key.name, namespace: key.namespace }, spec } };
  }
  const spec = leaseSpec(current);
  const resourceVersion = current.metadata.resourceVersion ?? '';
  const seen = observed?.resourceVersion === resourceVersion ? observed : { resourceVersion, at: now };
  const holder = spec.holderIdentity ?? '';
  const held = holder !== '' && holder !== identity;
  const expired = seen.at + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 <= now;
  if (held && !expired) return { type: 'held', holder, observed: seen };

  const next: LeaseSpec = { ...spec, holderIdentity: identity, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) };
  if (holder !== identity) {
    next.acquireTime = microTime(now);
    next.leaseTransitions = (spec.leaseTransitions ?? 0) + (holder === '' ? 0 : 1);
  }
  return { type: 'update', lease: { ...current, spec: next } };
}

/** On a clean stop the holder gives the lease up at once, so a successor need not wait it out. */
export function decideRelease(identity: string, current: KubeObject | undefined, now: number): KubeObject | undefined {
  if (!current || leaseSpec(current).holderIdentity !== identity) return undefined;
  const spec: LeaseSpec = { ...leaseSpec(current), holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(now), renewTime: microTime(now) };
  return { ...current, spec };
}
