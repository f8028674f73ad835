/**
 * SharedInformer: one reflector feeding one Indexer, and any number of event handlers.
 * The cache is updated before handlers hear of a change, so a handler (or the sync it
 * triggers) reading the cache sees at least that change. A handler added after the
 * first list hears an onAdd for everything already cached, so late joiners miss nothing.
 * hasSynced() is true once the first list is in the cache; controllers wait for it
 * before they reconcile anything.
 */
import { createActor, waitFor, type Actor } from 'xstate';
import type { KubeObject } from '../api/object.ts';
import { componentLogger } from '../log.ts';
import { reflectorMachine, type ReflectorSink } from '../../actors/reflector.machine.ts';
import { realClock, type Clock } from './clock.ts';
import { eventDelta, replaceDeltas, type Delta } from './deltas.ts';
import { deliver, type EventHandler, type HandlerOptions, type HandlerRegistration } from './event-handlers.ts';
import { Indexer, defaultIndexers, type Indexers } from './indexer.ts';
import type { ListerWatcher } from './list-watcher.ts';
import type { ObjectTransform } from './transforms.ts';

const log = componentLogger('informer');

/** Cached objects handed to a late handler between two turns of the event loop. */
const REPLAY_CHUNK = 500;

export interface InformerOptions {
  clock?: Clock;
  indexers?: Indexers;
  watchTimeoutSeconds?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Applied to every object before it is cached or handed to a handler. */
  transform?: ObjectTransform;
  /**
   * Which objects to cache (default all): one that fails is as if the watch had not sent
   * it, and one that stops passing is deleted from the cache. For a selection the API
   * cannot express, such as the pods of a set of nodes (a field selector takes one).
   */
  keep?: (object: KubeObject) => boolean;
}

interface Registered {
  handler: EventHandler;
  cancelResync?: () => void;
}

export class SharedInformer {
  readonly indexer: Indexer;
  private readonly clock: Clock;
  private readonly handlers = new Set<Registered>();
  private actor?: Actor<typeof reflectorMachine>;
  private initialListDone = false;

  constructor(
    readonly lw: ListerWatcher,
    private readonly options: InformerOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.indexer = new Indexer(options.indexers ?? defaultIndexers);
  }

  addEventHandler(handler: EventHandler, options: HandlerOptions = {}): HandlerRegistration {
    const registered: Registered = { handler };
    this.handlers.add(registered);
    const synced = this.initialListDone ? this.replay(registered) : Promise.resolve();
    if (options.resyncPeriodMs && options.resyncPeriodMs > 0) this.armResync(registered, options.resyncPeriodMs);
    return {
      remove: () => {
        registered.cancelResync?.();
        this.handlers.delete(registered);
      },
      synced,
    };
  }

  /**
   * A late handler hears of every cached object, in chunks that yield to the event loop:
   * a controller manager leading again at 85,000 pods replayed them all to every
   * handler in one go, blocked its event loop for 95 s and lost its Lease again. Live
   * changes reach the handler meanwhile; an object deleted before its turn is skipped.
   */
  private async replay(registered: Registered): Promise<void> {
    const keys = this.indexer.listKeys();
    for (let from = 0; from < keys.length; from += REPLAY_CHUNK) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      if (!this.handlers.has(registered)) return;
      for (const key of keys.slice(from, from + REPLAY_CHUNK)) {
        const object = this.indexer.get(key);
        if (object) this.call(registered.handler, { type: 'added', key, object }, true);
      }
    }
  }

  /** Starts the reflector (once). */
  run(): void {
    if (this.actor) return;
    this.actor = createActor(reflectorMachine, {
      input: {
        lw: this.lw,
        sink: this.sink,
        watchTimeoutSeconds: this.options.watchTimeoutSeconds,
        backoffInitialMs: this.options.backoffInitialMs,
        backoffMaxMs: this.options.backoffMaxMs,
      },
    });
    this.actor.start();
  }

  get started(): boolean {
    return this.actor !== undefined;
  }

  hasSynced(): boolean {
    return this.actor?.getSnapshot().context.synced ?? false;
  }

  /** Resolves true once synced, false if the timeout passes first or the informer stops. */
  async waitForSync(timeoutMs = 30_000): Promise<boolean> {
    if (!this.actor) throw new Error('waitForSync before run()');
    try {
      await waitFor(this.actor, (s) => s.context.synced || s.status === 'done', { timeout: timeoutMs });
    } catch {
      return false;
    }
    return this.hasSynced();
  }

  /** The reflector's state and counters, for logs, tests and the dashboard. */
  reflectorState(): { state: unknown; resourceVersion: string; lists: number; failures: number; lastError?: string } | undefined {
    const snapshot = this.actor?.getSnapshot();
    if (!snapshot) return undefined;
    const { resourceVersion, lists, failures, lastError } = snapshot.context;
    return { state: snapshot.value, resourceVersion, lists, failures, lastError };
  }

  stop(): void {
    for (const registered of this.handlers) registered.cancelResync?.();
    this.actor?.send({ type: 'stop' });
  }

  private readonly sink: ReflectorSink = {
    replace: (listed: KubeObject[]) => {
      const initial = !this.initialListDone;
      const { transform, keep } = this.options;
      const kept = keep ? listed.filter(keep) : listed;
      const objects = transform ? kept.map(transform) : kept;
      for (const delta of replaceDeltas(this.indexer.snapshot(), objects)) this.applyDelta(delta, initial);
      this.initialListDone = true;
    },
    apply: (type, received) => {
      const dropped = this.options.keep !== undefined && type !== 'DELETED' && !this.options.keep(received);
      const object = this.options.transform ? this.options.transform(received) : received;
      const delta = eventDelta(this.indexer, dropped ? 'DELETED' : type, object);
      if (delta) this.applyDelta(delta, false);
    },
  };

  private applyDelta(delta: Delta, isInInitialList: boolean): void {
    if (delta.type === 'deleted') this.indexer.delete(delta.key);
    else this.indexer.upsert(delta.object);
    for (const { handler } of this.handlers) this.call(handler, delta, isInInitialList);
  }

  private call(handler: EventHandler, delta: Delta, isInInitialList: boolean): void {
    try {
      deliver(handler, delta, isInInitialList);
    } catch (err) {
      log.error({ err, resource: this.lw.selection.resource, key: delta.key }, 'event handler failed');
    }
  }

  private armResync(registered: Registered, periodMs: number): void {
    registered.cancelResync = this.clock.setTimer(() => {
      if (!this.handlers.has(registered)) return;
      if (this.initialListDone) {
        for (const object of this.indexer.list()) this.call(registered.handler, { type: 'updated', key: '', old: object, object }, false);
      }
      this.armResync(registered, periodMs);
    }, periodMs);
  }
}
