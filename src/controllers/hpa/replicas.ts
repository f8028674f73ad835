/**
 * How many replicas the CPU utilisation asks for, as kube-controller-manager's
 * ReplicaCalculator.GetResourceReplicas does: usage over requests of the pods that have
 * metrics, against the target utilisation, with a tolerance (10%) inside which nothing
 * changes; pods without metrics count as at their request when scaling down and as idle
 * when scaling up, not-yet-ready pods as idle when scaling up, and a change of direction
 * that those assumptions cause cancels the scale. Pure: the controller gathers the input.
 */
export interface PodSample {
  name: string;
  /** Sum of the containers' CPU requests in millicores; undefined when a container has none. */
  requestMillis: number | undefined;
  /** CPU usage in millicores, when metrics.k8s.io reported the pod. */
  usageMillis?: number;
  ready: boolean;
  /** Deleted or Failed pods are left out entirely, as Kubernetes does. */
  ignored?: boolean;
}

export interface UtilizationInput {
  currentReplicas: number;
  targetUtilization: number;
  pods: PodSample[];
  tolerance?: number;
}

export type UtilizationResult =
  | { ok: true; replicas: number; utilization: number; rawUtilization: number; averageUsageMillis: number }
  | { ok: false; reason: 'FailedGetResourceMetric'; message: string };

export const DEFAULT_TOLERANCE = 0.1;

export function replicasForUtilization(input: UtilizationInput): UtilizationResult {
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE;
  const pods = input.pods.filter((p) => !p.ignored);
  if (pods.length === 0) return { ok: false, reason: 'FailedGetResourceMetric', message: 'invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: no pods returned by selector while calculating replica count' };
  const measured = pods.filter((p) => p.usageMillis !== undefined);
  if (measured.length === 0) return { ok: false, reason: 'FailedGetResourceMetric', message: 'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API' };
  const missingRequest = pods.find((p) => p.requestMillis === undefined || p.requestMillis <= 0);
  if (missingRequest) return { ok: false, reason: 'FailedGetResourceMetric', message: `failed to get cpu utilization: missing request for cpu in container of Pod ${missingRequest.name}` };

  const ready = measured.filter((p) => p.ready);
  const unready = pods.filter((p) => !p.ready && p.usageMillis !== undefined);
  const missing = pods.filter((p) => p.usageMillis === undefined);
  // Kubernetes computes the ratio over the ready pods with metrics (unready ones are set aside).
  const basis = ready.length > 0 ? ready : measured;
  const usage = sum(basis.map((p) => p.usageMillis!));
  const requests = sum(basis.map((p) => p.requestMillis!));
  const rawUtilization = Math.round((usage * 100) / requests);
  const usageRatio = (usage * 100) / requests / input.targetUtilization;
  const averageUsageMillis = Math.round(usage / basis.length);
  const done = (replicas: number) => ({ ok: true as const, replicas, utilization: rawUtilization, rawUtilization, averageUsageMillis });

  const scaleUpWithUnready = unready.length > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1 - usageRatio) <= tolerance) return done(input.currentReplicas);
    return done(Math.ceil(usageRatio * basis.length));
  }

  // Fill in what is unknown in the direction that damps the change.
  let adjustedUsage = usage;
  let adjustedRequests = requests;
  for (const p of missing) {
    adjustedRequests += p.requestMillis!;
    if (usageRatio < 1) adjustedUsage += p.requestMillis!; // scale down: assume at their request
  }
  if (scaleUpWithUnready) for (const p of unready) adjustedRequests += p.requestMillis!; // assume idle
  const newRatio = (adjustedUsage * 100) / adjustedRequests / input.targetUtilization;
  if (Math.abs(1 - newRatio) <= tolerance || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1)) return done(input.currentReplicas);
  const counted = basis.length + missing.length + (scaleUpWithUnready ? unready.length : 0);
  const replicas = Math.ceil(newRatio * counted);
  // A scale against the raw direction is never taken.
  if ((newRatio < 1 && replicas > input.currentReplicas) || (newRatio > 1 && replicas < input.currentReplicas)) return done(input.currentReplicas);
  return done(replicas);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
