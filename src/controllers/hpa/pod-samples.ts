/**
 * The HPA's view of a target's pods for CPU, as the replica calculator groups them:
 * Failed or deleting pods are ignored; a pod without metrics is missing; a pod counts as
 * unready when it is not Ready or, in its first 5 minutes, when its sample began before it
 * turned Ready (the sample would mix start-up CPU in), or when it never was Ready.
 */
import type { KubeObject } from '../../api/object.ts';
import { podCondition } from '../../api/pod-conditions.ts';
import { quantityToMillis } from '../../api/quantity.ts';
import type { PodSample } from './replicas.ts';

export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
export const DELAY_OF_INITIAL_READINESS_STATUS_MS = 30_000;

interface ContainerSpec {
  resources?: { requests?: Record<string, string | number> };
}

/** Sum of the containers' CPU requests in millicores; undefined when one has none. */
export function cpuRequestMillis(pod: KubeObject): number | undefined {
  const containers = ((pod.spec as { containers?: ContainerSpec[] } | undefined)?.containers ?? []);
  let total = 0;
  for (const c of containers) {
    const request = c.resources?.requests?.cpu;
    const millis = request === undefined ? undefined : quantityToMillis(request);
    if (millis === undefined) return undefined;
    total += millis;
  }
  return containers.length > 0 ? total : undefined;
}

export interface PodMetricsView {
  usageMillis: number;
  timestamp: number;
  windowMs: number;
}

/** A metrics.k8s.io PodMetrics as CPU millicores over its window. */
export function podMetricsView(metrics: KubeObject): PodMetricsView | undefined {
  const m = metrics as KubeObject & { timestamp?: string; window?: string; containers?: Array<{ usage?: { cpu?: string } }> };
  let usage = 0;
  for (const c of m.containers ?? []) {
    const millis = c.usage?.cpu === undefined ? undefined : quantityToMillis(c.usage.cpu);
    if (millis === undefined) return undefined;
    usage += millis;
  }
  return { usageMillis: usage, timestamp: m.timestamp ? Date.parse(m.timestamp) : 0, windowMs: parseWindowMs(m.window) };
}

function parseWindowMs(window: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(window ?? '');
  return match ? Number(match[1]) * 1000 : 0;
}

export function podSample(pod: KubeObject, metrics: PodMetricsView | undefined, now: number): PodSample {
  const name = pod.metadata.name ?? '';
  const phase = (pod.status as { phase?: string; startTime?: string } | undefined)?.phase;
  const sample: PodSample = { name, requestMillis: cpuRequestMillis(pod), ready: false };
  if (pod.metadata.deletionTimestamp || phase === 'Failed') return { ...sample, ignored: true };
  if (!metrics) return sample;
  return { ...sample, usageMillis: metrics.usageMillis, ready: isReadyForCpu(pod, metrics, now) };
}

function isReadyForCpu(pod: KubeObject, metrics: PodMetricsView, now: number): boolean {
  const startTime = (pod.status as { startTime?: string } | undefined)?.startTime;
  const ready = podCondition(pod, 'Ready');
  if (!startTime || !ready) return false;
  const started = Date.parse(startTime);
  const transitioned = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : started;
  if (started + CPU_INITIALIZATION_PERIOD_MS > now) {
    return ready.status === 'True' && metrics.timestamp >= transitioned + metrics.windowMs;
  }
  return !(ready.status !== 'True' && started + DELAY_OF_INITIAL_READINESS_STATUS_MS > transitioned);
}
