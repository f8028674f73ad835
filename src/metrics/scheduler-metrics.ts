/**
 * kube-scheduler's metrics: scheduler_schedule_attempts_total{result,profile} (result
 * scheduled, unschedulable or error), scheduler_scheduling_attempt_duration_seconds
 * {result,profile} (one scheduling cycle up to the bind's answer for scheduled pods),
 * and scheduler_pending_pods{queue} (active, backoff, unschedulable, gated) read from the
 * current scheduler's queue when scraped. The scheduler is rebuilt every leadership term;
 * attach() points the gauge at the current one.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** Kubernetes' buckets: exponential from 1 ms, factor 2, 15 buckets. */
const ATTEMPT_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);

export interface PendingPodsSource {
  lengths: { active: number; backoff: number; unschedulable: number };
}

export class SchedulerMetrics {
  private readonly attempts: Counter<'result' | 'profile'>;
  private readonly durations: Histogram<'result' | 'profile'>;
  private source?: PendingPodsSource;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.attempts = new Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.', labelNames: ['result', 'profile'], registers });
    this.durations = new Histogram({ name: 'scheduler_scheduling_attempt_duration_seconds', help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)', labelNames: ['result', 'profile'], buckets: ATTEMPT_BUCKETS, registers });
    const self = this;
    new Gauge({
      name: 'scheduler_pending_pods',
      help: 'Number of pending pods, by the queue type. \'active\' means number of pods in activeQ; \'backoff\' means number of pods in backoffQ; \'unschedulable\' means number of pods in unschedulablePods; \'gated\' is the number of pods gated by scheduling gates.',
      labelNames: ['queue'],
      registers,
      collect() {
        const lengths = self.source?.lengths ?? { active: 0, backoff: 0, unschedulable: 0 };
        this.set({ queue: 'active' }, lengths.active);
        this.set({ queue: 'backoff' }, lengths.backoff);
        this.set({ queue: 'unschedulable' }, lengths.unschedulable);
        this.set({ queue: 'gated' }, 0);
      },
    });
  }

  attach(source: PendingPodsSource | undefined): void {
    this.source = source;
  }

  attempt(result: AttemptResult, profile: string, seconds: number): void {
    this.attempts.inc({ result, profile });
    this.durations.observe({ result, profile }, seconds);
  }
}
