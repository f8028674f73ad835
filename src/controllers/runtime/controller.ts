/**
 * A controller, as sample-controller and controller-runtime shape one: informers feed
 * event handlers that only enqueue keys; N workers take keys off one rate-limiting queue
 * and call reconcile(key), which reads the caches and converges the whole object.
 * processNextItem is the one place retries are decided: success forgets the key (and
 * re-adds it after requeueAfterMs when asked), a throw re-queues it with backoff.
 * The lifecycle (sync, run, drain) is sequenced by actors/controllers/controller.machine.ts.
 */
import type { KubeObject } from '../../api/object.ts';
import type { Clock } from '../../informer/clock.ts';
import { deletedObject, type EventHandler, type HandlerRegistration } from '../../informer/event-handlers.ts';
import type { RateLimiter } from '../../informer/rate-limiter.ts';
import { RateLimitingQueue } from '../../informer/rate-limiting-queue.ts';
import type { SharedInformer } from '../../informer/shared-informer.ts';

export interface ReconcileResult {
  /** Reconcile this key again after this long even though nothing changed. */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void> | ReconcileResult | void;

export interface ControllerOptions {
  workers?: number;
  clock?: Clock;
  rateLimiter?: RateLimiter<string>;
  /** Called with each failure (the machine's logger); never decides anything. */
  onError?: (key: string, error: unknown, requeues: number) => void;
}

export class Controller {
  readonly queue: RateLimitingQueue<string>;
  readonly workers: number;
  private readonly informers = new Set<SharedInformer>();
  private readonly registrations: HandlerRegistration[] = [];
  private reconcile: Reconcile = () => {};
  private running: Promise<void>[] = [];
  /** Reconciles finished (ok or not), for tests and metrics. */
  reconciles = 0;
  failures = 0;

  constructor(
    readonly name: string,
    private readonly options: ControllerOptions = {},
  ) {
    this.queue = new RateLimitingQueue<string>({ clock: options.clock, rateLimiter: options.rateLimiter });
    this.workers = options.workers ?? 2;
  }

  /** The reconcile function (set once, before run). */
  reconcileWith(reconcile: Reconcile): this {
    this.reconcile = reconcile;
    return this;
  }

  /** Registers a handler on an informer; the controller waits for that informer's sync. */
  watch(informer: SharedInformer, handler: EventHandler): this {
    this.informers.add(informer);
    this.registrations.push(informer.addEventHandler(handler));
    return this;
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Runs every watched informer not yet running and resolves once all have synced. */
  async startAndSync(timeoutMs = 60_000): Promise<void> {
    for (const informer of this.informers) informer.run();
    const synced = await Promise.all([...this.informers].map((i) => i.waitForSync(timeoutMs)));
    if (!synced.every(Boolean)) throw new Error(`${this.name}: caches did not sync in ${timeoutMs} ms`);
    // Handlers added to caches that were already full hear of their objects in chunks.
    await Promise.all(this.registrations.map((r) => r.synced));
  }

  /** Starts the workers; each takes keys until the queue shuts down. */
  runWorkers(): void {
    if (this.running.length > 0) return;
    this.running = Array.from({ length: this.workers }, () => this.worker());
  }

  /**
   * Stops taking keys, drops the queued ones, lets in-flight reconciles finish, and unhooks
   * the handlers. Queued keys are not worked off: a controller stops when it lost its lease
   * (another leader may already act; the next term hears of every object again) or when the
   * process ends, and working off thousands of keys took minutes at 5,000 nodes.
   */
  async shutDown(): Promise<void> {
    for (const r of this.registrations.splice(0)) r.remove();
    await this.queue.abandon();
    await Promise.all(this.running);
  }

  /** Takes one key and reconciles it; false once the queue is shut down. */
  async processNextItem(): Promise<boolean> {
    const next = await this.queue.get();
    if (next.shutdown) return false;
    const key = next.item;
    try {
      const result = await this.reconcile(key);
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined && !this.queue.isShuttingDown()) this.queue.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      this.failures++;
      this.options.onError?.(key, error, this.queue.numRequeues(key));
      this.queue.addRateLimited(key);
    } finally {
      this.reconciles++;
      this.queue.done(key);
    }
    return true;
  }

  private async worker(): Promise<void> {
    while (await this.processNextItem());
  }
}

/** A handler that enqueues the object's own key. */
export function enqueueObject(controller: Controller, keyOf: (o: KubeObject) => string): EventHandler {
  return {
    onAdd: (o) => controller.enqueue(keyOf(o)),
    onUpdate: (_old, o) => controller.enqueue(keyOf(o)),
    onDelete: (o) => controller.enqueue(keyOf(deletedObject(o))),
  };
}
