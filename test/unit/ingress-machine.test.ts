/**
 * The ingress machine's lifecycle with its effects swapped out: it syncs before it
 * listens and serves, retries a failed connect or bind after closing what it opened,
 * drains then closes on stop, and a stop while connecting still closes the set that
 * connect produced.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, fromPromise, waitFor } from 'xstate';
import { ingressMachine } from '../../actors/ingress.machine.ts';
import type { IngressSet } from '../../src/ingress/effects.ts';

function harness(failures: { open?: number; listen?: number } = {}, openGate?: Promise<void>) {
  const log: string[] = [];
  let opens = 0;
  let listens = 0;
  const machine = ingressMachine.provide({
    actors: {
      open: fromPromise(async () => {
        opens++;
        log.push(`open ${opens}`);
        if (openGate) await openGate;
        if (opens <= (failures.open ?? 0)) throw new Error('no NATS');
        return { id: opens } as unknown as IngressSet;
      }),
      syncCaches: fromPromise(async () => {
        log.push('sync');
      }),
      listen: fromPromise(async () => {
        listens++;
        log.push('listen');
        if (listens <= (failures.listen ?? 0)) throw new Error('EADDRINUSE');
        return { host: '127.0.0.1', port: 8080 };
      }),
      serve: fromCallback(() => {
        log.push('serve');
        return () => log.push('serve stopped');
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

describe('ingress machine', () => {
  it('syncs, listens, serves; stop drains then closes', async () => {
    const { machine, log } = harness();
    const actor = createActor(machine, { input: { natsUrl: 'nats://fake' } });
    actor.start();
    const serving = await waitFor(actor, (s) => s.matches('serving'));
    assert.deepEqual(serving.context.address, { host: '127.0.0.1', port: 8080 });
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done');
    assert.deepEqual(log, ['open 1', 'sync', 'listen', 'serve', 'serve stopped', 'drain', 'close']);
  });

  it('retries a failed connect, and a failed bind after closing the set', async () => {
    const { machine, log } = harness({ open: 1, listen: 1 });
    const actor = createActor(machine, { input: { natsUrl: 'nats://fake', retryMs: 5 } });
    actor.start();
    await waitFor(actor, (s) => s.matches('serving'));
    assert.deepEqual(log, ['open 1', 'open 2', 'sync', 'listen', 'close', 'open 3', 'sync', 'listen', 'serve']);
    assert.match(actor.getSnapshot().context.lastError ?? '', /EADDRINUSE/);
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done');
  });

  it('a stop while connecting waits for the connection and closes it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { machine, log } = harness({}, gate);
    const actor = createActor(machine, { input: { natsUrl: 'nats://fake' } });
    actor.start();
    actor.send({ type: 'stop' });
    release();
    await waitFor(actor, (s) => s.status === 'done');
    assert.deepEqual(log, ['open 1', 'close']);
  });
});
