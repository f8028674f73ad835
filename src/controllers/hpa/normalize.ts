/**
 * From the metric's recommendation to the replicas written, as the HPA controller's
 * normalizeDesiredReplicas (no spec.behavior) and normalizeDesiredReplicasWithBehaviors
 * do: stabilise over the recent recommendations (scale down to the highest of the
 * down window, scale up to the lowest of the up window), then bound by min/max and by
 * the scale rate (without behaviour: at most max(2x, 4); with it: the policies over the
 * scale events of their periods). Pure over an explicit history the controller keeps.
 */
export interface Recommendation {
  at: number;
  replicas: number;
}

export interface ScaleEvent {
  at: number;
  change: number;
}

export interface ScalingHistory {
  recommendations: Recommendation[];
  scaleUps: ScaleEvent[];
  scaleDowns: ScaleEvent[];
}

export const emptyHistory = (): ScalingHistory => ({ recommendations: [], scaleUps: [], scaleDowns: [] });

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

/** Kubernetes' defaults for a behaviour the user wrote in part. */
export const DEFAULT_SCALE_UP: Required<ScalingRules> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
export const DEFAULT_SCALE_DOWN_POLICIES: ScalingPolicy[] = [{ type: 'Percent', value: 100, periodSeconds: 15 }];

export interface Condition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface NormalizeInput {
  now: number;
  currentReplicas: number;
  /** The metric's recommendation. */
  recommended: number;
  minReplicas: number;
  maxReplicas: number;
  behavior?: Behavior;
  /** The controller's --horizontal-pod-autoscaler-downscale-stabilization (default 300 s). */
  downscaleStabilizationMs: number;
  history: ScalingHistory;
}

export interface NormalizeResult {
  replicas: number;
  history: ScalingHistory;
  ableToScale: Condition;
  scalingLimited: Condition;
}

const WITHIN_RANGE = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const READY = { status: 'True' as const, reason: 'ReadyForNewScale', message: 'recommended size matches current size' };

export function normalizeReplicas(input: NormalizeInput): NormalizeResult {
  return input.behavior ? withBehavior(input, input.behavior) : withoutBehavior(input);
}

