/**
 * Probe results, as kubelet's prober workers count them: a result flips only after
 * successThreshold consecutive successes or failureThreshold consecutive failures.
 * Readiness starts as failure, liveness as success, startup as unknown (kubelet's
 * initial values). Pure; the probe runs themselves are probes.ts.
 */

export type ProbeKind = 'startup' | 'liveness' | 'readiness';
export type ProbeResult = 'success' | 'failure' | 'unknown';

export interface ProbeThresholds {
  successThreshold: number;
  failureThreshold: number;
}

export interface ProbeTracker {
  result: ProbeResult;
  consecutiveSuccesses: number;
  consecutiveFailures: number;
  /** The message of the newest failed run (for the Unhealthy event and the kill reason). */
  lastMessage?: string;
}

export const INITIAL_RESULT: Record<ProbeKind, ProbeResult> = { startup: 'unknown', liveness: 'success', readiness: 'failure' };

export function newTracker(kind: ProbeKind): ProbeTracker {
  return { result: INITIAL_RESULT[kind], consecutiveSuccesses: 0, consecutiveFailures: 0 };
}

export function observeProbe(tracker: ProbeTracker, ok: boolean, thresholds: ProbeThresholds, message?: string): ProbeTracker {
  if (ok) {
    const successes = tracker.consecutiveSuccesses + 1;
    const result = successes >= Math.max(1, thresholds.successThreshold) ? 'success' : tracker.result;
    return { result, consecutiveSuccesses: successes, consecutiveFailures: 0 };
  }
  const failures = tracker.consecutiveFailures + 1;
  const result = failures >= Math.max(1, thresholds.failureThreshold) ? 'failure' : tracker.result;
  return { result, consecutiveSuccesses: 0, consecutiveFailures: failures, ...(message !== undefined ? { lastMessage: message } : {}) };
}
