/**
 * The reflector: listing -> watching -> (backingOff) -> stopped, client-go's
 * Reflector.ListAndWatch as a machine. It keeps one resource's cache (its sink) equal to
 * the API's state for one selection:
 * - it lists first and hands the whole list to the sink (replace), then watches from the
 *   list's resourceVersion with bookmarks, handing every change to the sink (apply);
 * - a watch that ends (its timeout, a server that stopped) is resumed from the last
 *   resourceVersion seen, so nothing is missed or seen twice;
 * - 410 Expired (the revision is gone, or the transport lost events) means re-list: the
 *   sink's replace turns the fresh list into the adds, updates and deletes it missed;
 * - any other failure backs off exponentially (capped) and resumes: re-list when no list
 *   has succeeded yet or the last answer was 410, watch otherwise.
 * `synced` turns true once the first list is in the sink, and stays true.
 *
 * The machine only sequences. Its I/O is listObjects / watchObjects in
 * src/informer/reflector-effects.ts; tests swap them (and the sink actions) with .provide().
 */
import { assign, setup } from 'xstate';
import type { KubeObject } from '../src/api/object.ts';
import { listObjects, watchObjects, type WatchSessionEvent } from '../src/informer/reflector-effects.ts';
import type { ListerWatcher } from '../src/informer/list-watcher.ts';

export interface ReflectorSink {
  /** The first list, and every re-list: the sink's content becomes exactly these objects. */
  replace(objects: KubeObject[], resourceVersion: string): void;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void;
}

export interface ReflectorInput {
  lw: ListerWatcher;
  sink: ReflectorSink;
  /** How long one watch lasts before it is resumed (client-go picks 5-10 min). */
  watchTimeoutSeconds?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

interface ReflectorContext {
  lw: ListerWatcher;
  sink: ReflectorSink;
  watchTimeoutSeconds: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  resourceVersion: string;
  needsList: boolean;
  synced: boolean;
  failures: number;
  lists: number;
  lastError?: string;
}

export type ReflectorEvent = WatchSessionEvent | { type: 'stop' };

export const reflectorMachine = setup({
  types: {
    input: {} as ReflectorInput,
    context: {} as ReflectorContext,
    events: {} as ReflectorEvent,
  },
  actors: { listObjects, watchObjects },
  actions: {
    replaceStore: (_, params: { objects: KubeObject[]; resourceVersion: string; sink: ReflectorSink }) =>
      params.sink.replace(params.objects, params.resourceVersion),
    applyEvent: (_, params: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; sink: ReflectorSink }) =>
      params.sink.apply(params.type, params.object),
    rememberRevision: assign({
      resourceVersion: ({ context, event }) =>
        (event.type === 'watch.event' ? event.object.metadata.resourceVersion : undefined) ?? context.resourceVersion,
      failures: 0,
    }),
  },
  guards: {
    needsList: ({ context }) => context.needsList,
    isBookmark: ({ event }) => event.type === 'watch.event' && event.eventType === 'BOOKMARK',
  },
  delays: {
    backoff: ({ context }) => Math.min(context.backoffInitialMs * 2 ** Math.max(0, context.failures - 1), context.backoffMaxMs),
  },
}).createMachine({
  id: 'reflector',
  context: ({ input }) => ({
    lw: input.lw,
    sink: input.sink,
    watchTimeoutSeconds: input.watchTimeoutSeconds ?? 300,
    backoffInitialMs: input.backoffInitialMs ?? 800,
    backoffMaxMs: input.backoffMaxMs ?? 30_000,
    resourceVersion: '',
    needsList: true,
    synced: false,
    failures: 0,
    lists: 0,
  }),
  initial: 'listing',
  on: { stop: '.stopped' },
  states: {
    listing: {
      invoke: {
        src: 'listObjects',
        input: ({ context }) => ({ lw: context.lw }),
        onDone: {
          target: 'watching',
          actions: [
            {
              type: 'replaceStore',
              params: ({ context, event }) => ({
                objects: event.output.items,
                resourceVersion: event.output.metadata.resourceVersion,
                sink: context.sink,
              }),
            },
            assign({
              resourceVersion: ({ event }) => event.output.metadata.resourceVersion,
              needsList: false,
              synced: true,
              failures: 0,
              lists: ({ context }) => context.lists + 1,
            }),
          ],
        },
        onError: {
          target: 'backingOff',
          actions: assign({
            failures: ({ context }) => context.failures + 1,
            lastError: ({ event }) => String((event.error as Error)?.message ?? event.error),
          }),
        },
      },
    },
    watching: {
      invoke: {
        src: 'watchObjects',
        input: ({ context }) => ({
          lw: context.lw,
          resourceVersion: context.resourceVersion,
          timeoutSeconds: context.watchTimeoutSeconds,
        }),
      },
      on: {
        // A bookmark moves the revision on and changes nothing in the cache.
        'watch.event': [
          { guard: 'isBookmark', actions: 'rememberRevision' },
          {
            actions: [
              {
                type: 'applyEvent',
                params: ({ context, event }) => ({
                  type: event.eventType as 'ADDED' | 'MODIFIED' | 'DELETED',
                  object: event.object,
                  sink: context.sink,
                }),
              },
              'rememberRevision',
            ],
          },
        ],
        'watch.ended': { target: 'watching', reenter: true },
        'watch.expired': {
          target: 'listing',
          actions: assign({ needsList: true, lastError: ({ event }) => event.message }),
        },
        'watch.failed': {
          target: 'backingOff',
          actions: assign({
            failures: ({ context }) => context.failures + 1,
            lastError: ({ event }) => event.message,
          }),
        },
      },
    },
    backingOff: {
      after: {
        backoff: [{ guard: 'needsList', target: 'listing' }, { target: 'watching' }],
      },
    },
    stopped: { type: 'final' },
  },
});
