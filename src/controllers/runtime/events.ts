/**
 * An EventRecorder, as client-go's record.EventRecorder with the legacy core/v1 Event
 * shape that `kubectl describe` reads: one Event per (source, object, type, reason,
 * message), named `<object>.<hex nanoseconds>`; a repeat within AGGREGATION_WINDOW_MS
 * patches that Event's count and lastTimestamp instead of creating another. Recording
 * is fire-and-forget: it never throws into a reconcile, failures are only logged.
 * Writes for one aggregation key run in order, so a repeat never races its own create.
 * eventName, aggregationKey, newEvent and repeatPatch are pure.
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { componentLogger, type Logger } from '../../log.ts';

export const EVENTS = 'events';
/** Kubernetes' event aggregation/spam window (the cache keeps a series this long). */
export const AGGREGATION_WINDOW_MS = 10 * 60_000;
const MAX_CACHED = 4096;

export type EventType = 'Normal' | 'Warning';

export interface InvolvedObject {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

export interface EventRecorder {
  /** atMs: when it happened, if earlier than now (an event recorded once a write it reports came back). */
  record(object: KubeObject, type: EventType, reason: string, message: string, atMs?: number): void;
}

/** A recorder that drops everything (tests, and controllers built without one). */
export const noopRecorder: EventRecorder = { record: () => {} };

export function involvedObjectOf(object: KubeObject): InvolvedObject {
  const m = object.metadata;
  const ref: InvolvedObject = { kind: object.kind, name: m.name, apiVersion: object.apiVersion };
  if (m.namespace) ref.namespace = m.namespace;
  if (m.uid) ref.uid = m.uid;
  if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
  return ref;
}

/** `<name>.<hex>` where hex is the time in nanoseconds (the sequence keeps names unique within a millisecond). */
export function eventName(objectName: string, nowMs: number, sequence = 0): string {
  const nanos = BigInt(Math.trunc(nowMs)) * 1_000_000n + BigInt(sequence % 1_000_000);
  return `${objectName}.${nanos.toString(16)}`;
}

/** getEventKey: what makes two events "the same" (resourceVersion excluded: it moves on every write). */
export function aggregationKey(component: string, ref: InvolvedObject, type: EventType, reason: string, message: string): string {
  return [component, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion, type, reason, message].map((s) => s ?? '').join('\u0000');
}

const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function newEvent(component: string, ref: InvolvedObject, type: EventType, reason: string, message: string, nowMs: number, sequence = 0, host?: string): KubeObject {
  const at = timestamp(nowMs);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(ref.name ?? 'unknown', nowMs, sequence), namespace: ref.namespace || 'default' },
    involvedObject: ref,
    reason,
    message,
    source: host ? { component, host } : { component },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    type,
    reportingComponent: component,
    reportingInstance: host ?? '',
  } as KubeObject;
}

/** The strategic-merge patch that records one more occurrence. */
export function repeatPatch(count: number, nowMs: number): Record<string, unknown> {
  return { count, lastTimestamp: timestamp(nowMs) };
}

interface Series {
  namespace: string;
  name: string;
  count: number;
  lastSeen: number;
}

export class ApiEventRecorder implements EventRecorder {
  private readonly series = new Map<string, Series>();
  private readonly tails = new Map<string, Promise<void>>();
  // Random start: two components' recorders in one process must not name an event alike within a millisecond.
  private sequence = Math.floor(Math.random() * 1_000_000);

  constructor(
    private readonly client: ApiClient,
    readonly component: string,
    private readonly clock: Pick<Clock, 'now'> = realClock,
    private readonly log: Logger = componentLogger('events', { source: component }),
    /** source.host and reportingInstance (a kubelet's node name). */
    readonly host?: string,
  ) {}

  record(object: KubeObject, type: EventType, reason: string, message: string, atMs?: number): void {
    const ref = involvedObjectOf(object);
    const key = aggregationKey(this.component, ref, type, reason, message);
    const now = atMs ?? this.clock.now();
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.write(key, ref, type, reason, message, now))
      .catch((err: unknown) => this.log.warn({ err, reason, object: `${ref.namespace ?? ''}/${ref.name ?? ''}` }, 'could not record event'))
      .finally(() => {
        if (this.tails.get(key) === next) this.tails.delete(key);
      });
    this.tails.set(key, next);
  }

  /** Resolves once every event recorded so far has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  /** `now` is when it was recorded, not when the write gets its turn. */
  private async write(key: string, ref: InvolvedObject, type: EventType, reason: string, message: string, now: number): Promise<void> {
    const known = this.series.get(key);
    if (known && now - known.lastSeen <= AGGREGATION_WINDOW_MS) {
      try {
        await this.client.patch(EVENTS, known.namespace, known.name, repeatPatch(known.count + 1, now), 'strategic');
        known.count++;
        known.lastSeen = now;
        return;
      } catch (error) {
        // Gone (expired or deleted): start a new series, as the recorder does.
        if (!(error instanceof StatusError && error.code === 404)) throw error;
      }
    }
    const event = newEvent(this.component, ref, type, reason, message, now, this.sequence++, this.host);
    await this.client.create(EVENTS, event);
    this.series.delete(key);
    this.series.set(key, { namespace: event.metadata.namespace!, name: event.metadata.name!, count: 1, lastSeen: now });
    if (this.series.size > MAX_CACHED) this.series.delete(this.series.keys().next().value!);
  }
}
