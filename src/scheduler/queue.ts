/**
 * The scheduling queue, as kube-scheduler's PriorityQueue:
 * - activeQ: pods ready to be tried, highest spec.priority first, then oldest creation;
 * - backoffQ: pods that failed, each waiting its backoff (1 s, doubling per attempt up
 *   to 10 s) after it last entered a queue; flushed into activeQ every second;
 * - unschedulable: pods no node could take; a cluster event that might change that
 *   (node added or changed, an assigned pod deleted) moves them all back (to backoffQ
 *   while their backoff lasts), and any left for 5 minutes are moved back anyway
 *   (checked every 30 s). A pod that fails after such an event arrived while it was being
 *   tried goes to backoffQ instead, so the event is not missed.
 * Time and timers come from a Clock, so tests step it.
 */
import type { KubeObject } from '../api/object.ts';
import { realClock, type Clock } from '../informer/clock.ts';
import { KeyedHeap } from '../informer/keyed-heap.ts';
import { podKey, podPriority } from './views.ts';

export interface QueuedPodInfo {
  key: string;
  pod: KubeObject;
  /** When it last entered a queue. */
  timestamp: number;
  /** When the scheduler first saw it. */
  firstSeen: number;
  attempts: number;
  /** The scheduling cycle that popped it. */
  cycle: number;
  /** Ordering keys, read once per pod version rather than on every heap comparison. */
  priority: number;
  created: number;
}

export interface QueueOptions {
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxInUnschedulableMs?: number;
  flushUnschedulableEveryMs?: number;
  flushBackoffEveryMs?: number;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable';

const created = (pod: KubeObject) => Date.parse(pod.metadata.creationTimestamp ?? '') || 0;

function activeLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.created !== b.created) return a.created < b.created;
  return a.timestamp < b.timestamp;
}

function setPod(info: QueuedPodInfo, pod: KubeObject): void {
  info.pod = pod;
  info.priority = podPriority(pod);
  info.created = created(pod);
}

/** Whether anything but status and bookkeeping changed (isPodUpdated): only that can make a pod schedulable. */
export function isPodUpdated(old: KubeObject, pod: KubeObject): boolean {
  const strip = (p: KubeObject) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _m, ...metadata } = p.metadata;
    return JSON.stringify({ metadata, spec: p.spec });
  };
  return strip(old) !== strip(pod);
}

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private readonly activeQ = new KeyedHeap<QueuedPodInfo>(activeLess);
  private readonly backoffQ = new KeyedHeap<QueuedPodInfo>((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly waiters: ((info: QueuedPodInfo | undefined) => void)[] = [];
  private readonly cancelTimers: (() => void)[] = [];
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private closed = false;

  constructor(private readonly options: QueueOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.initialBackoffMs = options.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = options.maxInUnschedulableMs ?? 5 * 60_000;
  }

  /** Arms the periodic flushes (backoffQ every second, unschedulable leftovers every 30 s). */
  run(): void {
    this.every(this.options.flushBackoffEveryMs ?? 1_000, () => this.flushBackoffCompleted());
    this.every(this.options.flushUnschedulableEveryMs ?? 30_000, () => this.flushUnschedulableLeftover());
  }

  close(): void {
    this.closed = true;
    for (const cancel of this.cancelTimers.splice(0)) cancel();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  /** A new pending pod (or a newer version of one already queued). */
  add(pod: KubeObject, firstSeen = this.clock.now()): void {
    const key = podKey(pod);
    const known = this.find(key);
    if (known) {
      this.update(known.info.pod, pod);
      return;
    }
    this.toActive({ key, pod, timestamp: this.clock.now(), firstSeen, attempts: 0, cycle: 0, priority: podPriority(pod), created: created(pod) });
  }

  update(old: KubeObject, pod: KubeObject): void {
    const key = podKey(pod);
    const known = this.find(key);
    if (!known) return this.add(pod);
    setPod(known.info, pod);
    if (known.queue === 'active') this.activeQ.push(key, known.info);
    else if (known.queue === 'backoff') this.backoffQ.push(key, known.info);
    else if (isPodUpdated(old, pod)) {
      // A changed spec or labels may fit now: try again, after its backoff.
      this.unschedulable.delete(key);
      this.requeue(known.info);
    }
  }

  delete(pod: KubeObject): void {
    const key = podKey(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
  }

  /** The next pod to try; waits for one; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    const info = this.tryPop();
    if (info || this.closed) return Promise.resolve(info);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  tryPop(): QueuedPodInfo | undefined {
    const info = this.activeQ.pop();
    if (!info) return undefined;
    info.attempts++;
    info.cycle = ++this.schedulingCycle;
    return info;
  }

  /**
   * After a failed attempt: to unschedulable, or to backoffQ when a move request came
   * during the attempt (or the failure was an error, not a verdict of the filters).
   */
  addUnschedulable(info: QueuedPodInfo, unschedulable = true): void {
    if (this.find(info.key)) return;
    info.timestamp = this.clock.now();
    if (!unschedulable || this.moveRequestCycle >= info.cycle) this.backoffQ.push(info.key, info);
    else this.unschedulable.set(info.key, info);
  }

  /** A cluster event that may make unschedulable pods schedulable (MoveAllToActiveOrBackoffQueue). */
  moveAllToActiveOrBackoff(): void {
    for (const info of this.unschedulable.values()) this.requeue(info);
    this.unschedulable.clear();
    this.moveRequestCycle = this.schedulingCycle;
  }

  flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (let head = this.backoffQ.peek(); head && this.backoffExpiry(head) <= now; head = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.toActive(head);
    }
  }

  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const [key, info] of this.unschedulable) {
      if (now - info.timestamp > this.maxInUnschedulableMs) {
        this.unschedulable.delete(key);
        this.requeue(info);
      }
    }
  }

  /** initial * 2^(attempts-1), at most max. */
  backoffDuration(attempts: number): number {
    let duration = this.initialBackoffMs;
    for (let i = 1; i < attempts; i++) {
      duration *= 2;
      if (duration >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return Math.min(duration, this.maxBackoffMs);
  }

  backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDuration(info.attempts);
  }

  /** Where a pod is queued, if anywhere. */
  whereIs(key: string): QueueName | undefined {
    return this.find(key)?.queue;
  }

  get lengths(): Record<QueueName, number> {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size };
  }

  private requeue(info: QueuedPodInfo): void {
    if (this.clock.now() < this.backoffExpiry(info)) this.backoffQ.push(info.key, info);
    else this.toActive(info);
  }

  private toActive(info: QueuedPodInfo): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      info.attempts++;
      info.cycle = ++this.schedulingCycle;
      waiter(info);
      return;
    }
    this.activeQ.push(info.key, info);
  }

  private find(key: string): { queue: QueueName; info: QueuedPodInfo } | undefined {
    const active = this.activeQ.get(key);
    if (active) return { queue: 'active', info: active };
    const backoff = this.backoffQ.get(key);
    if (backoff) return { queue: 'backoff', info: backoff };
    const unschedulable = this.unschedulable.get(key);
    return unschedulable ? { queue: 'unschedulable', info: unschedulable } : undefined;
  }

  private every(ms: number, fn: () => void): void {
    const slot = { cancel: () => {} };
    const arm = () => {
      slot.cancel = this.clock.setTimer(() => {
        if (this.closed) return;
        fn();
        arm();
      }, ms);
    };
    arm();
    this.cancelTimers.push(() => slot.cancel());
  }
}
