/**
 * A live tail read through an async iterator, at the reader's pace: the tail pushes, and
 * a reader that falls `highWater` items behind has its consumer dropped; a new one starts
 * at the caller's cursor once the reader has drained to `lowWater`. The caller decides
 * what each message becomes and when the read is over (`finish`); ending the iteration
 * early stops the tail and deletes its consumer.
 */
import type { JsMsg, NatsConnection } from 'nats';
import { startLiveTail, type LiveTail, type LiveTailOptions } from './live-tail.ts';
import { PushedIterator } from './pushed-iterator.ts';

export interface PacedRead<T> {
  push(item: T): void;
  /** Ends the read; with an error, the reader gets it after the items already queued. */
  finish(error?: unknown): void;
  readonly finished: boolean;
}

export interface PacedTailOptions extends Omit<LiveTailOptions, 'onConsumer'> {
  highWater: number;
  lowWater: number;
  /** Told how many messages each new consumer had left to deliver (a bounded read ends at 0). */
  onConsumer?(pending: number): void;
}

export interface PacedTail<T> {
  readonly iterator: AsyncIterableIterator<T>;
  readonly read: PacedRead<T>;
  /** Starts (or, after a pause, resumes) the tail at the cursor; nothing once finished. */
  start(): void;
}

export function pacedTail<T>(nc: NatsConnection, options: PacedTailOptions, onMessage: (m: JsMsg) => void, translateError: (error: Error) => unknown = (e) => e): PacedTail<T> {
  let finished = false;
  let tail: LiveTail | undefined;
  const stopTail = async () => {
    const t = tail;
    tail = undefined;
    await t?.stop();
  };
  const read: PacedRead<T> = {
    push: (item) => iterator.push(item),
    finish(error) {
      if (finished) return;
      finished = true;
      void stopTail();
      iterator.end(error);
    },
    get finished() {
      return finished;
    },
  };
  const start = () => {
    if (finished || tail) return;
    const { highWater: _high, lowWater: _low, ...tailOptions } = options;
    tail = startLiveTail(
      nc,
      tailOptions,
      (m) => {
        if (!finished) onMessage(m);
      },
      (error) => read.finish(translateError(error)),
    );
  };
  const iterator = new PushedIterator<T>({
    highWater: options.highWater,
    lowWater: options.lowWater,
    onHigh: () => void stopTail(),
    onLow: () => start(),
    onReturn: async () => {
      finished = true;
      await stopTail();
    },
  });
  return { iterator, read, start };
}
