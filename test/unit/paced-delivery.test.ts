/**
 * Paced delivery of a watch's events: in order, a bounded slice of time per turn of the
 * event loop (so a burst lets timers run in between), the final item after everything
 * queued, nothing after stop, and an overflow item once the consumer is too far behind.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PacedDelivery } from '../../streams/paced-delivery.ts';

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Busy for `ms`: a handler doing real work. */
function work(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

it('delivers a burst in order, letting the loop turn between slices', async () => {
  const delivered: number[] = [];
  const turnsSeen: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const delivery = new PacedDelivery<number>(
    (n) => {
      work(2);
      delivered.push(n);
    },
    { sliceMs: 10, overflow: () => -1 },
  );
  // A timer that stands for a Lease renewal: it must run while the burst is handled.
  const ticker = setInterval(() => turnsSeen.push(delivered.length), 1);
  for (let i = 0; i < 60; i++) assert.equal(delivery.push(i), true);
  assert.equal(delivered.length, 0, 'nothing is handled inside the push (the socket read)');
  delivery.finishAfterQueued(undefined, done);
  await finished;
  clearInterval(ticker);
  assert.deepEqual(delivered, Array.from({ length: 60 }, (_, i) => i));
  const during = turnsSeen.filter((n) => n > 0 && n < 60);
  assert.ok(during.length >= 3, `the timer ran ${during.length} times while 60 x 2 ms of events were handled`);
});

it('delivers the final item after everything queued, and takes nothing after it', async () => {
  const delivered: string[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const delivery = new PacedDelivery<string>((s) => delivered.push(s), { overflow: () => 'overflow' });
  delivery.push('a');
  delivery.push('b');
  delivery.finishAfterQueued('end', done);
  assert.equal(delivery.push('late'), false);
  await finished;
  assert.deepEqual(delivered, ['a', 'b', 'end']);
});

it('delivers nothing more once stopped', async () => {
  const delivered: number[] = [];
  const delivery = new PacedDelivery<number>((n) => delivered.push(n), { overflow: () => -1 });
  delivery.push(1);
  delivery.stop();
  assert.equal(delivery.push(2), false);
  await turn();
  await turn();
  assert.deepEqual(delivered, []);
});

it('ends with the overflow item when the consumer falls too far behind', async () => {
  const delivered: number[] = [];
  const delivery = new PacedDelivery<number>((n) => delivered.push(n), { maxQueued: 3, overflow: () => -1 });
  assert.equal(delivery.push(1), true);
  assert.equal(delivery.push(2), true);
  assert.equal(delivery.push(3), true);
  assert.equal(delivery.push(4), false, 'the fourth overflows a queue of three');
  assert.equal(delivery.push(5), false);
  await turn(); // the drain was scheduled by the first push, before this turn
  assert.deepEqual(delivered, [1, 2, 3, -1]);
});
