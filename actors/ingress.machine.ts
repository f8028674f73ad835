/**
 * The ingress controller: connecting -> syncing -> listening -> serving -> draining ->
 * closing -> stopped. It serves only after its caches have synced (and its IngressClass
 * exists), so the first request already sees every Ingress; it binds its address after
 * that, then publishes that address on the Ingresses it serves. A failed connect, sync
 * or bind closes what was opened and tries again after a pause. `stop` drains: the proxy
 * stops accepting, requests in flight get `drainGraceMs` to finish, the status writer
 * finishes its write. No leader election: run one per cluster (two would each publish
 * their own address). The I/O is src/ingress/effects.ts.
 */
import { assign, setup } from 'xstate';
import { ingressEffects, type IngressControllerOptions, type IngressSet } from '../src/ingress/effects.ts';
import type { BoundAddress } from '../src/ingress/listen.ts';

export interface IngressControllerInput extends IngressControllerOptions {
  natsUrl: string;
  retryMs?: number;
  syncTimeoutMs?: number;
  /** How long requests in flight may take to finish on stop (default 5 s). */
  drainGraceMs?: number;
}

interface IngressContext {
  input: IngressControllerInput;
  set?: IngressSet;
  address?: BoundAddress;
  stopRequested: boolean;
  lastError?: string;
}

type IngressEvent = { type: 'stop' };

const controllerOptions = (input: IngressControllerInput): IngressControllerOptions => {
  const { natsUrl: _n, retryMs: _r, syncTimeoutMs: _s, drainGraceMs: _d, ...options } = input;
  return options;
};

export const ingressMachine = setup({
  types: {
    input: {} as IngressControllerInput,
    context: {} as IngressContext,
    events: {} as IngressEvent,
  },
  actors: ingressEffects,
  actions: { recordError: assign({ lastError: ({ event }) => String((event as { error?: unknown }).error) }) },
  guards: { stopRequested: ({ context }) => context.stopRequested },
  delays: { retry: ({ context }) => context.input.retryMs ?? 1_000 },
}).createMachine({
  id: 'ingress',
  context: ({ input }) => ({ input, stopRequested: false }),
  on: { stop: { actions: assign({ stopRequested: true }) } },
  initial: 'connecting',
  states: {
    connecting: {
      invoke: {
        src: 'open',
        input: ({ context }) => ({ natsUrl: context.input.natsUrl, options: controllerOptions(context.input) }),
        onDone: [
          { guard: 'stopRequested', target: 'closing', actions: assign({ set: ({ event }) => event.output }) },
          { target: 'syncing', actions: assign({ set: ({ event }) => event.output }) },
        ],
        onError: [{ guard: 'stopRequested', target: 'stopped' }, { target: 'pausing', actions: 'recordError' }],
      },
    },
    pausing: {
      on: { stop: { target: 'stopped', actions: assign({ stopRequested: true }) } },
      after: { retry: 'connecting' },
    },
    syncing: {
      on: { stop: { target: 'closing', actions: assign({ stopRequested: true }) } },
      invoke: {
        src: 'syncCaches',
        input: ({ context }) => ({ set: context.set!, timeoutMs: context.input.syncTimeoutMs ?? 60_000 }),
        onDone: 'listening',
        onError: { target: 'closing', actions: 'recordError' },
      },
    },
    listening: {
      invoke: {
        src: 'listen',
        input: ({ context }) => ({ set: context.set! }),
        onDone: [
          { guard: 'stopRequested', target: 'draining', actions: assign({ address: ({ event }) => event.output }) },
          { target: 'serving', actions: assign({ address: ({ event }) => event.output }) },
        ],
        onError: { target: 'closing', actions: 'recordError' },
      },
    },
    serving: {
      on: { stop: { target: 'draining', actions: assign({ stopRequested: true }) } },
      invoke: { src: 'serve', input: ({ context }) => ({ set: context.set! }) },
    },
    draining: {
      invoke: {
        src: 'drain',
        input: ({ context }) => ({ set: context.set, graceMs: context.input.drainGraceMs ?? 5_000 }),
        onDone: 'closing',
        onError: 'closing',
      },
    },
    closing: {
      invoke: {
        src: 'close',
        input: ({ context }) => ({ set: context.set }),
        onDone: [{ guard: 'stopRequested', target: 'stopped' }, { target: 'pausing' }],
        onError: [{ guard: 'stopRequested', target: 'stopped' }, { target: 'pausing' }],
      },
      exit: assign({ set: undefined, address: undefined }),
    },
    stopped: { type: 'final' },
  },
});
