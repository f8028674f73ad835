import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/informer/clock.ts';
import { Controller } from '../../src/controllers/runtime/controller.ts';

describe('Controller.processNextItem: the one place retries are decided', () => {
  it('given a reconcile that fails once, then the key is re-queued with backoff, and forgotten on success', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const c = new Controller('t', { clock }).reconcileWith(() => {
      if (++calls === 1) throw new Error('boom');
    });
    c.enqueue('ns/a');
    await c.processNextItem();
    assert.equal(c.queue.numRequeues('ns/a'), 1);
    assert.equal(c.queue.len(), 0);
    clock.step(1000);
    assert.equal(c.queue.len(), 1);
    await c.processNextItem();
    assert.equal(c.queue.numRequeues('ns/a'), 0);
    assert.equal(calls, 2);
  });
  it('given requeueAfterMs, then the key comes back after that long', async () => {
    const clock = new FakeClock();
    const c = new Controller('t', { clock }).reconcileWith(() => ({ requeueAfterMs: 500 }));
    c.enqueue('k');
    await c.processNextItem();
    clock.step(499);
    assert.equal(c.queue.len(), 0);
    clock.step(1);
    assert.equal(c.queue.len(), 1);
  });
});
