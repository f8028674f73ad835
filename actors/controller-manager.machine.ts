/**
 * The controller manager: connecting -> standby -> running -> stopping -> closing ->
 * releasing -> stopped. Its leader elector (a child for the machine's whole life)
 * competes for the Lease kube-system/kube-controller-manager; controllers run only while
 * it leads, as kube-controller-manager's: once connected the manager waits in standby,
 * spawns one controller machine per controller (a fresh set each term) when elected, and
 * stops them when the lease is lost (then waits in standby again, its connection and
 * informer caches kept, so the next term re-lists nothing) or on `stop` (then closes the
 * connection and lets the elector release the lease, so a successor takes over at once).
 * kube-controller-manager exits on a lost lease and starts cold; keeping the caches is
 * what makes losing the lease under load cost seconds, not a re-list of every object.
 * A failed connect is retried after a pause. `leaderElect: false` runs without a Lease.
 */
import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom } from 'xstate';
import {
  closeControllerManager,
  connectControllerManager,
  newControllers,
  type ControllerManagerConnection,
  type ControllerManagerOptions,
} from '../src/controllers/manager.ts';
import { controllerMachine } from './controllers/controller.machine.ts';
import { leaderElectorMachine, type LeaderElectorParentEvent } from './leader-elector.machine.ts';
import { candidateIdentity, electorInput, leaderElectedGuards, type LeaderElectedContext, type LeaderElectedInput } from './leader-elected.ts';
import { publishControllerStates } from '../streams/controller-states.ts';
import { publishControllerStatesActor } from '../src/dashboard/publish-controller-states.ts';

export interface ControllerManagerInput extends ControllerManagerOptions, LeaderElectedInput {}

interface ControllerManagerContext extends LeaderElectedContext {
  input: ControllerManagerInput;
  /** This candidate's holderIdentity, also the name its controller states are published under. */
  identity: string;
  set?: ControllerManagerConnection;
  controllers: ActorRefFrom<typeof controllerMachine>[];
  lastError?: string;
}

type ControllerManagerEvent = { type: 'stop' } | LeaderElectorParentEvent;

/** Where `stopping` goes once every controller has stopped: closing for good, or standby for the next term. */
const ONCE_STOPPED = [
  { guard: 'stoppedForGood', target: 'closing' },
  { guard: 'allStopped', target: 'standby' },
] as const;

export const controllerManagerMachine = setup({
  types: {
    input: {} as ControllerManagerInput,
    context: {} as ControllerManagerContext,
    events: {} as ControllerManagerEvent,
  },
  actors: {
    controller: controllerMachine,
    leaderElector: leaderElectorMachine,
    publishStates: publishControllerStatesActor,
    open: fromPromise<ControllerManagerConnection, ControllerManagerInput>(({ input }) => connectControllerManager(input.natsUrl)),
    close: fromPromise<void, { set?: ControllerManagerConnection }>(async ({ input }) => {
      if (input.set) await closeControllerManager(input.set);
    }),
  },
  guards: {
    allStopped: ({ context }) => context.controllers.every((c) => c.getSnapshot().status !== 'active'),
    stoppedForGood: ({ context }) => context.stopRequested && context.controllers.every((c) => c.getSnapshot().status !== 'active'),
    ...leaderElectedGuards,
  },
  delays: { retry: ({ context }) => context.input.retryMs ?? 1_000 },
}).createMachine({
  id: 'controllerManager',
  context: ({ input, spawn }) => {
    const identity = candidateIdentity(input);
    const elector = electorInput(input, identity);
    return {
      input,
      identity,
      controllers: [],
      stopRequested: false,
      elector: elector && spawn('leaderElector', { id: 'leaderElector', systemId: `${input.systemIdPrefix ?? ''}leaderElector`, input: elector }),
    };
  },
  on: { stop: { actions: assign({ stopRequested: true }) } },
  initial: 'connecting',
  states: {
    connecting: {
      on: { stop: { target: 'releasing', actions: assign({ stopRequested: true }) } },
      invoke: {
        src: 'open',
        input: ({ context }) => context.input,
        onDone: { target: 'standby', actions: assign({ set: ({ event }) => event.output }) },
        onError: { target: 'pausing', actions: assign({ lastError: ({ event }) => String(event.error) }) },
      },
    },
    pausing: {
      on: { stop: { target: 'releasing', actions: assign({ stopRequested: true }) } },
      after: { retry: 'connecting' },
    },
    standby: {
      always: { guard: 'leading', target: 'running' },
      on: {
        'leader.elected': 'running',
        stop: { target: 'closing', actions: assign({ stopRequested: true }) },
      },
    },
    running: {
      entry: assign({
        controllers: ({ context, spawn }) =>
          newControllers(context.set!, context.input).map((controller) => spawn('controller', { id: controller.name, systemId: `${context.input.systemIdPrefix ?? ''}${controller.name}`, input: { controller } })),
      }),
      // Each controller machine's state, for the dashboard (streams/controller-states.ts).
      invoke: {
        src: 'publishStates',
        input: ({ context }) => ({
          publish: (report) => publishControllerStates(context.set!.client.nc, report),
          identity: context.identity,
          controllers: context.controllers,
        }),
      },
      on: {
        stop: { target: 'stopping', actions: assign({ stopRequested: true }) },
        'leader.lost': 'stopping',
      },
    },
    stopping: {
      entry: ({ context }) => context.controllers.forEach((c) => c.send({ type: 'stop' })),
      always: ONCE_STOPPED,
      on: {
        stop: { actions: assign({ stopRequested: true }) },
        '*': ONCE_STOPPED,
      },
      // Stopped controllers leave the system, so a later term can spawn them under the same ids.
      exit: [enqueueActions(({ context, enqueue }) => context.controllers.forEach((c) => enqueue.stopChild(c))), assign({ controllers: [] })],
    },
    closing: {
      invoke: {
        src: 'close',
        input: ({ context }) => ({ set: context.set }),
        onDone: [{ guard: 'stopRequested', target: 'releasing' }, { target: 'connecting' }],
        onError: [{ guard: 'stopRequested', target: 'releasing' }, { target: 'connecting' }],
      },
      exit: assign({ set: undefined }),
    },
    releasing: {
      entry: ({ context }) => context.elector?.send({ type: 'stop' }),
      always: { guard: 'electorDone', target: 'stopped' },
      on: { '*': { guard: 'electorDone', target: 'stopped' } },
    },
    stopped: { type: 'final' },
  },
});
