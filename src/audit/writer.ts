/**
 * The audit backend: hands each record to the stream without making the request wait.
 * record() returns at once; the publish and its acknowledgement run behind it, at most
 * `maxInFlight` at a time. When the stream cannot keep up (or is gone) a record over that
 * bound is dropped, never queued without limit and never allowed to slow or fail the
 * write it describes: Kubernetes' buffered audit backend makes the same trade. Every loss
 * is counted (apiserver_audit_error_total, by plugin: "buffered" for overload, "jetstream"
 * for a failed publish) and logged, at most once per interval with the count since.
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import type { AuditEvent } from './event.ts';

export interface AuditSink {
  /** resourceKey is the registry key ("deployments.apps"), for the record's subject. */
  record(event: AuditEvent, resourceKey: string): void;
}

/** Hands a record over and calls settled once: without an error when it is stored. Must not throw. */
export type PublishAudit = (event: AuditEvent, resourceKey: string, settled: (error?: Error) => void) => void;

export interface AuditWriterOptions {
  logger: Logger;
  /** Records published but not yet acknowledged, at most (default 1024). */
  maxInFlight?: number;
  /** The API server's metrics registry; without one the counts are only in `stats`. */
  registry?: Registry;
  /** At most one loss warning per this many ms (default 10 s). */
  warnEveryMs?: number;
  now?: () => number;
}

export interface AuditWriterStats {
  recorded: number;
  published: number;
  droppedOverload: number;
  failed: number;
  inFlight: number;
}

export class AuditWriter implements AuditSink {
  private readonly maxInFlight: number;
  private readonly counters: AuditCounters | undefined;
  private readonly now: () => number;
  private readonly warnEveryMs: number;
  private inFlight = 0;
  private lastWarning = -Infinity;
  private lostSinceWarning = 0;
  private idle: (() => void)[] = [];
  readonly stats: AuditWriterStats = { recorded: 0, published: 0, droppedOverload: 0, failed: 0, inFlight: 0 };

  constructor(
    private readonly publish: PublishAudit,
    private readonly options: AuditWriterOptions,
  ) {
    this.maxInFlight = options.maxInFlight ?? 1024;
    this.counters = options.registry ? auditCounters(options.registry) : undefined;
    this.now = options.now ?? Date.now;
    this.warnEveryMs = options.warnEveryMs ?? 10_000;
  }

  record(event: AuditEvent, resourceKey: string): void {
    this.stats.recorded++;
    if (this.inFlight >= this.maxInFlight) {
      this.stats.droppedOverload++;
      this.counters?.errors.inc({ plugin: 'buffered' });
      this.lost(event, 'the AUDIT stream is not keeping up; audit records are being dropped');
      return;
    }
    this.counters?.events.inc();
    this.inFlight++;
    this.stats.inFlight = this.inFlight;
    this.publish(event, resourceKey, (error) => {
      if (error) {
        this.stats.failed++;
        this.counters?.errors.inc({ plugin: 'jetstream' });
        this.lost(event, 'could not store audit records in the AUDIT stream', error);
      } else this.stats.published++;
      this.settled();
    });
  }

  /** Resolves once every record handed over so far is acknowledged or lost (tests, draining). */
  flush(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private settled(): void {
    this.inFlight--;
    this.stats.inFlight = this.inFlight;
    if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private lost(event: AuditEvent, message: string, error?: unknown): void {
    this.lostSinceWarning++;
    const now = this.now();
    if (now - this.lastWarning < this.warnEveryMs) return;
    this.lastWarning = now;
    const lost = this.lostSinceWarning;
    this.lostSinceWarning = 0;
    this.options.logger.warn({ err: error, lost, lastAuditID: event.auditID, verb: event.verb, resource: event.objectRef?.resource }, message);
  }
}

interface AuditCounters {
  events: Counter;
  errors: Counter<'plugin'>;
}

const EVENTS = 'apiserver_audit_event_total';
const ERRORS = 'apiserver_audit_error_total';

/** Kubernetes' names; one set per registry, however many writers share it. */
function auditCounters(registry: Registry): AuditCounters {
  const events = (registry.getSingleMetric(EVENTS) as Counter | undefined) ?? new Counter({ name: EVENTS, help: 'Counter of audit events generated and sent to the audit backend.', registers: [registry] });
  const errors =
    (registry.getSingleMetric(ERRORS) as Counter<'plugin'> | undefined) ??
    new Counter({ name: ERRORS, help: 'Counter of audit events that failed to be audited properly. Plugin identifies the plugin affected by the error.', labelNames: ['plugin'], registers: [registry] });
  return { events, errors };
}
