/**
 * A live tail of one stream that outlives the server holding its consumer: jetkube's own
 * ordered consumer.
 *
 * nats.js's ordered consumer (2.29) could not be trusted with that. With its one-replica
 * consumer on a killed nats-server, it asks for that consumer's info again and again
 * and never makes a new one, so the tail stopped until the dead server came back. Told
 * to start again, it retries creating one consumer name for up to a minute, and the meta
 * leader had assigned that name to the dead server. Both were seen on a 3-server cluster
 * (the fault tests).
 *
 * So the tail keeps the position itself (`nextSeq`, the caller's cursor). It makes each
 * consumer itself: ephemeral, one replica, in memory, no acks, a new name every time. It
 * starts a new one at the cursor when:
 * - the old one went quiet (MISSED_HEARTBEATS_BEFORE_RESTART heartbeats missed in a row);
 * - it was deleted or lost;
 * - a delivery was skipped (the ordered-consumer check);
 * - after a reconnect (the consumer may have lived on the server we lost);
 * - when the consume ended.
 *
 * A consumer that cannot be made yet (no meta leader while the cluster elects one) is
 * tried again under a fresh name with a capped backoff. A refusal that no retry can
 * change ends the tail with an error: the stream does not exist, the request is refused
 * (JetStream's 400 and 403) or the connection may not ask at all (a permissions violation).
 */
