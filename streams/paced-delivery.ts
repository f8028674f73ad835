/**
 * Hands items (a watch's events) to a consumer in order, a bounded slice of time per turn
 * of the event loop. nats.js calls a subscription's callback for every message of a socket
 * read in one go; when a burst arrives (a watch catching up after its API server stood
 * still), handling each event there ran thousands of informer handlers in one piece of
 * work, and a simulated fleet's Lease renewals and pod starts waited behind them (its CPU
 * profile at 30,000 pods: every long busy stretch ran watch callbacks). Queued here, the
 * events are handled SLICE_MS at a time with the loop turning in between.
 *
 * The queue is bounded: a consumer that falls MAX_QUEUED events behind is told so with
 * the overflow item (for a watch: an ERROR that says "watch again from the last
 * resourceVersion received"), as NATS itself cuts off a slow subscriber.
 */
export const SLICE_MS = 20;
export const MAX_QUEUED = 100_000;

export class PacedDelivery<T> {
  private queue: T[] = [];
  private head = 0;
  private scheduled = false;
  private closing: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly deliver: (item: T) => void,
    private readonly options: { sliceMs?: number; maxQueued?: number; overflow: () => T },
  ) {}

  /** Items waiting to be delivered. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Queues an item; false once closed, or when this one overflowed the queue (which then closes). */
  push(item: T): boolean {
    if (this.closed || this.closing) return false;
    if (this.pending >= (this.options.maxQueued ?? MAX_QUEUED)) {
      this.finishAfterQueued(this.options.overflow());
      return false;
    }
    this.queue.push(item);
    this.schedule();
    return true;
  }

  /** Delivers what is queued, then `last` (if any), then `done`; nothing pushed after this is taken. */
  finishAfterQueued(last?: T, done?: () => void): void {
    if (this.closed || this.closing) return;
    this.closing = () => {
      if (last !== undefined) this.deliver(last);
      done?.();
    };
    this.schedule();
  }

  /** Drops whatever is queued and delivers nothing more. */
  stop(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const until = performance.now() + (this.options.sliceMs ?? SLICE_MS);
    while (!this.closed && this.head < this.queue.length) {
      this.deliver(this.queue[this.head++]!);
      if (performance.now() >= until) break;
    }
    if (this.closed) return;
    if (this.head < this.queue.length) return this.schedule();
    this.queue = [];
    this.head = 0;
    if (this.closing) {
      const close = this.closing;
      this.closed = true;
      close();
    }
  }
}
