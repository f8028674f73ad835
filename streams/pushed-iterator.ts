/**
 * An async iterator fed by a push source (a NATS subscription callback), with flow
 * control the source lacks: when more than `highWater` items wait, `onHigh` is called
 * (the source should pause); when the reader has drained them to `lowWater`, `onLow`
 * (resume). A reader that stops early (break / return) triggers `onReturn` once.
 * Items are handed over without copies; a queued item costs one array slot.
 */
export interface PushedIteratorOptions {
  highWater: number;
  lowWater: number;
  onHigh?: () => void;
  onLow?: () => void;
  onReturn?: () => void | Promise<void>;
}

export class PushedIterator<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private head = 0;
  private ended = false;
  private failure: unknown = undefined;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private paused = false;
  private returned = false;

  constructor(private readonly options: PushedIteratorOptions) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get done(): boolean {
    return this.ended || this.returned;
  }

  push(item: T): void {
    if (this.ended || this.returned) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (!this.paused && this.size > this.options.highWater) {
      this.paused = true;
      this.options.onHigh?.();
    }
  }

  /** No more items; with an error, the reader gets it after the items already queued. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    const waiter = this.waiter;
    if (waiter && this.size === 0) {
      this.waiter = undefined;
      if (error !== undefined) waiter.reject(error);
      else waiter.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head] as T;
      this.items[this.head] = undefined as T;
      this.head++;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      } else if (this.head > 4096 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (this.paused && !this.ended && this.size <= this.options.lowWater) {
        this.paused = false;
        this.options.onLow?.();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.returned) return Promise.resolve({ value: undefined, done: true });
    if (this.ended) {
      if (this.failure !== undefined) {
        const failure = this.failure;
        this.failure = undefined;
        this.returned = true;
        return Promise.reject(failure);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.returned) {
      this.returned = true;
      this.items = [];
      this.head = 0;
      if (!this.ended) await this.options.onReturn?.();
    }
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