import {
  AckPolicy,
  ConsumerEvents,
  DeliverPolicy,
  nanos,
  nuid,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { Logger } from 'pino';
import { JS_ERR_STREAM_NOT_FOUND, jsErrCode, translateError } from './errors.ts';

export interface LiveTailOptions {
  stream: string;
  /** One filter subject (several need server 2.10). */
  filterSubject: string;
  /** Where a (new) consumer starts: the caller's last handled sequence + 1. */
  nextSeq(): number;
  /**
   * While it answers a time, a new consumer starts at the first message stored at or
   * after it instead (a read "since"): the caller answers one until it has a cursor.
   */
  startTime?(): Date | undefined;
  /** Messages asked for per pull. */
  batch: number;
  /** How long one pull waits; the server's idle heartbeat is half of it. */
  expiresMs: number;
  logger: Logger;
  /** Told how many messages each new consumer had left to deliver when it was made (a bounded read ends at 0). */
  onConsumer?(pending: number): void;
}

export interface LiveTail {
  stop(): Promise<void>;
}

/** Statuses after which the consumer is given up for a new one. */
const LOST_CONSUMER: ReadonlySet<string> = new Set([ConsumerEvents.ConsumerDeleted, ConsumerEvents.ConsumerNotFound]);

/**
 * Idle heartbeats missed in a row before the consumer is given up (nats.js reports from
 * 2 on, once per heartbeat interval, and meanwhile asks for the consumer's info and pulls
 * again). Two were too few: an API server at 5,000 nodes, its event loop held for seconds
 * by GC and a backlog of requests on the same socket, read heartbeats late, gave up
 * healthy consumers, and then timed out making new ones, so its store stood still for
 * 53 s and 4,000 writes ended in 504s.
 */
export const MISSED_HEARTBEATS_BEFORE_RESTART = 5;

/** Whether a consumer status means the consumer is lost (pure). */
export function isLostConsumer(status: { type: string; data?: unknown }): boolean {
  if (LOST_CONSUMER.has(status.type)) return true;
  return status.type === ConsumerEvents.HeartbeatsMissed && Number(status.data) >= MISSED_HEARTBEATS_BEFORE_RESTART;
}

/** A consumer left behind on a dead server removes itself this long after it went idle. */
const INACTIVE_THRESHOLD_MS = 5 * 60_000;

/**
 * Refusals no retry can change. A timeout, a 503 or a lost meta leader passes; a missing
 * stream, a bad or forbidden request, or a subject this connection may not publish to
 * does not.
 */
export function isPermanentRefusal(error: unknown): boolean {
  const e = error as { message?: string; code?: string; api_error?: { code?: number; err_code?: number } };
  if (jsErrCode(error) === JS_ERR_STREAM_NOT_FOUND || e?.message === 'stream not found') return true;
  if (e?.code === 'PERMISSIONS_VIOLATION') return true;
  const status = e?.api_error?.code;
  return status === 400 || status === 403 || status === 404;
}

function restartDelayMs(attempt: number, capMs: number): number {
  return Math.min(capMs, 100 * 2 ** Math.min(attempt, 10));
}

export function startLiveTail(nc: NatsConnection, options: LiveTailOptions, onMessage: (m: JsMsg) => void, onError: (error: Error) => void): LiveTail {
  const js = nc.jetstream();
  const { logger, stream } = options;
  const namePrefix = `tail_${nuid.next()}`;
  let jsm: JetStreamManager | undefined;
  let stopped = false;
  let generation = 0;
  let restarts = 0;
  let current: { messages: ConsumerMessages; name: string } | undefined;
  let opening: Promise<void> = Promise.resolve();

  const retire = () => {
    const old = current;
    current = undefined;
    if (!old) return;
    old.messages.stop();
    // The old consumer's server may be gone: never wait on its delete.
    void jsm?.consumers.delete(stream, old.name).catch(() => false);
  };

  /** Makes consumer number `gen` at the caller's cursor and consumes it, trying again until it exists. */
  const open = async (gen: number): Promise<void> => {
    for (let attempt = 0; !stopped && gen === generation; attempt++) {
      const name = `${namePrefix}_${gen}_${attempt}`;
      try {
        // nats.js's 5 s, not JETSTREAM_ANSWER_TIMEOUT_MS: right after a server dies the meta
        // leader may place the new consumer on it, and no answer ever comes; each retry
        // (under a new name) may land on a live one.
        jsm ??= await nc.jetstreamManager();
        const startTime = options.startTime?.();
        const made = await jsm.consumers.add(stream, {
          name,
          filter_subject: options.filterSubject,
          ...(startTime
            ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startTime.toISOString() }
            : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.nextSeq() }),
          ack_policy: AckPolicy.None,
          max_deliver: 1,
          mem_storage: true,
          num_replicas: 1,
          inactive_threshold: nanos(INACTIVE_THRESHOLD_MS),
        });
        const consumer = await js.consumers.get(stream, name);
        let delivered = 0;
        const messages = await consumer.consume({
          max_messages: options.batch,
          expires: options.expiresMs,
          callback: (m) => {
            if (gen !== generation || stopped) return;
            // No acks and one delivery each: a skipped delivery is a lost message.
            if (m.info.deliverySequence !== delivered + 1) return restart(`delivery ${m.info.deliverySequence} after ${delivered}`, gen);
            delivered = m.info.deliverySequence;
            onMessage(m);
          },
        });
        if (stopped || gen !== generation) {
          messages.stop();
          void jsm.consumers.delete(stream, name).catch(() => false);
          return;
        }
        current = { messages, name };
        void watchConsumer(gen, messages);
        options.onConsumer?.(made.num_pending);
        return;
      } catch (error) {
        if (isPermanentRefusal(error)) {
          onError(translateError(error, `tail ${stream}`));
          return;
        }
        // It may exist on a server that will never answer: the next attempt uses a new name.
        void jsm?.consumers.delete(stream, name).catch(() => false);
        const delayMs = restartDelayMs(attempt, options.expiresMs);
        logger.warn({ stream, fromSeq: options.nextSeq(), attempt, delayMs, reason: (error as Error).message }, 'could not start a consumer yet; trying again');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  };

  const restart = (reason: string, gen: number) => {
    if (stopped || gen !== generation) return; // already replaced, or a stale report
    const next = ++generation;
    restarts++;
    logger.warn({ stream, fromSeq: options.nextSeq(), reason, restarts }, 'restarting the live tail on a new consumer');
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
      if (isLostConsumer(status)) return restart(`${status.type} (${String(status.data)})`, gen);
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
