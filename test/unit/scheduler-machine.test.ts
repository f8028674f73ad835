/**
 * The scheduler machine's lifecycle with its effects swapped out: it schedules only while
 * its elector leads, a lost lease drains the term and waits in standby on the same
 * connection (the next term re-lists nothing), and stop drains, closes and releases.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, fromPromise, sendParent, setup, waitFor } from 'xstate';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import type { SchedulerConnection } from '../../src/scheduler/effects.ts';
import type { Scheduler } from '../../src/scheduler/scheduler.ts';

const fakeElector = setup({ types: { events: {} as { type: 'stop' } | { type: 'test.elect' } | { type: 'test.lose' } } }).createMachine({
  id: 'fakeElector',
  initial: 'follower',
  states: {
    follower: { on: { 'test.elect': 'leader', stop: 'stopped' } },
    leader: {
      entry: sendParent({ type: 'leader.elected' }),
      on: { 'test.lose': { target: 'follower', actions: sendParent({ type: 'leader.lost' }) }, stop: 'stopped' },
    },
    stopped: { type: 'final' },
  },
});

function harness() {
  const log: string[] = [];
  let sets = 0;
  const machine = schedulerMachine.provide({
    actors: {
      leaderElector: fakeElector as never,
      open: fromPromise(async () => {
        log.push(`open ${++sets}`);
        return { id: sets } as unknown as SchedulerConnection;
      }),
      startTerm: fromPromise(async () => {
        log.push('sync');
        return {} as Scheduler;
      }),
      schedule: fromCallback(() => {
        log.push('schedule');
        return () => log.push('schedule stopped');
      }),
      drain: fromPromise(async () => {
        log.push('drain');
      }),
      close: fromPromise(async () => {
        log.push('close');
      }),
    },
  });
  return { machine, log };
}

describe('scheduler machine', () => {
  it('waits in standby until elected, drains on a lost lease and keeps its connection for the next term, releases on stop', async () => {
    const { machine, log } = harness();
    const actor = createActor(machine, { input: { natsUrl: 'nats://fake' } });
    actor.start();
    await waitFor(actor, (s) => s.matches('standby'));
    assert.deepEqual(log, ['open 1']);
    const elector = actor.getSnapshot().context.elector!;
    elector.send({ type: 'test.elect' } as never);
    await waitFor(actor, (s) => s.matches({ running: 'scheduling' }));
    elector.send({ type: 'test.lose' } as never);
    await waitFor(actor, (s) => s.matches('standby'));
    assert.deepEqual(log, ['open 1', 'sync', 'schedule', 'schedule stopped', 'drain']);
    assert.equal(actor.getSnapshot().context.scheduler, undefined, 'the drained term is dropped');
    assert.deepEqual(actor.getSnapshot().context.connection, { id: 1 }, 'the connection and its caches are kept');
    elector.send({ type: 'test.elect' } as never);
    await waitFor(actor, (s) => s.matches({ running: 'scheduling' }));
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done');
    assert.deepEqual(log.slice(5), ['sync', 'schedule', 'schedule stopped', 'drain', 'close']);
    assert.equal(elector.getSnapshot().status, 'done', 'the elector was told to stop (and release)');
  });

  it('runs at once without leader election', async () => {
    const { machine, log } = harness();
    const actor = createActor(machine, { input: { natsUrl: 'nats://fake', leaderElect: false } });
    actor.start();
    await waitFor(actor, (s) => s.matches({ running: 'scheduling' }));
    assert.equal(actor.getSnapshot().context.elector, undefined);
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done');
    assert.deepEqual(log, ['open 1', 'sync', 'schedule', 'schedule stopped', 'drain', 'close']);
  });
});
