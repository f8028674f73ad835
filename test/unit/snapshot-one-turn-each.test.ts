/**
 * A snapshot's frames are made one per turn of the event loop (oneTurnEach), so an API
 * server writing a snapshot of 150,000 pods still serves requests between frames: the
 * I/O and timers that came due while a frame was made run before the next frame.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { oneTurnEach } from '../../src/store/snapshot-io.ts';

it('lets the event loop turn between the items it makes', async () => {
  const happened: string[] = [];
  function* frames() {
    for (const i of [1, 2, 3]) {
      // What a request arriving while frame i is made stands for.
      setImmediate(() => happened.push(`served during ${i}`));
      happened.push(`frame ${i}`);
      yield i;
    }
  }
  const taken: number[] = [];
  for await (const frame of oneTurnEach(frames())) taken.push(frame);
  assert.deepEqual(taken, [1, 2, 3]);
  assert.deepEqual(happened, ['frame 1', 'served during 1', 'frame 2', 'served during 2', 'frame 3', 'served during 3']);
});

it('makes nothing ahead of what is taken', async () => {
  let made = 0;
  function* counted() {
    for (;;) {
      made++;
      yield made;
    }
  }
  const items = oneTurnEach(counted());
  assert.equal((await items.next()).value, 1);
  assert.equal((await items.next()).value, 2);
  assert.equal(made, 2);
  await items.return(undefined);
});
