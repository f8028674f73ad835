import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ReadBarrier } from '../../src/apiserver/read-barrier.ts';

/** A log whose answers the test releases by hand, to see which reader waits for which question. */
function controllableLog() {
  const questions: { resolve: (lastSeq: number) => void }[] = [];
  return {
    questions,
    bounds: () =>
      new Promise<{ firstSeq: number; lastSeq: number }>((resolve) => {
        questions.push({ resolve: (lastSeq) => resolve({ firstSeq: 1, lastSeq }) });
      }),
  };
}

const caughtUpStore = { revision: Number.MAX_SAFE_INTEGER, waitForRevision: async () => {} };

it('lets concurrent readers share one question, but never one asked before they arrived', async () => {
  const log = controllableLog();
  const barrier = new ReadBarrier(log, caughtUpStore);
  const first = barrier.consistent();
  const second = barrier.consistent();
  const third = barrier.consistent();
  assert.equal(log.questions.length, 1, 'the first reader asks');
  log.questions[0]!.resolve(10);
  assert.equal(await first, 10);
  await new Promise((r) => setImmediate(r));
  assert.equal(log.questions.length, 2, 'the readers who came while it was out share the next question');
  log.questions[1]!.resolve(12);
  assert.equal(await second, 12);
  assert.equal(await third, 12);
});

it('waits for the store to reach the revision the log reported', async () => {
  const log = controllableLog();
  const waited: number[] = [];
  const store = { revision: 5, waitForRevision: async (rev: number) => void waited.push(rev) };
  const barrier = new ReadBarrier(log, store);
  const read = barrier.consistent();
  log.questions[0]!.resolve(8);
  await read;
  assert.deepEqual(waited, [8]);
});
