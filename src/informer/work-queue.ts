/**
 * WorkQueue: client-go's util/workqueue Type. Fair (items are handed out in the order
 * they were added) and stingy (an item added many times before it is processed is
 * processed once; an item added while it is being processed is not handed to a second
 * worker, but queued again when done() is called for it).
 * shutDown() stops taking new items; get() keeps handing out what is queued (drain),
 * then answers { shutdown: true }. shutDownWithDrain() also waits for in-flight items.
 */
export interface QueueItem<T> {
  item: T;
  shutdown: false;
}

export type GetResult<T> = QueueItem<T> | { shutdown: true };

export class WorkQueue<T = string> {
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
      this.waiters.shift()!({ item, shutdown: false });
    }
  }
}
