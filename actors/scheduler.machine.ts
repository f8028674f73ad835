/**
 * The scheduler: connecting -> standby -> running(syncing -> scheduling) -> stopping ->
 * closing -> releasing -> stopped, as the controller manager. Its leader elector (a child
 * for the machine's whole life) competes for the Lease kube-system/kube-scheduler; pods
 * are scheduled only while it leads. A lost lease drains the term's Scheduler (bindings in
 * flight finish) and waits in standby again, its connection and informer caches kept, so
 * the next term re-lists nothing; `stop` drains, closes the connection, then lets the
 * elector release the lease so a successor takes over at once. A failed connect or cache
 * sync is retried after a pause. `leaderElect: false` runs without a Lease. The I/O is
 * src/scheduler/effects.ts.
 */
import { assign, setup, type ActorRefFrom } from 'xstate';
import { SCHEDULER_LEASE, schedulerEffects, type SchedulerConnection } from '../src/scheduler/effects.ts';
import type { Scheduler, SchedulerOptions } from '../src/scheduler/scheduler.ts';
import { leaderElectorMachine, type LeaderElectorParentEvent } from './leader-elector.machine.ts';
import { candidateIdentity, electorInput, leaderElectedGuards, type LeaderElectedContext, type LeaderElectedInput } from './leader-elected.ts';

export interface SchedulerInput extends SchedulerOptions, LeaderElectedInput {
  syncTimeoutMs?: number;
}

interface SchedulerContext extends LeaderElectedContext {
  input: SchedulerInput;
  connection?: SchedulerConnection;
  /** This term's Scheduler, while leading. */
  scheduler?: Scheduler;
  lastError?: string;
}

type SchedulerEvent = { type: 'stop' } | LeaderElectorParentEvent;

const schedulerOptions = (input: SchedulerInput): SchedulerOptions => {
  const { natsUrl: _n, retryMs: _r, leaderElect: _l, identity: _i, lease: _le, leaseTiming: _t, syncTimeoutMs: _s, systemIdPrefix: _x, ...options } = input;
  return options;
};

export const schedulerMachine = setup({
  types: {
    input: {} as SchedulerInput,
    context: {} as SchedulerContext,
    events: {} as SchedulerEvent,
  },
  actors: { ...schedulerEffects, leaderElector: leaderElectorMachine },
  guards: leaderElectedGuards,
  delays: { retry: ({ context }) => context.input.retryMs ?? 1_000 },
}).createMachine({
  id: 'scheduler',
  context: ({ input, spawn }) => {
    const elector = electorInput(input, candidateIdentity(input), SCHEDULER_LEASE);
    return {
      input,
      stopRequested: false,
      elector: elector && spawn('leaderElector', { id: 'leaderElector', systemId: `${input.systemIdPrefix ?? ''}schedulerLeaderElector`, input: elector }),
    };
  },
  on: { stop: { actions: assign({ stopRequested: true }) } },
  initial: 'connecting',
  states: {
    connecting: {
      on: { stop: { target: 'releasing', actions: assign({ stopRequested: true }) } },
      invoke: {
        src: 'open',
        input: ({ context }) => ({ natsUrl: context.input.natsUrl }),
        onDone: { target: 'standby', actions: assign({ connection: ({ event }) => event.output }) },
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
      on: {
        stop: { target: 'stopping', actions: assign({ stopRequested: true }) },
        'leader.lost': 'stopping',
      },
      initial: 'syncing',
      states: {
        syncing: {
          invoke: {
            src: 'startTerm',
            input: ({ context }) => ({ connection: context.connection!, options: schedulerOptions(context.input), timeoutMs: context.input.syncTimeoutMs ?? 60_000 }),
            onDone: { target: 'scheduling', actions: assign({ scheduler: ({ event }) => event.output }) },
            onError: { target: 'pausing', actions: assign({ lastError: ({ event }) => String(event.error) }) },
          },
        },
        pausing: { after: { retry: 'syncing' } },
        scheduling: { invoke: { src: 'schedule', input: ({ context }) => ({ scheduler: context.scheduler! }) } },
      },
    },
    stopping: {
      invoke: {
        src: 'drain',
        input: ({ context }) => ({ scheduler: context.scheduler }),
        onDone: [{ guard: 'stopRequested', target: 'closing' }, { target: 'standby' }],
        onError: [{ guard: 'stopRequested', target: 'closing' }, { target: 'standby' }],
      },
      exit: assign({ scheduler: undefined }),
    },
    closing: {
      invoke: {
        src: 'close',
        input: ({ context }) => ({ connection: context.connection }),
        onDone: [{ guard: 'stopRequested', target: 'releasing' }, { target: 'connecting' }],
        onError: [{ guard: 'stopRequested', target: 'releasing' }, { target: 'connecting' }],
      },
      exit: assign({ connection: undefined }),
    },
    releasing: {
      entry: ({ context }) => context.elector?.send({ type: 'stop' }),
      always: { guard: 'electorDone', target: 'stopped' },
      on: { '*': { guard: 'electorDone', target: 'stopped' } },
    },
    stopped: { type: 'final' },
  },
});
