/**
 * The scale run's progress figures of each component between two samples: CPU share of
 * one core over the interval (from /proc, so the components pay nothing), and from the
 * controller manager's and scheduler's /metrics the deepest work queues and the pods
 * waiting to be scheduled. A stall then shows which process was busy and what waited.
 */
import { processStats } from './process-stats.ts';

export interface UsageSample {
  at: number;
  cpuSeconds: Map<string, number>;
}

/** Each component's CPU seconds now. */
export async function sampleUsage(pids: ReadonlyMap<string, number>): Promise<UsageSample> {
  const cpuSeconds = new Map<string, number>();
  for (const [name, pid] of pids) {
    const stats = await processStats(pid);
    if (stats) cpuSeconds.set(name, stats.cpuSeconds);
  }
  return { at: performance.now(), cpuSeconds };
}

/** "apiserver-0 93%, ..." : each component's share of one core between two samples. */
export function cpuShares(before: UsageSample, now: UsageSample): string {
  const seconds = (now.at - before.at) / 1000;
  if (seconds <= 0) return '';
  const parts: string[] = [];
  for (const [name, cpu] of now.cpuSeconds) {
    const was = before.cpuSeconds.get(name);
    if (was !== undefined) parts.push(`${name} ${Math.round(((cpu - was) / seconds) * 100)}%`);
  }
  return parts.join(', ');
}

/** The values of one Prometheus gauge or counter by its label's value, from the text format. */
export function metricByLabel(text: string, metric: string, label: string): Map<string, number> {
  const values = new Map<string, number>();
  const line = new RegExp(`^${metric}\\{[^}]*${label}="([^"]*)"[^}]*\\} (\\S+)$`, 'gm');
  for (const match of text.matchAll(line)) values.set(match[1]!, Number(match[2]));
  return values;
}

/** The value of one Prometheus metric without labels, or undefined. */
export function metricValue(text: string, metric: string): number | undefined {
  const match = new RegExp(`^${metric} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * "1.52 s": the longest event-loop stall since the last scrape (prom-client resets its
 * histogram on each collect). A stall of seconds explains late lease renewals and watches
 * cut off by the server.
 */
export function loopLagMax(metricsText: string): string {
  const seconds = metricValue(metricsText, 'nodejs_eventloop_lag_max_seconds');
  return seconds === undefined ? '?' : `${seconds.toFixed(2)} s`;
}

/** "replicaset 1200, node-lifecycle 40": the deepest work queues, or "" when all are empty. */
export function deepestQueues(metricsText: string, count = 3): string {
  return [...metricByLabel(metricsText, 'workqueue_depth', 'name')]
    .filter(([, depth]) => depth > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, depth]) => `${name} ${depth}`)
    .join(', ');
}

export async function fetchMetrics(url: string): Promise<string> {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

/**
 * Whether the control plane has caught up: every controller work queue is empty and the
 * scheduler holds no pending pod. Metrics that could not be read do not count as at rest.
 */
export function controlPlaneAtRest(managerText: string, schedulerText: string): boolean {
  if (!managerText || !schedulerText) return false;
  const queues = [...metricByLabel(managerText, 'workqueue_depth', 'name').values()];
  const pending = [...metricByLabel(schedulerText, 'scheduler_pending_pods', 'queue').values()];
  return queues.length > 0 && pending.length > 0 && queues.every((depth) => depth === 0) && pending.every((count) => count === 0);
}
