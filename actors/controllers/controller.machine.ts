/**
 * One controller's lifecycle: waitingForSync -> running -> stopping -> stopped.
 * It reconciles nothing before every cache it reads has synced; `stop` drops the queued
 * keys and lets in-flight reconciles finish. A cache that fails to sync is retried after a pause. The
 * controller itself (informers, handlers, reconcile) is a src/controllers/runtime
 * Controller given as input; its I/O runs in the invoked actors of runtime/effects.ts.
 */
import { assign, setup } from 'xstate';
import type { Controller } from '../../src/controllers/runtime/controller.ts';
import { drainWorkers, runWorkers, syncCaches } from '../../src/controllers/runtime/effects.ts';

export interface ControllerMachineInput {
  controller: Controller;
  syncTimeoutMs?: number;
  syncRetryMs?: number;
}

interface ControllerMachineContext {
  controller: Controller;
  syncTimeoutMs: number;
  syncRetryMs: number;
  lastError?: string;
}

export const controllerMachine = setup({
  types: {
    input: {} as ControllerMachineInput,
    context: {} as ControllerMachineContext,
    events: {} as { type: 'stop' },
  },
  actors: { syncCaches, runWorkers, drainWorkers },
  delays: { syncRetry: ({ context }) => context.syncRetryMs },
}).createMachine({
  id: 'controller',
  context: ({ input }) => ({
    controller: input.controller,
    syncTimeoutMs: input.syncTimeoutMs ?? 60_000,
    syncRetryMs: input.syncRetryMs ?? 1_000,
  }),
  initial: 'waitingForSync',
  states: {
    waitingForSync: {
      on: { stop: 'stopping' },
      initial: 'syncing',
      states: {
        syncing: {
          invoke: {
            src: 'syncCaches',
            input: ({ context }) => ({ controller: context.controller, timeoutMs: context.syncTimeoutMs }),
            onDone: '#controller.running',
            onError: { target: 'pausing', actions: assign({ lastError: ({ event }) => String(event.error) }) },
          },
        },
        pausing: { after: { syncRetry: 'syncing' } },
      },
    },
    running: {
      invoke: { src: 'runWorkers', input: ({ context }) => ({ controller: context.controller }) },
      on: { stop: 'stopping' },
    },
    stopping: {
      invoke: {
        src: 'drainWorkers',
        input: ({ context }) => ({ controller: context.controller }),
        onDone: 'stopped',
        onError: 'stopped',
      },
    },
    stopped: { type: 'final' },
  },
});
