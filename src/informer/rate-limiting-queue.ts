/**
 * The controller's queue: a WorkQueue that can also hold items back (addAfter: the
 * delaying queue) and hold back failed items by their rate limiter (addRateLimited).
 * An item waiting to be added is kept once, at its earliest due time; one timer (on the
 * injected clock) covers the earliest. shutDown() drops the waiting items.
 */
import { realClock, type Clock } from './clock.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { WorkQueue } from './work-queue.ts';

export interface RateLimitingQueueOptions<T> {
  clock?: Clock;
  rateLimiter?: RateLimiter<T>;
}

export class RateLimitingQueue<T = string> extends WorkQueue<T> {
  readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<T>;
  private readonly waiting = new Map<T, number>();
  private timer?: { at: number; cancel: () => void };

  constructor(options: RateLimitingQueueOptions<T> = {}) {
    super();
    this.clock = options.clock ?? realClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  addAfter(item: T, delayMs: number): void {
    if (this.isShuttingDown()) return;
    if (delayMs <= 0) return this.add(item);
    const at = this.clock.now() + delayMs;
    const current = this.waiting.get(item);
    if (current !== undefined && current <= at) return;
    this.waiting.set(item, at);
    this.arm();
  }

  addRateLimited(item: T): void {
    this.metrics?.retried();
    this.addAfter(item, this.rateLimiter.when(item));
  }

  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Items held back, not yet queued. */
  numWaiting(): number {
    return this.waiting.size;
  }

  override shutDown(): void {
    this.waiting.clear();
    this.timer?.cancel();
    this.timer = undefined;
    super.shutDown();
  }

  private arm(): void {
    let earliest = Infinity;
    for (const at of this.waiting.values()) earliest = Math.min(earliest, at);
    if (earliest === Infinity || (this.timer && this.timer.at <= earliest)) return;
    this.timer?.cancel();
    this.timer = { at: earliest, cancel: this.clock.setTimer(() => this.fire(), earliest - this.clock.now()) };
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    const due = [...this.waiting].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [item] of due) {
      this.waiting.delete(item);
      this.add(item);
    }
    this.arm();
  }
}
