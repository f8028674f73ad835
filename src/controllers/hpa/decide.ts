/**
 * One HPA sync, as reconcileAutoscaler: from the HPA, its target's current replicas, the
 * pods' samples and the history, decide the replicas to write (if any), the status and
 * the history to keep. A target at zero with minReplicas above zero is left alone
 * (scaling disabled); outside [min, max] it is brought inside without metrics; otherwise
 * the CPU utilisation's recommendation is normalised (stabilisation, rate, bounds).
 */
import type { KubeObject } from '../../api/object.ts';
import { normalizeReplicas, recordScale, type Behavior, type Condition, type ScalingHistory } from './normalize.ts';
import { replicasForUtilization, type PodSample } from './replicas.ts';

export interface HpaSpec {
  scaleTargetRef: { apiVersion?: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: Array<{ type: string; resource?: { name: string; target: { type: string; averageUtilization?: number } } }>;
  behavior?: Behavior;
}

export interface HpaCondition extends Condition {
  type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  lastTransitionTime: string;
}

export interface HpaStatus {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas: number;
  desiredReplicas: number;
  currentMetrics?: unknown[];
  conditions: HpaCondition[];
}

export interface DecideInput {
  hpa: KubeObject;
  currentReplicas: number;
  pods: PodSample[];
  now: number;
  history: ScalingHistory;
  downscaleStabilizationMs: number;
  tolerance?: number;
}

export interface Decision {
  /** Replicas to write to the target, when they differ from the current. */
  rescaleTo?: number;
  status: HpaStatus;
  history: ScalingHistory;
}

export function decideHpa(input: DecideInput): Decision {
  const spec = input.hpa.spec as HpaSpec;
  const previous = (input.hpa.status ?? {}) as Partial<HpaStatus>;
  const nowIso = new Date(input.now).toISOString();
  const minReplicas = spec.minReplicas ?? 1;
  const current = input.currentReplicas;
  const set = new Map<HpaCondition['type'], Condition>();
  let desired = current;
  let history = input.history;
  let currentMetrics: unknown[] | undefined;

  set.set('AbleToScale', { status: 'True', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target\'s current scale' });
  if (current === 0 && minReplicas !== 0) {
    set.set('ScalingActive', { status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
    desired = 0;
  } else if (current > spec.maxReplicas) {
    desired = spec.maxReplicas;
  } else if (current < minReplicas) {
    desired = minReplicas;
  } else {
    const target = cpuTarget(spec);
    if (target === undefined) {
      set.set('ScalingActive', { status: 'False', reason: 'FailedGetResourceMetric', message: 'only Resource metrics on cpu with a Utilization target are supported' });
    } else {
      const result = replicasForUtilization({ currentReplicas: current, targetUtilization: target, pods: input.pods, tolerance: input.tolerance });
      if (!result.ok) {
        set.set('ScalingActive', { status: 'False', reason: result.reason, message: result.message });
        currentMetrics = previous.currentMetrics;
      } else {
        set.set('ScalingActive', { status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' });
        currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: result.utilization, averageValue: `${result.averageUsageMillis}m` } } }];
        const normalized = normalizeReplicas({
          now: input.now,
          currentReplicas: current,
          recommended: result.replicas,
          minReplicas,
          maxReplicas: spec.maxReplicas,
          behavior: spec.behavior,
          downscaleStabilizationMs: input.downscaleStabilizationMs,
          history,
        });
        desired = normalized.replicas;
        history = normalized.history;
        set.set('AbleToScale', normalized.ableToScale);
        set.set('ScalingLimited', normalized.scalingLimited);
      }
    }
  }

  const rescale = desired !== current;
  if (rescale) {
    history = recordScale(history, input.now, current, desired, spec.behavior);
    set.set('AbleToScale', { status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
  }
  const status: HpaStatus = {
    ...(input.hpa.metadata.generation !== undefined ? { observedGeneration: input.hpa.metadata.generation } : {}),
    ...(rescale ? { lastScaleTime: nowIso } : previous.lastScaleTime ? { lastScaleTime: previous.lastScaleTime } : {}),
    currentReplicas: current,
    desiredReplicas: desired,
    ...(currentMetrics ? { currentMetrics } : {}),
    conditions: mergeConditions(previous.conditions ?? [], set, nowIso),
  };
  return { ...(rescale ? { rescaleTo: desired } : {}), status, history };
}

function cpuTarget(spec: HpaSpec): number | undefined {
  const metric = (spec.metrics ?? []).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target.type === 'Utilization');
  return metric?.resource?.target.averageUtilization;
}

const ORDER: HpaCondition['type'][] = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];

/** lastTransitionTime moves only when a condition's status changes. */
function mergeConditions(previous: HpaCondition[], next: Map<HpaCondition['type'], Condition>, now: string): HpaCondition[] {
  const out: HpaCondition[] = [];
  for (const type of ORDER) {
    const old = previous.find((c) => c.type === type);
    const cond = next.get(type);
    if (!cond) {
      if (old) out.push(old);
      continue;
    }
    out.push({ type, ...cond, lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : now });
  }
  return out;
}
