/**
 * The work queue family, on a fake clock: dedup, re-queue of an item re-added while being
 * processed, per-item exponential backoff, the token bucket, delayed adds, shutdown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../../src/informer/clock.ts';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, defaultControllerRateLimiter } from '../../src/informer/rate-limiter.ts';
import { RateLimitingQueue } from '../../src/informer/rate-limiting-queue.ts';
import { WorkQueue } from '../../src/informer/work-queue.ts';

async function next<T>(queue: WorkQueue<T>): Promise<T> {
  const got = await queue.get();
  assert.equal(got.shutdown, false);
  return (got as { item: T }).item;
}

describe('WorkQueue', () => {
  it('hands out a key queued twice once, in first-added order', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await next(q), 'a');
    assert.equal(await next(q), 'b');
    assert.equal(q.len(), 0);
  });

  it('does not hand out a key being processed; re-adds it after done()', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    assert.equal(await next(q), 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'a second worker must not get a key in flight');
    q.done('a');
    assert.equal(q.len(), 1);
    assert.equal(await next(q), 'a');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  it('wakes a waiting get() when a key arrives', async () => {
    const q = new WorkQueue<string>();
    const waiting = q.get();
    q.add('x');
    assert.deepEqual(await waiting, { item: 'x', shutdown: false });
  });

  it('drains queued keys after shutDown, then answers shutdown, and refuses new keys', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.shutDown();
    q.add('b');
    assert.equal(await next(q), 'a');
    assert.deepEqual(await q.get(), { shutdown: true });
  });

  it('abandon drops queued keys, answers shutdown at once, and waits only for keys in flight', async () => {
    const q = new WorkQueue<string>();
    q.add('in-flight');
    q.add('queued-1');
    q.add('queued-2');
    assert.equal(await next(q), 'in-flight');
    // Re-added while in flight: abandoned too, never handed out again.
    q.add('in-flight');
    let done = false;
    const abandoned = q.abandon().then(() => (done = true));
    assert.deepEqual(await q.get(), { shutdown: true });
    assert.equal(q.len(), 0);
    await Promise.resolve();
    assert.equal(done, false);
    q.done('in-flight');
    await abandoned;
    assert.equal(done, true);
    assert.deepEqual(await q.get(), { shutdown: true });
  });

  it('shutDownWithDrain waits for keys in flight', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    await next(q);
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    await Promise.resolve();
    assert.equal(drained, false);
    q.done('a');
    await drain;
    assert.equal(drained, true);
  });
});

describe('rate limiters', () => {
  it('backs one item off from 5 ms, doubling, capped at 1000 s; forget resets it', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
    const delays = Array.from({ length: 20 }, () => rl.when('a'));
    assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
    assert.equal(delays[17], 655_360);
    assert.equal(delays[18], 1_000_000, 'capped at 1000 s');
    assert.equal(delays[19], 1_000_000);
    assert.equal(rl.numRequeues('a'), 20);
    assert.equal(rl.when('b'), 5, 'items back off independently');
    rl.forget('a');
    assert.equal(rl.numRequeues('a'), 0);
    assert.equal(rl.when('a'), 5);
  });

  it('token bucket: a burst of 100 free, then 10 per second', () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter<string>(clock, 10, 100);
    for (let i = 0; i < 100; i++) assert.equal(rl.when(`k${i}`), 0);
    assert.equal(rl.when('x'), 100);
    assert.equal(rl.when('y'), 200);
    clock.step(1_000);
    // 10 tokens came back; 2 were already owed.
    assert.equal(rl.when('z'), 0);
  });

  it('the default limiter answers the larger of the two', () => {
    const clock = new FakeClock();
    const rl = defaultControllerRateLimiter<string>(clock);
    assert.equal(rl.when('a'), 5);
    assert.equal(rl.when('a'), 10);
    for (let i = 0; i < 98; i++) rl.when(`k${i}`);
    assert.equal(rl.when('fresh'), 100, 'the bucket is empty: 100 ms beats 5 ms');
  });
});

describe('RateLimitingQueue', () => {
  it('addRateLimited holds a key back by its backoff, on the clock', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock });
    q.addRateLimited('a');
    assert.equal(q.len(), 0);
    clock.step(4);
    assert.equal(q.len(), 0);
    clock.step(1);
    assert.equal(q.len(), 1);
    assert.equal(await next(q), 'a');
    q.done('a');
    q.addRateLimited('a');
    assert.equal(q.numRequeues('a'), 2);
    clock.step(9);
    assert.equal(q.len(), 0);
    clock.step(1);
    assert.equal(q.len(), 1);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
  });

  it('addAfter keeps the earliest due time of a key', () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 200);
    q.addAfter('b', 70);
    assert.equal(q.numWaiting(), 2);
    clock.step(50);
    assert.equal(q.len(), 1);
    clock.step(20);
    assert.equal(q.len(), 2);
    clock.step(1_000);
    assert.equal(q.len(), 2, 'a was due once');
    assert.equal(q.numWaiting(), 0);
  });

  it('hands out held keys in the order of their earliest due times, each once (property)', async () => {
    const adds = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), fc.integer({ min: 1, max: 1_000 })), { minLength: 1, maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(adds, fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 10 }), async (holds, steps) => {
        const clock = new FakeClock();
        const q = new RateLimitingQueue<string>({ clock });
        const due = new Map<string, number>();
        for (const [key, delay] of holds) {
          q.addAfter(key, delay);
          due.set(key, Math.min(due.get(key) ?? Infinity, delay));
        }
        // Step the clock in random strides; at every point exactly the keys due so far are queued.
        let now = 0;
        for (const stride of [...steps, 1_000]) {
          clock.step(stride);
          now += stride;
          assert.equal(q.len(), [...due.values()].filter((at) => at <= now).length);
        }
        const order: string[] = [];
        while (q.len() > 0) order.push(await next(q));
        assert.deepEqual([...order].sort(), [...due.keys()].sort());
        for (let i = 1; i < order.length; i++) assert.ok(due.get(order[i - 1]!)! <= due.get(order[i]!)!, `${order.join(',')} is in due order`);
        assert.equal(clock.pendingTimers, 0);
      }),
      { numRuns: 200 },
    );
  });

  it('addAfter(0) adds at once; shutDown drops held keys and their timer', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock });
    q.addAfter('now', 0);
    q.addAfter('later', 10);
    assert.equal(q.len(), 1);
    q.shutDown();
    assert.equal(q.numWaiting(), 0);
    assert.equal(clock.pendingTimers, 0);
    clock.step(100);
    assert.equal(await next(q), 'now');
    assert.deepEqual(await q.get(), { shutdown: true });
  });
});
