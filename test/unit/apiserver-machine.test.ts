/**
 * The API server's lifecycle, with its effects swapped out (.provide()): it never serves
 * before the replay is done nor before the bootstrap policy is written, retries NATS with backoff, rebuilds after a broken log, and
 * drains on stop.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createActor, fromCallback, fromPromise, waitFor } from 'xstate';
import { apiServerMachine } from '../../actors/apiserver.machine.ts';
import type { ApiServerConnection, FollowerEvent } from '../../src/apiserver/effects.ts';

const fakeConnection = {} as ApiServerConnection;

function harness(options: { failConnects?: number } = {}) {
  const calls = { connects: 0, serves: 0, closes: 0, follows: 0 };
  let bootstrapped!: () => void;
  const bootstrap = new Promise<void>((resolve) => (bootstrapped = resolve));
  let follower: ((event: FollowerEvent) => void) | undefined;
  const machine = apiServerMachine.provide({
    actors: {
      connectToLog: fromPromise(async () => {
        calls.connects++;
        if (calls.connects <= (options.failConnects ?? 0)) throw new Error('connection refused');
        return fakeConnection;
      }),
      followLog: fromCallback(({ sendBack }) => {
        calls.follows++;
        follower = sendBack as (event: FollowerEvent) => void;
      }),
      openApiFace: fromPromise(async () => {}),
      serveApiFace: fromCallback(() => {
        calls.serves++;
        return () => {};
      }),
      ensureSystemNamespaces: fromPromise(() => bootstrap),
      writeSnapshots: fromCallback(() => () => {}),
      serveEncryptionRewrite: fromCallback(() => () => {}),
      closeConnection: fromPromise(async () => {
        calls.closes++;
      }),
    },
    delays: { reconnectBackoff: 1 },
  });
  const actor = createActor(machine, { input: { natsUrl: 'nats://127.0.0.1:1' } });
  return { actor, calls, follow: (event: FollowerEvent) => follower?.(event), bootstrapped };
}

it('replays, then writes the bootstrap objects, then serves', async () => {
  const { actor, calls, follow, bootstrapped } = harness();
  actor.start();
  await waitFor(actor, (s) => s.matches({ online: 'replaying' }));
  assert.equal(calls.serves, 0);
  follow({ type: 'log.progress', revision: 5, target: 10 });
  assert.equal(actor.getSnapshot().context.replayed, 5);
  assert.ok(actor.getSnapshot().matches({ online: 'replaying' }));
  follow({ type: 'log.caughtUp', revision: 10 });
  assert.ok(actor.getSnapshot().matches({ online: 'bootstrapping' }));
  assert.equal(calls.serves, 0);
  bootstrapped();
  await waitFor(actor, (s) => s.matches({ online: 'serving' }));
  assert.equal(calls.serves, 1);
  actor.stop();
});

it('retries NATS with backoff until it connects', async () => {
  const { actor, calls } = harness({ failConnects: 3 });
  actor.start();
  await waitFor(actor, (s) => s.matches({ online: 'replaying' }));
  assert.equal(calls.connects, 4);
  assert.equal(actor.getSnapshot().context.connectAttempts, 0);
  assert.equal(actor.getSnapshot().context.lastError, 'connection refused');
  actor.stop();
});

it('rebuilds the store from a new connection when following the log fails', async () => {
  const { actor, calls, follow } = harness();
  actor.start();
  await waitFor(actor, (s) => s.matches({ online: 'replaying' }));
  follow({ type: 'log.caughtUp', revision: 1 });
  follow({ type: 'log.failed', message: 'log sequence gap: expected 5, got 7' });
  await waitFor(actor, (s) => s.matches({ online: 'replaying' }) && calls.connects === 2);
  assert.equal(calls.closes, 1);
  assert.equal(calls.follows, 2);
  assert.match(actor.getSnapshot().context.lastError ?? '', /gap/);
  actor.stop();
});

it('drains and stops on stop', async () => {
  const { actor, calls, follow } = harness();
  actor.start();
  await waitFor(actor, (s) => s.matches({ online: 'replaying' }));
  follow({ type: 'log.caughtUp', revision: 1 });
  actor.send({ type: 'stop' });
  await waitFor(actor, (s) => s.status === 'done');
  assert.ok(actor.getSnapshot().matches('stopped'));
  assert.equal(calls.closes, 1);
});
