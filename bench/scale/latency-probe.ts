/**
 * The scale run's API latency probe: a client of its own, apart from the load, that
 * every period makes one mutating call (alternately create, patch and delete of a
 * ConfigMap in its own namespace) and one read (a get of that namespace's ConfigMap,
 * or every fifth time a list of its ConfigMaps), and records each call's latency under
 * the current phase. Kubernetes' API call latency SLO: p99 <= 1 s for mutating calls
 * and single-object reads, <= 5 s for namespace-scoped lists.
 */
import type { ApiClient } from '../../src/client/api-client.ts';
import { percentile } from '../figures.ts';

export interface LatencySummary {
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export type CallKind = 'mutating' | 'read';

/** A call over the SLO's 1 s: when it began, so a stall can be matched with the components' logs. */
export interface SlowCall {
  at: string;
  kind: CallKind;
  verb: string;
  phase: string;
  ms: number;
}

/** Calls slower than this are kept one by one (the SLO for mutating calls and gets). */
const SLOW_CALL_MS = 1000;
/** At most this many a phase are kept: enough to see a pattern, bounded under saturation, and the
 * pods phase cannot crowd out the few of the phases after it. */
const SLOW_CALLS_KEPT_PER_PHASE = 50;

export class LatencyProbe {
  private readonly samples = new Map<string, number[]>();
  private readonly errors = new Map<string, number>();
  private readonly slow: SlowCall[] = [];
  private phase = 'start';
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly client: ApiClient,
    private readonly namespace: string,
    private readonly periodMs = 250,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  setPhase(phase: string): void {
    this.phase = phase;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Latencies of one kind in one phase (or every phase when phase is undefined). */
  summary(kind: CallKind, phase?: string): LatencySummary {
    const all: number[] = [];
    let errors = 0;
    for (const [key, values] of this.samples) if (key.startsWith(`${kind}/`) && (phase === undefined || key === `${kind}/${phase}`)) all.push(...values);
    for (const [key, n] of this.errors) if (key.startsWith(`${kind}/`) && (phase === undefined || key === `${kind}/${phase}`)) errors += n;
    const sorted = all.sort((a, b) => a - b);
    return {
      count: sorted.length,
      errors,
      p50Ms: Math.round(percentile(sorted, 50)),
      p99Ms: Math.round(percentile(sorted, 99)),
      maxMs: Math.round(sorted.at(-1) ?? 0),
    };
  }

  /** The calls over 1 s, oldest first (the first SLOW_CALLS_KEPT_PER_PHASE of each phase). */
  slowCalls(): readonly SlowCall[] {
    return this.slow;
  }

  phases(): string[] {
    return [...new Set([...this.samples.keys()].map((k) => k.slice(k.indexOf('/') + 1)))];
  }

  private async timed(kind: CallKind, verb: string, call: () => Promise<unknown>): Promise<void> {
    const key = `${kind}/${this.phase}`;
    const began = new Date();
    const begin = performance.now();
    try {
      await call();
      const ms = performance.now() - begin;
      const list = this.samples.get(key) ?? [];
      list.push(ms);
      this.samples.set(key, list);
      if (ms > SLOW_CALL_MS && this.slow.filter((c) => c.phase === this.phase).length < SLOW_CALLS_KEPT_PER_PHASE) this.slow.push({ at: began.toISOString(), kind, verb, phase: this.phase, ms: Math.round(ms) });
    } catch {
      this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    }
  }

  private async run(): Promise<void> {
    const ns = this.namespace;
    let tick = 0;
    let live: string | undefined;
    let serial = 0;
    while (!this.stopped) {
      const next = performance.now() + this.periodMs;
      const step = tick % 3;
      if (step === 0 || live === undefined) {
        const name = `probe-${serial++}`;
        await this.timed('mutating', 'create', () => this.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { at: String(Date.now()) } }));
        live = name;
      } else if (step === 1) {
        await this.timed('mutating', 'patch', () => this.client.patch('configmaps', ns, live!, { data: { at: String(Date.now()) } }, 'merge'));
      } else {
        const name = live;
        live = undefined;
        await this.timed('mutating', 'delete', () => this.client.delete('configmaps', ns, name));
      }
      if (tick % 5 === 4) await this.timed('read', 'list', () => this.client.list('configmaps', ns));
      else if (live) await this.timed('read', 'get', () => this.client.get('configmaps', ns, live!));
      tick++;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
