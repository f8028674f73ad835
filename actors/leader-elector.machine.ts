/**
 * One candidate for a Lease: connecting -> follower -> leader -> steppingDown -> stopped.
 * A follower tries to acquire every retryPeriod; a leader renews every retryPeriod and
 * steps down when it sees another holder or has not renewed for renewDeadline (before
 * the lease can expire under it). `stop` releases a held lease, so a successor need not
 * wait it out. The parent hears `leader.elected`, `leader.lost` and `leader.released`;
 * the decisions are src/controllers/leader-election/decide.ts, the I/O its effects.ts.
 */
import { assign, sendParent, setup } from 'xstate';
import type { ApiClient } from '../src/client/api-client.ts';
import { CONTROLLER_MANAGER_LEASE, DEFAULT_TIMING, leaseName, type LeaderElectionTiming, type LeaseKey, type Observation } from '../src/controllers/leader-election/decide.ts';
import { leaderElectionEffects, type TryOutput } from '../src/controllers/leader-election/effects.ts';
import { componentLogger } from '../src/log.ts';

const log = componentLogger('leader-election');

export interface LeaderElectorInput {
  natsUrl: string;
  identity: string;
  lease?: LeaseKey;
  timing?: Partial<LeaderElectionTiming>;
  /** The clock the decisions read (tests pass a SimulatedClock's). */
  now?: () => number;
}

interface LeaderElectorContext {
  natsUrl: string;
  identity: string;
  lease: LeaseKey;
  timing: LeaderElectionTiming;
  now: () => number;
  client?: ApiClient;
  observed?: Observation;
  lastRenewAt: number;
  holder?: string;
  lastError?: string;
}

export type LeaderElectorParentEvent = { type: 'leader.elected' } | { type: 'leader.lost' } | { type: 'leader.released' };

export const leaderElectorMachine = setup({
  types: {
    input: {} as LeaderElectorInput,
    context: {} as LeaderElectorContext,
    events: {} as { type: 'stop' },
  },
  actors: leaderElectionEffects,
  guards: {
    leading: ({ event }) => (event as unknown as { output: TryOutput }).output.leading,
    heldByAnother: ({ context, event }) => {
      const holder = (event as unknown as { output: TryOutput }).output.holder;
      return holder !== undefined && holder !== '' && holder !== context.identity;
    },
    pastRenewDeadline: ({ context }) => context.now() - context.lastRenewAt >= context.timing.renewDeadlineMs,
  },
  delays: { retry: ({ context }) => context.timing.retryPeriodMs },
}).createMachine({
  id: 'leaderElector',
  context: ({ input }) => ({
    natsUrl: input.natsUrl,
    identity: input.identity,
    lease: input.lease ?? CONTROLLER_MANAGER_LEASE,
    timing: { ...DEFAULT_TIMING, ...input.timing },
    now: input.now ?? Date.now,
    lastRenewAt: 0,
  }),
  initial: 'connecting',
  states: {
    connecting: {
      on: { stop: 'stopped' },
      initial: 'opening',
      states: {
        opening: {
          invoke: {
            src: 'connect',
            input: ({ context }) => ({ natsUrl: context.natsUrl, identity: context.identity }),
            onDone: { target: '#leaderElector.follower', actions: assign({ client: ({ event }) => event.output }) },
            onError: { target: 'pausing', actions: assign({ lastError: ({ event }) => String(event.error) }) },
          },
        },
        pausing: { after: { retry: 'opening' } },
      },
    },
    follower: {
      on: { stop: 'disconnecting' },
      initial: 'trying',
      states: {
        trying: {
          invoke: {
            src: 'tryAcquireOrRenew',
            input: ({ context }) => ({ client: context.client!, identity: context.identity, timing: context.timing, lease: context.lease, observed: context.observed, now: context.now() }),
            onDone: [
              {
                guard: 'leading',
                target: '#leaderElector.leader',
                actions: assign({ observed: ({ event }) => event.output.observed, holder: ({ context }) => context.identity, lastRenewAt: ({ context }) => context.now() }),
              },
              { target: 'waiting', actions: assign({ observed: ({ event }) => event.output.observed, holder: ({ event }) => event.output.holder }) },
            ],
            onError: { target: 'waiting', actions: assign({ lastError: ({ event }) => String(event.error) }) },
          },
        },
        waiting: { after: { retry: 'trying' } },
      },
    },
    leader: {
      entry: [
        sendParent({ type: 'leader.elected' }),
        ({ context }) => log.info({ lease: leaseName(context.lease), identity: context.identity }, 'successfully acquired lease'),
      ],
      on: { stop: 'steppingDown' },
      initial: 'waiting',
      states: {
        waiting: { after: { retry: 'renewing' } },
        renewing: {
          invoke: {
            src: 'tryAcquireOrRenew',
            input: ({ context }) => ({ client: context.client!, identity: context.identity, timing: context.timing, lease: context.lease, observed: context.observed, now: context.now() }),
            onDone: [
              { guard: 'leading', target: 'waiting', actions: assign({ observed: ({ event }) => event.output.observed, lastRenewAt: ({ context }) => context.now() }) },
              { guard: 'heldByAnother', target: '#leaderElector.lost', actions: assign({ holder: ({ event }) => event.output.holder }) },
              { guard: 'pastRenewDeadline', target: '#leaderElector.lost' },
              { target: 'waiting' },
            ],
            onError: [
              { guard: 'pastRenewDeadline', target: '#leaderElector.lost', actions: assign({ lastError: ({ event }) => String(event.error) }) },
              { target: 'waiting', actions: assign({ lastError: ({ event }) => String(event.error) }) },
            ],
          },
        },
      },
    },
    lost: {
      entry: [
        // client-go says this at error level: a lost lease stops the component's work until it leads again.
        ({ context }) =>
          log.warn(
            { lease: leaseName(context.lease), identity: context.identity, holder: context.holder, msSinceRenew: Math.round(context.now() - context.lastRenewAt), lastError: context.lastError },
            'leader election lost: stopped leading',
          ),
        sendParent({ type: 'leader.lost' }),
        assign({ observed: undefined }),
      ],
      always: 'follower',
    },
    steppingDown: {
      invoke: {
        src: 'release',
        input: ({ context }) => ({ client: context.client!, identity: context.identity, lease: context.lease, now: context.now() }),
        onDone: 'disconnecting',
        onError: 'disconnecting',
      },
    },
    disconnecting: {
      invoke: { src: 'disconnect', input: ({ context }) => ({ client: context.client }), onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final', entry: sendParent({ type: 'leader.released' }) },
  },
});
