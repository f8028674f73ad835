/**
 * client-go's workqueue metrics, by queue name (the controller's name): workqueue_depth,
 * workqueue_adds_total, workqueue_queue_duration_seconds (added to handed out),
 * workqueue_work_duration_seconds (handed out to done), workqueue_retries_total,
 * workqueue_unfinished_work_seconds and workqueue_longest_running_processor_seconds.
 * One set per registry: the controller manager's queues are rebuilt every leadership
 * term, their metrics live as long as the registry.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WorkQueueMetrics } from '../informer/work-queue.ts';

/** client-go's buckets: 1 ns to 10 s, by tens. */
const BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

export class WorkqueueMetrics {
  private readonly depth: Gauge<'name'>;
  private readonly adds: Counter<'name'>;
  private readonly queueDuration: Histogram<'name'>;
  private readonly workDuration: Histogram<'name'>;
  private readonly retries: Counter<'name'>;
  /** Per queue: start times of the items being processed. */
  private readonly inFlight = new Map<string, Map<number, number>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested.', labelNames: ['name'], buckets: BUCKETS, registers });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.', labelNames: ['name'], buckets: BUCKETS, registers });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
    const inFlight = this.inFlight;
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'How many seconds of work has done that is in progress and hasn\'t been observed by work_duration.',
      labelNames: ['name'],
      registers,
      collect() {
        const now = performance.now();
        for (const [name, starts] of inFlight) this.set({ name }, [...starts.values()].reduce((sum, t) => sum + (now - t) / 1000, 0));
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name'],
      registers,
      collect() {
        const now = performance.now();
        for (const [name, starts] of inFlight) this.set({ name }, Math.max(0, ...[...starts.values()].map((t) => (now - t) / 1000)));
      },
    });
  }

  /** The hooks one queue calls. */
  forQueue(name: string): WorkQueueMetrics {
    const labels = { name };
    const starts = new Map<number, number>();
    this.inFlight.set(name, starts);
    let nextToken = 0;
    this.depth.set(labels, 0);
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    return {
      added: (depth) => {
        this.adds.inc(labels);
        this.depth.set(labels, depth);
      },
      handedOut: (depth, queuedMs) => {
        this.depth.set(labels, depth);
        this.queueDuration.observe(labels, queuedMs / 1000);
        const token = nextToken++;
        starts.set(token, performance.now());
        return token;
      },
      done: (token) => {
        const started = starts.get(token);
        if (started === undefined) return;
        starts.delete(token);
        this.workDuration.observe(labels, (performance.now() - started) / 1000);
      },
      retried: () => this.retries.inc(labels),
    };
  }
}

const byRegistry = new WeakMap<Registry, WorkqueueMetrics>();

/** The registry's workqueue metrics, made on first use (a metric name registers once per registry). */
export function workqueueMetricsFor(registry: Registry): WorkqueueMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) byRegistry.set(registry, (metrics = new WorkqueueMetrics(registry)));
  return metrics;
}

/** Points each controller's queue at the registry's workqueue metrics, labelled with the controller's name. */
export function instrumentQueues(queues: Array<{ name: string; queue: { metrics?: WorkQueueMetrics } }>, registry: Registry | undefined): void {
  if (!registry) return;
  const metrics = workqueueMetricsFor(registry);
  for (const { name, queue } of queues) queue.metrics = metrics.forQueue(name);
}
