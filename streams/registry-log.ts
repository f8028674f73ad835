/**
 * RegistryLog: the event log as jetkube sees it, over the REGISTRY stream.
 *
 * - append is the only write: one message per change, a compare-and-set on the subject's
 *   last sequence (0 = the subject must be empty; to create after a delete pass the
 *   tombstone's seq). Losing the race is a WrongLastSequenceError carrying the current
 *   seq. A LogTimeoutError means "unknown": the message may be stored, so a retry must
 *   reuse the msgId (the stream dedups within 2 min and answers duplicate:true with the
 *   original seq).
 * - read is a bounded history read, in order, ending at toSeq or at the last seq when
 *   iteration starts, on the same live tail as follow (so it too outlives the server
 *   holding its consumer). It never holds more than a few thousand decoded entries: a
 *   slow reader stops the tail and starts a new one from the next sequence.
 * - follow is the live tail, in order, each sequence at most once, across reconnects,
 *   server restarts and the loss of the server holding its consumer (streams/live-tail.ts
 *   starts a new consumer at the cursor; we check the sequence again on our side: repeats
 *   are dropped, and on an unfiltered follow a jump is reported as SequenceGapError, since
 *   the log never has holes).
 * - Entries are decoded once and carry their object with resourceVersion = seq. A body
 *   that does not decode is skipped, logged and counted in `stats.malformed`.
 * - With an encryption config, Secrets are sealed on append and opened on read; one that
 *   does not open is handed on as a withheld stand-in, logged and counted in
 *   `stats.withheld` (without a config, stand-ins are the expected answer and not logged).
 */
import {
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type StoredMsg,
} from 'nats';
import type { ObjectKey } from '../src/api/object.ts';
import { componentLogger } from '../src/log.ts';
import type { LogEntry, LogRecord } from '../src/store/log-entry.ts';
import { LogError, RecordTooLargeError, SequenceGapError, translateError, translatePublishError } from './errors.ts';
import { startLiveTail } from './live-tail.ts';
import { pacedTail } from './paced-tail.ts';
import { decodeEntry, encodeRecord, WithheldSecretError } from './record-codec.ts';
import type { SecretEncryption } from '../src/encryption/config.ts';
import { JETSTREAM_ANSWER_TIMEOUT_MS } from './answer-timeout.ts';
import { ensureRegistryStream } from './registry-stream.ts';
import {
  REGISTRY,
  logFilterSubject,
  parseRegistrySubject,
  registrySubject,
  type LogFilter,
  type RegistryNames,
} from './subjects.ts';

export type { LogFilter };

export interface AppendOptions {
  /** The subject's last sequence as the writer saw it (0: no message on it yet). */
  expectedLastSubjectSeq: number;
  /** Same id on every retry of one write: the stream stores it once. */
  msgId?: string;
  timeoutMs?: number;
  /** Refuse (RecordTooLargeError, nothing sent) a record whose encoding is larger. */
  maxBytes?: number;
}

export interface AppendResult {
  seq: number;
  duplicate: boolean;
}

export interface LogBounds {
  /** The oldest sequence still held (lastSeq + 1 when the log is empty). */
  firstSeq: number;
  lastSeq: number;
}

export interface ReadOptions {
  fromSeq: number;
  toSeq?: number;
  filter?: LogFilter;
}

export interface FollowOptions {
  fromSeq: number;
  filter?: LogFilter;
  /**
   * Records the caller already holds (its own writes, by sequence), handed back instead of
   * decoding the message again: decoding is most of a follower's cost.
   */
  known?: (seq: number) => LogRecord | undefined;
}

export interface FollowHandle {
  /** The last sequence handed to onEntry (or skipped as malformed). */
  readonly lastSeq: number;
  stop(): Promise<void>;
}

export interface LogStats {
  malformed: number;
  duplicatesDropped: number;
  gaps: number;
  withheld: number;
}

/** The direct-get API exists at runtime on 2.29 but is missing from its typings. */
interface DirectGet {
  getMessage(stream: string, query: { last_by_subj: string } | { seq: number }): Promise<StoredMsg>;
}

const READ_HIGH_WATER = 8192;
const READ_LOW_WATER = 1024;
const PULL_BATCH = 1000;
const KEY_CACHE_LIMIT = 100_000;

const log = componentLogger('registry-log');

/** How long one pull of the live follower waits; its idle heartbeat is half that, so a lost consumer is noticed in ~2 s. */
const FOLLOW_PULL_EXPIRES_MS = 2_000;

export class RegistryLog {
  readonly stats: LogStats = { malformed: 0, duplicatesDropped: 0, gaps: 0, withheld: 0 };
  private readonly js: JetStreamClient;
  private jsmPromise: Promise<JetStreamManager> | undefined;
  private readonly keys = new Map<string, ObjectKey>();

