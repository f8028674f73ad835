import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { decideHpa } from '../../src/controllers/hpa/decide.ts';
import { emptyHistory, normalizeReplicas, recordScale } from '../../src/controllers/hpa/normalize.ts';
import { podSample } from '../../src/controllers/hpa/pod-samples.ts';
import { replicasForUtilization, type PodSample } from '../../src/controllers/hpa/replicas.ts';

const pod = (name: string, usageMillis: number | undefined, opts: Partial<PodSample> = {}): PodSample => ({ name, requestMillis: 100, usageMillis, ready: true, ...opts });

describe('replicasForUtilization', () => {
  it('scales by the ratio of utilisation to target, rounding up', () => {
    const r = replicasForUtilization({ currentReplicas: 2, targetUtilization: 50, pods: [pod('a', 100), pod('b', 100)] });
    assert.deepEqual(r.ok && [r.replicas, r.utilization], [4, 100]);
  });
  it('changes nothing within the 10% tolerance', () => {
    const r = replicasForUtilization({ currentReplicas: 2, targetUtilization: 50, pods: [pod('a', 54), pod('b', 54)] });
    assert.equal(r.ok && r.replicas, 2);
    const out = replicasForUtilization({ currentReplicas: 2, targetUtilization: 50, pods: [pod('a', 56), pod('b', 56)] });
    assert.equal(out.ok && out.replicas, 3);
  });
  it('scales down with pods missing metrics counted at their request, and cancels when that reverses the direction', () => {
    const down = replicasForUtilization({ currentReplicas: 4, targetUtilization: 50, pods: [pod('a', 10), pod('b', 10), pod('c', 10), pod('d', undefined)] });
    // (10+10+10+100)/400 = 32.5% -> ratio 0.65 -> ceil(0.65*4) = 3
    assert.equal(down.ok && down.replicas, 3);
    const cancelled = replicasForUtilization({ currentReplicas: 2, targetUtilization: 50, pods: [pod('a', 40), pod('b', undefined)] });
    // raw 40% < 50 says down; with b at its request (140/200 = 70%) it says up: nothing changes
    assert.equal(cancelled.ok && cancelled.replicas, 2);
  });
  it('counts unready pods as idle when scaling up', () => {
    const r = replicasForUtilization({ currentReplicas: 2, targetUtilization: 50, pods: [pod('a', 200), pod('b', 300, { ready: false })] });
    // 200/(100+100) = 200% -> ratio 4 over ready; with b idle: 200/200 -> ratio 2 -> ceil(2*2) = 4
    assert.equal(r.ok && r.replicas, 4);
  });
  it('fails without requests or without any metrics', () => {
    const noRequest = replicasForUtilization({ currentReplicas: 1, targetUtilization: 50, pods: [pod('a', 10, { requestMillis: undefined })] });
    assert.equal(noRequest.ok, false);
    assert.match(!noRequest.ok ? noRequest.message : '', /missing request for cpu/);
    const noMetrics = replicasForUtilization({ currentReplicas: 1, targetUtilization: 50, pods: [pod('a', undefined)] });
    assert.equal(noMetrics.ok, false);
  });
  it('leaves out deleted and failed pods', () => {
    const r = replicasForUtilization({ currentReplicas: 2, targetUtilization: 50, pods: [pod('a', 100), pod('b', undefined, { ignored: true })] });
    assert.equal(r.ok && r.replicas, 2);
  });
});

describe('normalizeReplicas', () => {
  const base = { currentReplicas: 2, minReplicas: 1, maxReplicas: 10, downscaleStabilizationMs: 300_000, history: emptyHistory() };
  it('without behaviour: a scale down waits for the highest recommendation of the window', () => {
    const first = normalizeReplicas({ ...base, now: 0, recommended: 4 });
    assert.equal(first.replicas, 4);
    const later = normalizeReplicas({ ...base, currentReplicas: 4, now: 60_000, recommended: 1, history: first.history });
    assert.equal(later.replicas, 4);
    assert.equal(later.ableToScale.reason, 'ScaleDownStabilized');
    const afterWindow = normalizeReplicas({ ...base, currentReplicas: 4, now: 301_000, recommended: 1, history: later.history });
    assert.equal(afterWindow.replicas, 1);
  });
  it('without behaviour: scale up at most to max(2x, 4), and to maxReplicas', () => {
    const limited = normalizeReplicas({ ...base, currentReplicas: 3, now: 0, recommended: 9 });
    assert.deepEqual([limited.replicas, limited.scalingLimited.status, limited.scalingLimited.reason], [6, 'True', 'ScaleUpLimit']);
    const max = normalizeReplicas({ ...base, currentReplicas: 3, maxReplicas: 5, now: 0, recommended: 9 });
    assert.deepEqual([max.replicas, max.scalingLimited.reason], [5, 'TooManyReplicas']);
    const min = normalizeReplicas({ ...base, currentReplicas: 3, minReplicas: 2, downscaleStabilizationMs: 0, now: 0, recommended: 1 });
    assert.deepEqual([min.replicas, min.scalingLimited.reason], [2, 'TooFewReplicas']);
    const within = normalizeReplicas({ ...base, now: 0, recommended: 3 });
    assert.deepEqual([within.replicas, within.scalingLimited.status, within.scalingLimited.reason], [3, 'False', 'DesiredWithinRange']);
  });
  it('with behaviour: the up window takes the lowest recent recommendation', () => {
    const behavior = { scaleUp: { stabilizationWindowSeconds: 60 }, scaleDown: { stabilizationWindowSeconds: 0 } };
    const first = normalizeReplicas({ ...base, behavior, now: 0, recommended: 3 });
    assert.equal(first.replicas, 3);
    const second = normalizeReplicas({ ...base, currentReplicas: 3, behavior, now: 10_000, recommended: 8, history: first.history });
    assert.deepEqual([second.replicas, second.ableToScale.reason], [3, 'ScaleUpStabilized']);
  });
  it('with behaviour: policies bound the rate over their period, counting recent scale events', () => {
    const behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }] } };
    const first = normalizeReplicas({ ...base, behavior, now: 0, recommended: 9 });
    assert.deepEqual([first.replicas, first.scalingLimited.reason], [4, 'ScaleUpLimit']);
    const history = recordScale(first.history, 0, 2, 4, behavior);
    const soon = normalizeReplicas({ ...base, currentReplicas: 4, behavior, now: 30_000, recommended: 9, history });
    assert.equal(soon.replicas, 4, 'the period already added 2');
    const later = normalizeReplicas({ ...base, currentReplicas: 4, behavior, now: 61_000, recommended: 9, history });
    assert.equal(later.replicas, 6);
    const disabled = normalizeReplicas({ ...base, behavior: { scaleDown: { selectPolicy: 'Disabled' } }, now: 0, currentReplicas: 5, recommended: 1 });
    assert.equal(disabled.replicas, 5);
  });
});

