/**
 * A controller that stops (it lost its lease, or its process ends) reconciles nothing more
 * than what is in flight: thousands of queued keys are dropped, not worked off, because
 * another leader may already be acting on them and the next term lists everything again.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Controller } from '../../src/controllers/runtime/controller.ts';

it('drops queued keys on shutDown and lets only the reconciles in flight finish', async () => {
  const controller = new Controller('shutdown-test', { workers: 2 });
  const started: string[] = [];
  let release!: () => void;
  const inFlight = new Promise<void>((resolve) => (release = resolve));
  controller.reconcileWith(async (key) => {
    started.push(key);
    await inFlight;
  });
  for (let i = 0; i < 1_000; i++) controller.enqueue(`key-${i}`);
  controller.runWorkers();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ['key-0', 'key-1']);

  let stopped = false;
  const stopping = controller.shutDown().then(() => (stopped = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stopped, false, 'waits for the two reconciles in flight');
  release();
  await stopping;
  assert.deepEqual(started, ['key-0', 'key-1'], 'no queued key was reconciled after the stop');
  assert.equal(controller.reconciles, 2);
  controller.enqueue('late');
  assert.equal(controller.queue.len(), 0, 'a stopped controller takes no new key');
});