  /** How long an append, a stream info or a direct get waits for nats-server's answer. */
  readonly answerTimeoutMs: number;

  constructor(
    readonly nc: NatsConnection,
    readonly names: RegistryNames = REGISTRY,
    /** Seals Secrets on append and opens them on read; without it they pass as stored. */
    readonly encryption?: SecretEncryption,
    options: { answerTimeoutMs?: number } = {},
  ) {
    this.answerTimeoutMs = options.answerTimeoutMs ?? JETSTREAM_ANSWER_TIMEOUT_MS;
    this.js = nc.jetstream({ timeout: this.answerTimeoutMs });
  }

  /** Ensure the stream exists with our configuration, then return a log over it. */
  static async open(nc: NatsConnection, names: RegistryNames = REGISTRY, encryption?: SecretEncryption): Promise<RegistryLog> {
    await ensureRegistryStream(nc, names);
    return new RegistryLog(nc, names, encryption);
  }

  subject(key: ObjectKey): string {
    return registrySubject(key, this.names);
  }

  async append(key: ObjectKey, record: LogRecord, options: AppendOptions): Promise<AppendResult> {
    const subject = this.subject(key);
    const expected = options.expectedLastSubjectSeq;
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw new LogError(`expectedLastSubjectSeq must be a sequence >= 0, got ${expected}`);
    }
    const body = encodeRecord(record, key, this.encryption);
    if (options.maxBytes !== undefined && body.byteLength > options.maxBytes) {
      throw new RecordTooLargeError(subject, body.byteLength, options.maxBytes);
    }
    try {
      const ack = await this.js.publish(subject, body, {
        expect: { lastSubjectSequence: expected },
        ...(options.msgId ? { msgID: options.msgId } : {}),
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      throw translatePublishError(error, subject, expected, options.msgId);
    }
  }

  async bounds(): Promise<LogBounds> {
    const jsm = await this.jsm();
    try {
      const { state } = await jsm.streams.info(this.names.stream);
      // An empty stream reports first_seq 0 before any write, last_seq + 1 after a purge.
      return { firstSeq: Math.max(state.first_seq, 1), lastSeq: state.last_seq };
    } catch (error) {
      throw translateError(error, `stream info ${this.names.stream}`);
    }
  }

  /** The subject's newest message (a tombstone included), or undefined when it has none. */
  async lastEntry(key: ObjectKey): Promise<LogEntry | undefined> {
    return this.directGet({ last_by_subj: this.subject(key) });
  }

  /** The message at one sequence, or undefined when there is none (never written, or purged). */
  async entryAt(seq: number): Promise<LogEntry | undefined> {
    return this.directGet({ seq });
  }

  read(options: ReadOptions): AsyncIterable<LogEntry> {
    return { [Symbol.asyncIterator]: () => this.readIterator(options) };
  }

  follow(options: FollowOptions, onEntry: (entry: LogEntry) => void, onError: (error: Error) => void): FollowHandle {
    const contiguous = options.filter?.resource === undefined;
    const filterSubjects = logFilterSubject(options.filter, this.names);
    let last = Math.max(options.fromSeq, 1) - 1;
    let stopped = false;
    const report = (error: unknown) => {
      if (stopped) return;
      try {
        onError(error instanceof Error ? error : new LogError(String(error)));
      } catch (thrown) {
        log.error({ err: thrown }, 'follow onError handler threw');
      }
    };
    const handle = (m: JsMsg) => {
      const seq = m.seq;
      if (seq <= last) {
        this.stats.duplicatesDropped++;
        return;
      }
      if (contiguous && seq !== last + 1) {
        this.stats.gaps++;
        report(new SequenceGapError(last + 1, seq));
      }
      last = seq;
      const record = options.known?.(seq);
      const entry = record ? this.knownEntry(m, record) : this.toEntry(m);
      if (entry === undefined) return;
      try {
        onEntry(entry);
      } catch (error) {
        report(error);
      }
    };
    const tail = startLiveTail(
      this.nc,
      { stream: this.names.stream, filterSubject: filterSubjects, nextSeq: () => last + 1, batch: PULL_BATCH, expiresMs: FOLLOW_PULL_EXPIRES_MS, logger: log },
      handle,
      report,
    );
    return {
      get lastSeq() {
        return last;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await tail.stop();
      },
    };
  }

  private readIterator(options: ReadOptions): AsyncIterator<LogEntry> {
    const filtered = options.filter?.resource !== undefined;
    let cursor = Math.max(options.fromSeq, 1) - 1;
    let toSeq = Number.POSITIVE_INFINITY;
    // The live tail's consumers (a new one at the cursor after a lost server), ended at toSeq.
    const { iterator, read, start } = pacedTail<LogEntry>(
      this.nc,
      {
        stream: this.names.stream,
        filterSubject: logFilterSubject(options.filter, this.names),
        nextSeq: () => cursor + 1,
        batch: PULL_BATCH,
        expiresMs: FOLLOW_PULL_EXPIRES_MS,
        logger: log,
        highWater: READ_HIGH_WATER,
        lowWater: READ_LOW_WATER,
        // Nothing left in the range (or none matching the filter): the read is over.
        onConsumer: (pending) => {
          if (pending === 0) read.finish();
        },
      },
      (m) => {
        const seq = m.seq;
        if (seq <= cursor) {
          this.stats.duplicatesDropped++;
          return;
        }
        if (seq > toSeq) return read.finish();
        cursor = seq;
        const entry = this.toEntry(m);
        if (entry !== undefined) read.push(entry);
        // pending is only trusted for a filtered read: after a compaction purge the
        // server's count ran short on unfiltered reads (read again from the cursor).
        if (seq >= toSeq || (filtered && m.info.pending === 0)) read.finish();
      },
      (error) => translateError(error, 'read'),
    );
    void (async () => {
      // A toSeq beyond the end reads what exists; a read never waits for the future.
      const { lastSeq } = await this.bounds();
      toSeq = Math.min(options.toSeq ?? lastSeq, lastSeq);
      if (cursor >= toSeq) read.finish();
      else start();
    })().catch((error) => read.finish(translateError(error, 'read')));
    return iterator;
  }

  private key(subject: string): ObjectKey {
    let key = this.keys.get(subject);
    if (key === undefined) {
      if (this.keys.size >= KEY_CACHE_LIMIT) this.keys.clear();
      key = Object.freeze(parseRegistrySubject(subject, this.names));
      this.keys.set(subject, key);
    }
    return key;
  }

  private knownEntry(m: JsMsg, record: LogRecord): LogEntry {
    return { type: record.type, object: record.object, seq: m.seq, key: this.key(m.subject), time: Math.floor(m.info.timestampNanos / 1e6) };
  }

  private toEntry(m: JsMsg): LogEntry | undefined {
    const seq = m.seq;
    try {
      return decodeEntry(m.data, seq, this.key(m.subject), Math.floor(m.info.timestampNanos / 1e6), m.subject, this.encryption);
    } catch (error) {
      if (error instanceof WithheldSecretError) return this.withheld(error);
      this.malformed(seq, m.subject, error);
      return undefined;
    }
  }

  private async directGet(query: { last_by_subj: string } | { seq: number }): Promise<LogEntry | undefined> {
    const direct = (await this.jsm()) as unknown as { direct?: DirectGet };
    if (!direct.direct) throw new LogError('this nats client has no direct get API');
    let stored: StoredMsg;
    try {
      stored = await direct.direct.getMessage(this.names.stream, query);
    } catch (error) {
      if ((error as { code?: unknown }).code === '404') return undefined;
      throw translateError(error, `direct get ${JSON.stringify(query)}`);
    }
    const subject = stored.subject;
    try {
      return decodeEntry(stored.data, stored.seq, this.key(subject), stored.time.getTime(), subject, this.encryption);
    } catch (error) {
      if (error instanceof WithheldSecretError) return this.withheld(error);
      this.malformed(stored.seq, subject, error);
      return undefined;
    }
  }

  private malformed(seq: number, subject: string, error: unknown): void {
    const n = ++this.stats.malformed;
    if (n <= 10 || n % 1000 === 0) {
      log.error({ seq, subject, reason: error instanceof Error ? error.message : String(error), malformed: n }, 'skipping malformed log record');
    }
  }

  private withheld(error: WithheldSecretError): LogEntry {
    const n = ++this.stats.withheld;
    if (n <= 10 || n % 1000 === 0) {
      const { key, seq } = error.entry;
      log.error(
        { seq, namespace: key.namespace, name: key.name, keyName: error.reason.keyName, reason: error.reason.message, withheld: n },
        'cannot decrypt a Secret: serving it with its data withheld. Put the key it was sealed with into the encryption config ' +
          'and restart, or overwrite the Secret (kubectl apply / replace) to seal it again with the current key',
      );
    }
    return error.entry;
  }

  /** The manager, made on first use (nats.js checks the JetStream API then); a failed check is not kept. */
  private jsm(): Promise<JetStreamManager> {
    this.jsmPromise ??= this.nc.jetstreamManager({ timeout: this.answerTimeoutMs }).catch((error: unknown) => {
      this.jsmPromise = undefined;
      throw translateError(error, 'JetStream API check');
    });
    return this.jsmPromise;
  }
}