function withoutBehavior(input: NormalizeInput): NormalizeResult {
  const cutoff = input.now - input.downscaleStabilizationMs;
  let stabilized = input.recommended;
  for (const r of input.history.recommendations) if (r.at > cutoff) stabilized = Math.max(stabilized, r.replicas);
  const recommendations = [...input.history.recommendations.filter((r) => r.at > cutoff), { at: input.now, replicas: input.recommended }];
  const ableToScale =
    stabilized !== input.recommended
      ? { status: 'True' as const, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
      : READY;
  const scaleUpLimit = Math.max(2 * input.currentReplicas, 4);
  const [maximum, limitReason, limitMessage] =
    input.maxReplicas > scaleUpLimit
      ? [scaleUpLimit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
      : [input.maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
  let replicas = stabilized;
  let limited = WITHIN_RANGE;
  if (stabilized < input.minReplicas) {
    replicas = input.minReplicas;
    limited = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  } else if (stabilized > maximum) {
    replicas = maximum;
    limited = { reason: limitReason, message: limitMessage };
  }
  return {
    replicas,
    history: { ...input.history, recommendations },
    ableToScale,
    scalingLimited: { status: replicas === stabilized ? 'False' : 'True', ...limited },
  };
}

function withBehavior(input: NormalizeInput, behavior: Behavior): NormalizeResult {
  const up = { ...DEFAULT_SCALE_UP, ...behavior.scaleUp };
  const down: Required<ScalingRules> = {
    stabilizationWindowSeconds: input.downscaleStabilizationMs / 1000,
    selectPolicy: 'Max',
    policies: DEFAULT_SCALE_DOWN_POLICIES,
    ...behavior.scaleDown,
  };
  const upCutoff = input.now - up.stabilizationWindowSeconds * 1000;
  const downCutoff = input.now - down.stabilizationWindowSeconds * 1000;
  let upRecommendation = input.recommended;
  let downRecommendation = input.recommended;
  for (const r of input.history.recommendations) {
    if (r.at > upCutoff) upRecommendation = Math.min(upRecommendation, r.replicas);
    if (r.at > downCutoff) downRecommendation = Math.max(downRecommendation, r.replicas);
  }
  const stabilized = Math.min(Math.max(input.currentReplicas, upRecommendation), downRecommendation);
  const oldest = Math.min(upCutoff, downCutoff);
  const recommendations = [...input.history.recommendations.filter((r) => r.at > oldest), { at: input.now, replicas: input.recommended }];
  const ableToScale =
    stabilized === input.recommended
      ? READY
      : input.recommended >= input.currentReplicas
        ? { status: 'True' as const, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
        : { status: 'True' as const, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };

  let replicas = stabilized;
  let limited = WITHIN_RANGE;
  const { scaleUps, scaleDowns } = input.history;
  if (stabilized > input.currentReplicas) {
    const rateLimit = Math.max(input.currentReplicas, scaleUpLimit(input.currentReplicas, scaleUps, scaleDowns, up, input.now));
    const [maximum, reason, message] =
      input.maxReplicas > rateLimit
        ? [rateLimit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
        : [input.maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    if (stabilized > maximum) [replicas, limited] = [maximum, { reason, message }];
  } else if (stabilized < input.currentReplicas) {
    const rateLimit = Math.min(input.currentReplicas, scaleDownLimit(input.currentReplicas, scaleUps, scaleDowns, down, input.now));
    const [minimum, reason, message] =
      input.minReplicas < rateLimit
        ? [rateLimit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
        : [input.minReplicas, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    if (stabilized < minimum) [replicas, limited] = [minimum, { reason, message }];
  }
  return {
    replicas,
    history: { ...input.history, recommendations },
    ableToScale,
    scalingLimited: { status: replicas === stabilized ? 'False' : 'True', ...limited },
  };
}

function changeInPeriod(events: ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.at > cutoff).reduce((sum, e) => sum + e.change, 0);
}

function scaleUpLimit(current: number, ups: ScaleEvent[], downs: ScaleEvent[], rules: Required<ScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const policy of rules.policies) {
    const periodStart = current - changeInPeriod(ups, policy.periodSeconds, now) + changeInPeriod(downs, policy.periodSeconds, now);
    const proposed = policy.type === 'Pods' ? periodStart + policy.value : Math.ceil(periodStart * (1 + policy.value / 100));
    result = pick(result, proposed);
  }
  return Number.isFinite(result) ? result : current;
}

function scaleDownLimit(current: number, ups: ScaleEvent[], downs: ScaleEvent[], rules: Required<ScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const policy of rules.policies) {
    const periodStart = current - changeInPeriod(ups, policy.periodSeconds, now) + changeInPeriod(downs, policy.periodSeconds, now);
    const proposed = policy.type === 'Pods' ? periodStart - policy.value : Math.trunc(periodStart * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return Number.isFinite(result) ? result : current;
}

/** The history after a rescale from current to replicas (events older than the longest period dropped). */
export function recordScale(history: ScalingHistory, now: number, from: number, to: number, behavior?: Behavior): ScalingHistory {
  const longest = (rules?: ScalingRules, fallback = 15) => Math.max(fallback, ...(rules?.policies ?? []).map((p) => p.periodSeconds)) * 1000;
  const keepUps = history.scaleUps.filter((e) => e.at > now - longest(behavior?.scaleUp));
  const keepDowns = history.scaleDowns.filter((e) => e.at > now - longest(behavior?.scaleDown));
  if (to > from) return { ...history, scaleUps: [...keepUps, { at: now, change: to - from }], scaleDowns: keepDowns };
  if (to < from) return { ...history, scaleUps: keepUps, scaleDowns: [...keepDowns, { at: now, change: from - to }] };
  return { ...history, scaleUps: keepUps, scaleDowns: keepDowns };
}
