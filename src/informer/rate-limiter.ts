/**
 * Rate limiters: how long to wait before an item may be retried. The default is
 * client-go's DefaultControllerRateLimiter: the larger of a per-item exponential backoff
 * (5 ms doubling to 1000 s) and an overall token bucket (10 qps, burst 100), so one bad
 * item backs off alone and a storm of failures cannot exceed the bucket's rate.
 * Pure arithmetic on the clock's time; nothing here arms a timer.
 */
import type { Clock } from './clock.ts';

export interface RateLimiter<T> {
  /** How long the item should wait now (every call counts as one more failure). */
  when(item: T): number;
  /** Stops tracking the item (it succeeded). */
  forget(item: T): void;
  numRequeues(item: T): number;
}

export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(readonly baseDelayMs = 5, readonly maxDelayMs = 1_000_000) {}

  when(item: T): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    const delay = this.baseDelayMs * 2 ** exp;
    return Number.isFinite(delay) ? Math.min(delay, this.maxDelayMs) : this.maxDelayMs;
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** A token bucket: every when() reserves a token; the answer is how long until it exists. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private last: number;
  constructor(
    private readonly clock: Clock,
    readonly qps = 10,
    readonly burst = 100,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_item: T): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest wait any of its limiters asks for. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(item)));
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    return Math.max(0, ...this.limiters.map((l) => l.numRequeues(item)));
  }
}

export function defaultControllerRateLimiter<T>(clock: Clock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialFailureRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(clock, 10, 100));
}
