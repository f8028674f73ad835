/**
 * The read `kubectl logs` and `jetkube audit` make: every message of one subject filter
 * stored when the read began (or since a time), oldest first, then with follow the new
 * ones as they arrive. It runs on the live tail, so it outlives the nats-server holding
 * its consumer, as the store's own reads do.
 *
 * `caughtUp` is called once, when the reader has had the whole backlog (at once when
 * there is none); without follow the read ends there. A slow reader pauses the tail: past
 * HIGH_WATER queued messages the consumer is dropped, and a new one starts at the
 * cursor once the reader has drained them to LOW_WATER. Aborting the signal or ending
 * the iteration (break, return) stops the tail and deletes its consumer.
 */
import type { JsMsg, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { pacedTail } from './paced-tail.ts';

const HIGH_WATER = 4096;
const LOW_WATER = 512;
/** How long one pull waits; its idle heartbeat is half that, so a lost consumer is noticed in ~2 s. */
const PULL_EXPIRES_MS = 2_000;

export interface TailToEndOptions {
  stream: string;
  filterSubject: string;
  /** Only messages stored at or after this time. */
  since?: Date;
  follow: boolean;
  signal?: AbortSignal;
  /** Messages asked for per pull. */
  batch: number;
  logger: Logger;
}

export async function* tailToEnd(nc: NatsConnection, options: TailToEndOptions, caughtUp: () => void = () => {}): AsyncGenerator<JsMsg> {
  /** The last sequence pushed to the reader's queue, and the last one the reader got. */
  let cursor = 0;
  let handed = 0;
  /** The sequence that ends the backlog, once known (0: there was none). */
  let backlogEnd: number | undefined;
  let caught = false;
  const catchUpIfHanded = () => {
    if (caught || backlogEnd === undefined || handed < backlogEnd) return;
    caught = true;
    caughtUp();
  };
  const backlogComplete = () => {
    if (backlogEnd !== undefined) return;
    backlogEnd = cursor;
    if (!options.follow) read.finish();
    catchUpIfHanded();
  };
  const { iterator, read, start } = pacedTail<JsMsg>(
    nc,
    {
      stream: options.stream,
      filterSubject: options.filterSubject,
      nextSeq: () => cursor + 1,
      startTime: () => (cursor === 0 ? options.since : undefined),
      batch: options.batch,
      expiresMs: PULL_EXPIRES_MS,
      logger: options.logger,
      highWater: HIGH_WATER,
      lowWater: LOW_WATER,
      onConsumer: (pending) => {
        if (pending === 0) backlogComplete();
      },
    },
    (m) => {
      if (m.seq <= cursor) return;
      cursor = m.seq;
      read.push(m);
      if (m.info.pending === 0) backlogComplete();
    },
  );
  const onAbort = () => read.finish();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) return;
    start();
    for await (const m of iterator) {
      handed = m.seq;
      yield m;
      // The reader asked for more after the backlog's last message: it has it all.
      catchUpIfHanded();
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await iterator.return?.();
  }
}
