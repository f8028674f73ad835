import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromPromise, setup, SimulatedClock, type AnyActorRef } from 'xstate';
import { leaderElectorMachine } from '../../actors/leader-elector.machine.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { ApiClient } from '../../src/client/api-client.ts';
import { leaseSpec } from '../../src/controllers/leader-election/decide.ts';
import { releaseLease, tryAcquireOrRenew } from '../../src/controllers/leader-election/effects.ts';

/** One Lease with compare-and-set semantics, and a switch to make one candidate's calls fail. */
class FakeLeases {
  lease?: KubeObject;
  private rv = 1;
  unreachable = new Set<string>();
  clientFor(identity: string): ApiClient {
    const check = () => {
      if (this.unreachable.has(identity)) throw new StatusError(503, 'ServiceUnavailable', 'no API server');
    };
    const copy = (o: KubeObject) => structuredClone(o);
    return {
      get: async () => {
        check();
        if (!this.lease) throw new StatusError(404, 'NotFound', 'no lease');
        return copy(this.lease);
      },
      create: async (_r: string, o: KubeObject) => {
        check();
        if (this.lease) throw new StatusError(409, 'AlreadyExists', 'exists');
        this.lease = { ...copy(o), metadata: { ...o.metadata, resourceVersion: String(++this.rv) } };
        return copy(this.lease);
      },
      update: async (_r: string, o: KubeObject) => {
        check();
        if (!this.lease) throw new StatusError(404, 'NotFound', 'no lease');
        if (o.metadata.resourceVersion !== this.lease.metadata.resourceVersion) throw new StatusError(409, 'Conflict', 'stale');
        this.lease = { ...copy(o), metadata: { ...o.metadata, resourceVersion: String(++this.rv) } };
        return copy(this.lease);
      },
    } as unknown as ApiClient;
  }
}

const TIMING = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function candidate(leases: FakeLeases, identity: string, clock: SimulatedClock, heard: string[]) {
  const elector = leaderElectorMachine.provide({
    actors: {
      connect: fromPromise(async () => leases.clientFor(identity)),
      tryAcquireOrRenew: fromPromise(({ input }) => tryAcquireOrRenew(input)),
      release: fromPromise(({ input }) => releaseLease(input)),
      disconnect: fromPromise(async () => {}),
    },
  });
  const parent = setup({ actors: { elector } }).createMachine({
    invoke: { src: 'elector', id: 'elector', input: { natsUrl: 'fake', identity, timing: TIMING, now: () => clock.now() } },
    on: { '*': { actions: ({ event }) => heard.push(event.type) } },
  });
  const actor = createActor(parent, { clock });
  actor.start();
  return { actor, elector: () => actor.getSnapshot().children.elector as AnyActorRef };
}

const flush = () => new Promise((r) => setImmediate(r));
async function advance(clock: SimulatedClock, ms: number): Promise<void> {
  await flush();
  for (let t = 0; t < ms; t += 100) {
    clock.increment(100);
    await flush();
  }
}

describe('leader elector machine (simulated clock)', () => {
  it('one leads; a leader that cannot renew steps down by the renew deadline; the other takes over after the lease duration; stop releases', async () => {
    const clock = new SimulatedClock();
    clock.set(Date.parse('2026-01-01T00:00:00Z'));
    const leases = new FakeLeases();
    const heardA: string[] = [];
    const heardB: string[] = [];
    const a = candidate(leases, 'a', clock, heardA);
    await advance(clock, 0);
    const b = candidate(leases, 'b', clock, heardB);
    await advance(clock, 6_000);
    assert.ok(a.elector().getSnapshot().matches('leader'));
    assert.ok(b.elector().getSnapshot().matches('follower'));
    assert.deepEqual(heardA, ['leader.elected']);
    assert.equal(leaseSpec(leases.lease!).holderIdentity, 'a');
    const renewedAt = Date.parse(leaseSpec(leases.lease!).renewTime!);
    assert.ok(renewedAt >= clock.now() - TIMING.retryPeriodMs, 'renewed every retry period');

    leases.unreachable.add('a');
    await advance(clock, TIMING.renewDeadlineMs - 2_000);
    assert.ok(a.elector().getSnapshot().matches('leader'), 'still leads inside the renew deadline');
    await advance(clock, 2_200);
    assert.ok(!a.elector().getSnapshot().matches('leader'), 'stepped down at the renew deadline');
    assert.deepEqual(heardA, ['leader.elected', 'leader.lost']);
    assert.ok(b.elector().getSnapshot().matches('follower'), 'the lease has not expired yet for b');

    // b watched the record stop changing at its try after a's last renewal; it expires a lease duration later.
    await advance(clock, TIMING.leaseDurationMs - TIMING.renewDeadlineMs + 2 * TIMING.retryPeriodMs);
    assert.ok(b.elector().getSnapshot().matches('leader'));
    assert.equal(leaseSpec(leases.lease!).holderIdentity, 'b');
    assert.equal(leaseSpec(leases.lease!).leaseTransitions, 1);

    leases.unreachable.delete('a');
    b.elector().send({ type: 'stop' });
    await advance(clock, 0);
    assert.equal(b.elector().getSnapshot().status, 'done');
    assert.deepEqual(heardB.slice(-2), ['leader.released', 'xstate.done.actor.elector']);
    assert.equal(leaseSpec(leases.lease!).holderIdentity, '');
    await advance(clock, TIMING.retryPeriodMs);
    assert.ok(a.elector().getSnapshot().matches('leader'), 'a released lease is taken without waiting it out');
    a.actor.stop();
    b.actor.stop();
  });
});
