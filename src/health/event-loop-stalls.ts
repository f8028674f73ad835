/**
 * Logs a component process's event-loop stalls: while the loop is stuck, its requests,
 * watches and heartbeats all wait, and from outside that looks like a slow network or a
 * slow NATS. Each warning says how long the loop stood still and how much of that time
 * V8's garbage collector took, so an operator can tell a heap that is too large (major
 * GCs) from work that runs too long in one piece (no GC).
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { Logger } from '../log.ts';

export interface StallWatchOptions {
  /** A stall longer than this is logged (Kubernetes' API latency SLO is 1 s). */
  thresholdMs?: number;
  /** How often the loop is expected to come round. */
  tickMs?: number;
}

export interface GcSummary {
  gcMs: number;
  majorGcMs: number;
  collections: number;
}

/** A garbage collection as perf_hooks reports it: when it began and how long it took (ms). */
export interface GcEntry {
  startTime: number;
  duration: number;
  major: boolean;
}

/** The collections that overlapped [from, to] (times on performance.now()'s clock). */
export function gcWithin(entries: readonly GcEntry[], from: number, to: number): GcSummary {
  let gcMs = 0;
  let majorGcMs = 0;
  let collections = 0;
  for (const e of entries) {
    const overlap = Math.min(to, e.startTime + e.duration) - Math.max(from, e.startTime);
    if (overlap <= 0) continue;
    collections++;
    gcMs += overlap;
    if (e.major) majorGcMs += overlap;
  }
  return { gcMs: Math.round(gcMs), majorGcMs: Math.round(majorGcMs), collections };
}

/** Collections this old are of no use to the next stall (kept: one stall's worth and a margin). */
const GC_HISTORY_MS = 60_000;

function isMajor(entry: PerformanceEntry): boolean {
  const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
  return kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}

/** Starts watching; the returned function stops it. The timer does not keep the process alive. */
export function watchEventLoopStalls(logger: Pick<Logger, 'warn'>, options: StallWatchOptions = {}): () => void {
  const thresholdMs = options.thresholdMs ?? 1_000;
  const tickMs = options.tickMs ?? 250;
  let history: GcEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) history.push({ startTime: entry.startTime, duration: entry.duration, major: isMajor(entry) });
  });
  observer.observe({ entryTypes: ['gc'] });
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const stalledMs = now - last - tickMs;
    if (stalledMs > thresholdMs) {
      // perf_hooks hands the stall's collections to the observer after this turn of the
      // loop (after even its setImmediate callbacks): read them on the next turn.
      const from = last + tickMs;
      setTimeout(() => {
        logger.warn(
          { stalledMs: Math.round(stalledMs), ...gcWithin(history, from, now) },
          'the event loop stood still: this process answered nothing meanwhile (majorGcMs near stalledMs: the heap is too large for this machine; gcMs near 0: one piece of work ran too long)',
        );
      }, 0);
    }
    history = history.filter((e) => e.startTime + e.duration > now - GC_HISTORY_MS);
    last = now;
  }, tickMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    observer.disconnect();
  };
}
