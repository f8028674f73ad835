/**
 * What the scheduler and the controller manager share as leader-elected components, as
 * kube-scheduler and kube-controller-manager share client-go's leaderelection: their
 * --leader-elect inputs, a leader elector child spawned for the component's whole life,
 * and the guards its lifecycle states ask (am I leading? has the elector let go? was I
 * told to stop?).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { ActorRefFrom } from 'xstate';
import type { LeaderElectionTiming, LeaseKey } from '../src/controllers/leader-election/decide.ts';
import type { leaderElectorMachine, LeaderElectorInput } from './leader-elector.machine.ts';

export interface LeaderElectedInput {
  natsUrl: string;
  /** Pause before retrying a failed connect (default 1 s). */
  retryMs?: number;
  /** Compete for the Lease before working (default true, as --leader-elect). */
  leaderElect?: boolean;
  /** This candidate's holderIdentity (default: hostname_uuid, as Kubernetes). */
  identity?: string;
  lease?: LeaseKey;
  leaseTiming?: Partial<LeaderElectionTiming>;
  /** Prefixes the system ids of its children, so two instances can share one actor system (`jetkube up`'s standbys). */
  systemIdPrefix?: string;
}

export interface LeaderElectedContext {
  elector?: ActorRefFrom<typeof leaderElectorMachine>;
  stopRequested: boolean;
}

/** hostname_uuid, as Kubernetes names a candidate. */
export const candidateIdentity = (input: LeaderElectedInput): string => input.identity ?? `${hostname()}_${randomUUID()}`;

/** The elector's input for this component, or undefined when it runs without leader election. */
export function electorInput(input: LeaderElectedInput, identity: string, defaultLease?: LeaseKey): LeaderElectorInput | undefined {
  if (input.leaderElect === false) return undefined;
  const lease = input.lease ?? defaultLease;
  return {
    natsUrl: input.natsUrl,
    identity,
    ...(lease ? { lease } : {}),
    ...(input.leaseTiming ? { timing: input.leaseTiming } : {}),
  };
}

export const leaderElectedGuards = {
  leading: ({ context }: { context: LeaderElectedContext }) => !context.elector || context.elector.getSnapshot().matches('leader'),
  electorDone: ({ context }: { context: LeaderElectedContext }) => !context.elector || context.elector.getSnapshot().status !== 'active',
  stopRequested: ({ context }: { context: LeaderElectedContext }) => context.stopRequested,
};
