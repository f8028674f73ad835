/**
 * The I/O of leader election, as actors the elector machine invokes: read the Lease, ask
 * the pure decision, write what it says (create, or a compare-and-set update on the
 * resourceVersion it read). A write that loses its race is an answer, not an error: we
 * do not lead this round. Tests swap these with .provide().
 */
import { fromPromise } from 'xstate';
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { ApiClient } from '../../client/api-client.ts';
import { componentLogger } from '../../log.ts';
import { decideAcquireOrRenew, decideOptimisticRenew, decideRelease, leaseName, type LeaderElectionTiming, type LeaseKey, type Observation } from './decide.ts';

export const LEASES = 'leases.coordination.k8s.io';

const log = componentLogger('leader-election');

export interface TryInput {
  client: ApiClient;
  identity: string;
  timing: LeaderElectionTiming;
  lease: LeaseKey;
  observed?: Observation;
  now: number;
}

export interface TryOutput {
  leading: boolean;
  holder?: string;
  observed?: Observation;
}

/**
 * A leader first renews from its own last write, one update instead of a read and an
 * update (client-go's fast path since Kubernetes 1.28): under load each API call can
 * take seconds, and the renew deadline is 10 s. Any failure falls back to reading.
 */
export async function tryAcquireOrRenew(input: TryInput): Promise<TryOutput> {
  const renewal = decideOptimisticRenew(input.identity, input.timing, input.lease, input.observed, input.now);
  if (renewal) {
    const began = performance.now();
    try {
      const written = await input.client.update(LEASES, renewal);
      warnIfSlow(input, { updateMs: Math.round(performance.now() - began) }, performance.now() - began);
      return { leading: true, holder: input.identity, observed: { resourceVersion: written.metadata.resourceVersion ?? '', at: input.now, written } };
    } catch (error) {
      log.info({ lease: leaseName(input.lease), err: error }, 'optimistic lease renewal failed; reading the Lease');
    }
  }
  return readAndTry(input);
}

function warnIfSlow(input: TryInput, figures: Record<string, number>, tookMs: number): void {
  // Half the renew deadline gone in one round: the next slow one loses the lease.
  if (tookMs >= input.timing.renewDeadlineMs / 2) log.warn({ lease: leaseName(input.lease), ...figures }, 'slow lease renewal: the API server answers late');
}

async function readAndTry(input: TryInput): Promise<TryOutput> {
  const began = performance.now();
  const current = await getLease(input.client, input.lease);
  const read = performance.now();
  const decision = decideAcquireOrRenew(input.identity, input.timing, input.lease, current, input.observed, input.now);
  try {
    switch (decision.type) {
      case 'held':
        return { leading: false, holder: decision.holder, observed: decision.observed };
      case 'create':
      case 'update': {
        const written =
          decision.type === 'create' ? await input.client.create(LEASES, decision.lease) : await input.client.update(LEASES, decision.lease);
        const wrote = performance.now();
        warnIfSlow(input, { getMs: Math.round(read - began), writeMs: Math.round(wrote - read) }, wrote - began);
        return { leading: true, holder: input.identity, observed: { resourceVersion: written.metadata.resourceVersion ?? '', at: input.now, written } };
      }
      default: {
        const unknown: never = decision;
        throw new Error(`unknown decision ${JSON.stringify(unknown)}`);
      }
    }
  } catch (error) {
    // AlreadyExists or Conflict: someone else wrote first; their record is observed next round.
    if (error instanceof StatusError && error.code === 409) return { leading: false, ...(input.observed ? { observed: input.observed } : {}) };
    throw error;
  }
}

/** Tries before a release gives up: a renewal still in flight can land between our read and our write. */
const RELEASE_ATTEMPTS = 5;

export async function releaseLease(input: { client: ApiClient; identity: string; lease: LeaseKey; now: number }): Promise<void> {
  for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
    const released = decideRelease(input.identity, await getLease(input.client, input.lease), input.now);
    if (!released) return;
    try {
      await input.client.update(LEASES, released);
      return;
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) return;
      // Our own renewal landed after the read: read again, and release if we still hold it.
      if (!(error instanceof StatusError && error.code === 409)) throw error;
    }
  }
}

async function getLease(client: ApiClient, lease: LeaseKey): Promise<KubeObject | undefined> {
  try {
    return await client.get(LEASES, lease.namespace, lease.name);
  } catch (error) {
    if (error instanceof StatusError && error.code === 404) return undefined;
    throw error;
  }
}

export const leaderElectionEffects = {
  connect: fromPromise<ApiClient, { natsUrl: string; identity: string }>(({ input }) => ApiClient.connect(input.natsUrl, `leader-elector-${input.identity}`, { timeoutMs: 5_000, fieldManager: 'leader-elector' })),
  tryAcquireOrRenew: fromPromise<TryOutput, TryInput>(({ input }) => tryAcquireOrRenew(input)),
  release: fromPromise<void, { client: ApiClient; identity: string; lease: LeaseKey; now: number }>(({ input }) => releaseLease(input)),
  disconnect: fromPromise<void, { client?: ApiClient }>(async ({ input }) => {
    await input.client?.close();
  }),
};
