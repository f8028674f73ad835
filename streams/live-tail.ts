/**
 * A live tail of one stream that outlives the server holding its consumer.
 *
 * nats.js's ordered consumer (2.29) repairs itself only when some server still answers for
 * its consumer: with its one-replica consumer on a killed nats-server, its repair asks for
 * that consumer's info again and again and never makes a new one, so the tail stops until
 * the dead server comes back (measured: 60 s and more, every time, on a 3-server cluster).
 *
 * So the tail keeps the position itself (`nextSeq`, the caller's cursor) and starts a new
 * ordered consumer there when the old one went quiet (heartbeats missed), after a
 * reconnect (the consumer may have lived on the server we lost), or when the consume ended.
 * A consumer that cannot be made yet (no meta leader while the cluster elects one) is
 * tried again with a capped backoff; only a stream that no longer exists is an error.
 */
import { ConsumerEvents, type ConsumerMessages, type JetStreamClient, type JsMsg, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { JS_ERR_STREAM_NOT_FOUND, jsErrCode, translateError } from './errors.ts';

export interface LiveTailOptions {
  stream: string;
  /** One filter subject (several hang the ordered consumer on nats-server 2.9.10). */
  filterSubject: string;
  /** Where a (new) consumer starts: the caller's last handled sequence + 1. */
  nextSeq(): number;
  /** Messages asked for per pull. */
  batch: number;
  /** How long one pull waits; the server's idle heartbeat is half of it. */
  expiresMs: number;
  logger: Logger;
}

export interface LiveTail {
  /** New consumers started after the first (each one a recovery). */
  readonly restarts: number;
  stop(): Promise<void>;
}

/** The backoff between failed attempts to start a consumer: doubling, capped. */
function restartDelayMs(attempt: number, capMs: number): number {
  return Math.min(capMs, 100 * 2 ** Math.min(attempt, 10));
}

/** Missed heartbeats before the tail gives up on its consumer (the client reports from 2). */
const HEARTBEATS_MISSED_LIMIT = 2;

export function startLiveTail(nc: NatsConnection, options: LiveTailOptions, onMessage: (m: JsMsg) => void, onError: (error: Error) => void): LiveTail {
  const js: JetStreamClient = nc.jetstream();
  const { logger } = options;
  let stopped = false;
  let generation = 0;
  let restarts = 0;
  let current: { messages: ConsumerMessages; remove(): void } | undefined;
  let opening: Promise<void> = Promise.resolve();

  const retire = () => {
    const old = current;
    current = undefined;
    old?.messages.stop();
    // The old consumer's server may be gone: never wait on its delete.
    old?.remove();
  };

  /** Starts consumer number `gen` at the caller's cursor, trying again until it exists. */
  const open = async (gen: number): Promise<void> => {
    for (let attempt = 0; !stopped && gen === generation; attempt++) {
      try {
        const consumer = await js.consumers.get(options.stream, { filterSubjects: options.filterSubject, opt_start_seq: options.nextSeq() });
        const messages = await consumer.consume({
          max_messages: options.batch,
          expires: options.expiresMs,
          callback: (m) => {
            if (gen === generation && !stopped) onMessage(m);
          },
        });
        if (stopped || gen !== generation) {
          messages.stop();
          void consumer.delete().catch(() => false);
          return;
        }
        current = { messages, remove: () => void consumer.delete().catch(() => false) };
        void watchConsumer(gen, messages);
        return;
      } catch (error) {
        if (jsErrCode(error) === JS_ERR_STREAM_NOT_FOUND || (error as Error).message === 'stream not found') {
          onError(translateError(error, `tail ${options.stream}`));
          return;
        }
        const delayMs = restartDelayMs(attempt, options.expiresMs);
        logger.warn({ stream: options.stream, fromSeq: options.nextSeq(), attempt, delayMs, reason: (error as Error).message }, 'could not start a consumer yet; trying again');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  };

  const restart = (reason: string, gen: number) => {
    if (stopped || gen !== generation) return; // already replaced, or a stale report
    const next = ++generation;
    restarts++;
    logger.warn({ stream: options.stream, fromSeq: options.nextSeq(), reason, restarts }, 'restarting the live tail on a new consumer');
    retire();
    opening = open(next);
  };

  const watchConsumer = async (gen: number, messages: ConsumerMessages) => {
    void messages.closed().then(
      (error) => restart(error ? `the consume ended: ${error.message}` : 'the consume ended', gen),
      (error: Error) => restart(`the consume failed: ${error.message}`, gen),
    );
    for await (const status of await messages.status()) {
      if (gen !== generation || stopped) return;
      if (status.type === ConsumerEvents.HeartbeatsMissed && Number(status.data) >= HEARTBEATS_MISSED_LIMIT) {
        return restart(`${String(status.data)} heartbeats missed`, gen);
      }
    }
  };

  const connectionStatus = nc.status();
  void (async () => {
    for await (const status of connectionStatus) {
      if (stopped) return;
      // The consumer may have lived on the server we lost: never trust it to come back.
      if (status.type === 'reconnect') restart(`reconnected to ${String(status.data)}`, generation);
    }
  })();
  opening = open(generation);

  return {
    get restarts() {
      return restarts;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // nats.js's status iterator has stop() at runtime; its typings show a bare AsyncIterable.
      (connectionStatus as { stop?: () => void }).stop?.();
      await opening;
      retire();
    },
  };
}
