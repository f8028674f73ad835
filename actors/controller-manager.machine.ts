/**
 * The controller manager: connecting -> running -> stopping -> closing -> stopped.
 * Once connected it spawns one controller machine per controller (each waits for its
 * own caches, then reconciles); `stop` drains every controller before the connection
 * closes. A failed connect is retried after a pause. Leader election by Lease is not
 * done yet, so exactly one controller manager should run per cluster.
 */
import { assign, fromPromise, setup, type ActorRefFrom } from 'xstate';
import { closeControllerSet, openControllerSet, type ControllerManagerOptions, type ControllerSet } from '../src/controllers/manager.ts';
import { controllerMachine } from './controllers/controller.machine.ts';

export interface ControllerManagerInput extends ControllerManagerOptions {
  natsUrl: string;
  retryMs?: number;
}

interface ControllerManagerContext {
  input: ControllerManagerInput;
  set?: ControllerSet;
  controllers: ActorRefFrom<typeof controllerMachine>[];
  lastError?: string;
}

export const controllerManagerMachine = setup({
  types: {
    input: {} as ControllerManagerInput,
    context: {} as ControllerManagerContext,
    events: {} as { type: 'stop' },
  },
  actors: {
    controller: controllerMachine,
    open: fromPromise<ControllerSet, ControllerManagerInput>(({ input }) => openControllerSet(input.natsUrl, input)),
    close: fromPromise<void, { set?: ControllerSet }>(async ({ input }) => {
      if (input.set) await closeControllerSet(input.set);
    }),
  },
  guards: {
    allStopped: ({ context }) => context.controllers.every((c) => c.getSnapshot().status !== 'active'),
  },
  delays: { retry: ({ context }) => context.input.retryMs ?? 1_000 },
}).createMachine({
  id: 'controllerManager',
  context: ({ input }) => ({ input, controllers: [] }),
  initial: 'connecting',
  states: {
    connecting: {
      on: { stop: 'stopped' },
      invoke: {
        src: 'open',
        input: ({ context }) => context.input,
        onDone: {
          target: 'running',
          actions: assign({
            set: ({ event }) => event.output,
            controllers: ({ event, spawn }) =>
              event.output.controllers.map((controller) => spawn('controller', { id: controller.name, systemId: controller.name, input: { controller } })),
          }),
        },
        onError: { target: 'pausing', actions: assign({ lastError: ({ event }) => String(event.error) }) },
      },
    },
    pausing: {
      on: { stop: 'stopped' },
      after: { retry: 'connecting' },
    },
    running: {
      on: { stop: 'stopping' },
    },
    stopping: {
      entry: ({ context }) => context.controllers.forEach((c) => c.send({ type: 'stop' })),
      always: { guard: 'allStopped', target: 'closing' },
      on: { '*': { guard: 'allStopped', target: 'closing' } },
    },
    closing: {
      invoke: { src: 'close', input: ({ context }) => ({ set: context.set }), onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
  },
});
