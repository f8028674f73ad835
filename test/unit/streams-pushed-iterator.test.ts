/**
 * The push-to-pull bridge under RegistryLog.read: order kept, flow control signalled at the
 * water marks, errors delivered after the queued items, early return reported once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PushedIterator } from '../../streams/pushed-iterator.ts';

describe('PushedIterator', () => {
  it('hands items over in order, to a waiting reader and from the queue', async () => {
    const it = new PushedIterator<number>({ highWater: 100, lowWater: 10 });
    const first = it.next();
    it.push(1);
    assert.deepEqual(await first, { value: 1, done: false });
    it.push(2);
    it.push(3);
    it.end();
    const rest: number[] = [];
    for await (const n of it) rest.push(n);
    assert.deepEqual(rest, [2, 3]);
  });

  it('signals high water once, and low water once the reader has drained', async () => {
    const signals: string[] = [];
    const it = new PushedIterator<number>({ highWater: 3, lowWater: 1, onHigh: () => signals.push('high'), onLow: () => signals.push('low') });
    for (let i = 0; i < 6; i++) it.push(i);
    assert.deepEqual(signals, ['high']);
    await it.next();
    await it.next();
    await it.next();
    assert.deepEqual(signals, ['high']);
    await it.next();
    assert.deepEqual(signals, ['high']);
    await it.next();
    assert.deepEqual(signals, ['high', 'low']);
    assert.equal(it.size, 1);
  });

  it('delivers an error after the items already queued', async () => {
    const it = new PushedIterator<number>({ highWater: 10, lowWater: 1 });
    it.push(1);
    it.end(new Error('boom'));
    assert.deepEqual(await it.next(), { value: 1, done: false });
    await assert.rejects(it.next(), /boom/);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });

  it('a waiting reader gets the error at once', async () => {
    const it = new PushedIterator<number>({ highWater: 10, lowWater: 1 });
    const pending = it.next();
    it.end(new Error('down'));
    await assert.rejects(pending, /down/);
  });

  it('an early return calls onReturn once and drops what was queued', async () => {
    let returns = 0;
    const it = new PushedIterator<number>({ highWater: 10, lowWater: 1, onReturn: () => void returns++ });
    it.push(1);
    it.push(2);
    for await (const n of it) if (n === 1) break;
    await it.return();
    assert.equal(returns, 1);
    it.push(3);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });
});