const hpa = (spec: Record<string, unknown> = {}, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default', generation: 1 },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }], ...spec },
  ...(status ? { status } : {}),
});

describe('decideHpa', () => {
  const input = { now: Date.parse('2026-01-01T00:00:00Z'), history: emptyHistory(), downscaleStabilizationMs: 300_000 };
  it('scales up under load and says why in the status', () => {
    const d = decideHpa({ ...input, hpa: hpa(), currentReplicas: 1, pods: [pod('a', 100)] });
    assert.equal(d.rescaleTo, 2);
    assert.equal(d.status.desiredReplicas, 2);
    assert.equal(d.status.currentReplicas, 1);
    assert.equal(d.status.lastScaleTime, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(d.status.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '100m' } } }]);
    const byType = Object.fromEntries(d.status.conditions.map((c) => [c.type, c.reason]));
    assert.deepEqual(byType, { AbleToScale: 'SucceededRescale', ScalingActive: 'ValidMetricFound', ScalingLimited: 'DesiredWithinRange' });
  });
  it('does not touch a target scaled to zero', () => {
    const d = decideHpa({ ...input, hpa: hpa(), currentReplicas: 0, pods: [] });
    assert.equal(d.rescaleTo, undefined);
    assert.equal(d.status.conditions.find((c) => c.type === 'ScalingActive')?.reason, 'ScalingDisabled');
  });
  it('brings a target above max down to max without metrics', () => {
    const d = decideHpa({ ...input, hpa: hpa(), currentReplicas: 9, pods: [] });
    assert.equal(d.rescaleTo, 5);
  });
  it('reports a metrics failure as ScalingActive False and keeps the replicas', () => {
    const d = decideHpa({ ...input, hpa: hpa(), currentReplicas: 2, pods: [pod('a', undefined), pod('b', undefined)] });
    assert.equal(d.rescaleTo, undefined);
    const active = d.status.conditions.find((c) => c.type === 'ScalingActive');
    assert.deepEqual([active?.status, active?.reason], ['False', 'FailedGetResourceMetric']);
  });
  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = decideHpa({ ...input, hpa: hpa(), currentReplicas: 2, pods: [pod('a', 50), pod('b', 50)] });
    const again = decideHpa({ ...input, now: input.now + 15_000, hpa: hpa({}, first.status as unknown as Record<string, unknown>), currentReplicas: 2, pods: [pod('a', 50), pod('b', 50)], history: first.history });
    assert.deepEqual(again.status.conditions, first.status.conditions);
  });
});

describe('podSample', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const running = (startTime: string, readySince: string, status = 'True'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }, { name: 'd', resources: { requests: { cpu: '0.2' } } }] },
    status: { phase: 'Running', startTime, conditions: [{ type: 'Ready', status, lastTransitionTime: readySince }] },
  });
  it('sums the requests and marks a long-running ready pod ready', () => {
    const s = podSample(running('2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z'), { usageMillis: 30, timestamp: now, windowMs: 10_000 }, now);
    assert.deepEqual(s, { name: 'p', requestMillis: 300, usageMillis: 30, ready: true });
  });
  it('in its first 5 minutes, a pod whose sample began before it was Ready is unready', () => {
    const s = podSample(running('2026-01-01T00:09:00Z', '2026-01-01T00:09:55Z'), { usageMillis: 30, timestamp: now, windowMs: 10_000 }, now);
    assert.equal(s.ready, false);
  });
  it('ignores a deleting pod, and has no usage without metrics', () => {
    const deleting = running('2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z');
    deleting.metadata.deletionTimestamp = '2026-01-01T00:09:00Z';
    assert.equal(podSample(deleting, undefined, now).ignored, true);
    assert.equal(podSample(running('2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z'), undefined, now).usageMillis, undefined);
  });
});
