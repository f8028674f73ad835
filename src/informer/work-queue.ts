/**
 * WorkQueue: client-go's util/workqueue Type. Fair (items are handed out in the order
 * they were added) and stingy (an item added many times before it is processed is
 * processed once; an item added while it is being processed is not handed to a second
 * worker, but queued again when done() is called for it).
 * shutDown() stops taking new items; get() keeps handing out what is queued (drain),
 * then answers { shutdown: true }. shutDownWithDrain() also waits for in-flight items.
 * abandon() drops what is queued, answers { shutdown: true } at once, and waits only
 * for the items in flight: what a controller that stopped leading must do.
 */
export interface QueueItem<T> {
  item: T;
  shutdown: false;
}

export type GetResult<T> = QueueItem<T> | { shutdown: true };

/** Hooks a queue calls so its metrics (src/metrics/workqueue-metrics.ts) can follow it. */
export interface WorkQueueMetrics {
  added(depth: number): void;
  /** An item handed out after queuedMs in the queue; the token is given back to done. */
  handedOut(depth: number, queuedMs: number): number;
  done(token: number): void;
  retried(): void;
}

export class WorkQueue<T = string> {
  /** Set to follow the queue with metrics; unset, the queue keeps no timings. */
  metrics?: WorkQueueMetrics;
  private readonly addedAt = new Map<T, number>();
  private readonly workTokens = new Map<T, number>();
  private readonly queue: T[] = [];
  /** Items that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: Array<(result: GetResult<T>) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private shuttingDown = false;

  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.metrics) {
      this.addedAt.set(item, performance.now());
      this.metrics.added(this.queue.length + (this.processing.has(item) ? 0 : 1));
    }
    if (this.processing.has(item)) return;
    this.queue.push(item);
    this.handOut();
  }

  len(): number {
    return this.queue.length;
  }

  /** The next item, once there is one; { shutdown: true } once shut down and empty. */
  get(): Promise<GetResult<T>> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.handOut();
    });
  }

  /** Marks an item processed; if it was added again meanwhile, it is queued again. */
  done(item: T): void {
    this.processing.delete(item);
    const token = this.workTokens.get(item);
    if (token !== undefined) {
      this.workTokens.delete(item);
      this.metrics?.done(token);
    }
    if (this.dirty.has(item)) {
      this.queue.push(item);
      this.handOut();
    } else if (this.processing.size === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  shutDown(): void {
    this.shuttingDown = true;
    this.handOut();
  }

  /** Shuts down and resolves once every item handed out has been marked done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Shuts down, drops every queued item, and resolves once the items in flight are done. */
  abandon(): Promise<void> {
    this.queue.length = 0;
    this.dirty.clear();
    this.addedAt.clear();
    return this.shutDownWithDrain();
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private handOut(): void {
    while (this.waiters.length > 0) {
      const item = this.queue.shift();
      if (item === undefined) {
        if (!this.shuttingDown) return;
        for (const resolve of this.waiters.splice(0)) resolve({ shutdown: true });
        return;
      }
      this.dirty.delete(item);
      this.processing.add(item);
      if (this.metrics) {
        const addedAt = this.addedAt.get(item);
        this.addedAt.delete(item);
        this.workTokens.set(item, this.metrics.handedOut(this.queue.length, addedAt === undefined ? 0 : performance.now() - addedAt));
      }
      this.waiters.shift()!({ item, shutdown: false });
    }
  }
}
