/**
 * The LOGS stream: container output, one message per line, on
 * `logs.<namespace>.<pod>.<container>` (tokens encoded as the registry's). Headers carry
 * what `kubectl logs` filters and prints by: the pod's uid (a pod recreated under the same
 * name must not show its predecessor's lines), the container's attempt (its restartCount
 * when it wrote the line: `--previous` reads attempt - 1), the stream and the time.
 *
 * Kubelets publish lines with core NATS publishes (no ack per line: a chatty container
 * must never slow its pod's state machine), which JetStream stores like any other.
 * The stream keeps a day of output, at most 1 GiB, dropping the oldest first: container
 * logs are rotated in Kubernetes too.
 */
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  headers as natsHeaders,
  nanos,
  type JsMsg,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import type { ContainerLogLine, ContainerLogSink } from '../src/kubelet/log-sink.ts';
import type { OutputStream } from '../src/runtime/runtime.ts';
import { JS_ERR_NO_MESSAGE, jsErrCode, translateError } from './errors.ts';
import { ensureStream } from './ensure-stream.ts';
import { tailToEnd } from './tail-to-end.ts';
import { componentLogger } from '../src/log.ts';
import { encodeToken } from './token.ts';

export const LOGS_STREAM = 'LOGS';
const log = componentLogger('logs-stream');
const LOGS_PREFIX = 'logs';
const DAY_MS = 24 * 60 * 60 * 1000;

const H_UID = 'Jk-Pod-Uid';
const H_ATTEMPT = 'Jk-Attempt';
const H_STREAM = 'Jk-Stream';
const H_TIME = 'Jk-Time';

export function logsStreamConfig(): Partial<StreamConfig> & { name: string } {
  return {
    name: LOGS_STREAM,
    description: 'jetkube container output: one message per line',
    subjects: [`${LOGS_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(DAY_MS),
    max_bytes: 1024 * 1024 * 1024,
    max_msgs: -1,
    max_msgs_per_subject: -1,
    num_replicas: 1,
  };
}

/** Creates the stream when missing, replicated as the NATS deployment calls for (idempotent). */
export function ensureLogsStream(nc: NatsConnection): Promise<void> {
  return ensureStream(nc, logsStreamConfig());
}

export function logSubject(namespace: string, pod: string, container: string): string {
  return `${LOGS_PREFIX}.${encodeToken(namespace)}.${encodeToken(pod)}.${encodeToken(container)}`;
}

/** The kubelet's sink: every line is one core publish into the stream. */
export class JetStreamLogSink implements ContainerLogSink {
  private readonly encoder = new TextEncoder();

  constructor(private readonly nc: NatsConnection) {}

  append(line: ContainerLogLine): void {
    const h = natsHeaders();
    h.set(H_UID, line.podUid);
    h.set(H_ATTEMPT, String(line.attempt));
    h.set(H_STREAM, line.stream);
    h.set(H_TIME, line.time.toISOString());
    if (this.nc.isClosed()) return;
    this.nc.publish(logSubject(line.namespace, line.pod, line.container), this.encoder.encode(line.text), { headers: h });
  }

  /** Core publishes are stored by the time the server answers a flush. */
  async flush(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.flush();
  }
}

/** One stored line, as the reader hands it back. */
export interface StoredLogLine {
  /** The line's sequence in the LOGS stream. */
  seq: number;
  podUid: string;
  attempt: number;
  stream: OutputStream;
  time: Date;
  text: string;
}

export interface LogReadOptions {
  namespace: string;
  pod: string;
  container: string;
  /** Only lines written at or after this time (sinceSeconds / sinceTime). */
  since?: Date;
  /** After the stored lines, keep delivering new ones until the signal aborts. */
  follow: boolean;
  /** Ends the read (even while it waits for new lines). */
  signal?: AbortSignal;
}

/**
 * The stored lines of one container (every pod uid and attempt: the caller filters),
 * oldest first; with follow, then the new ones as they arrive. Aborting the signal or
 * ending the iteration (break, return) deletes the consumer. `caughtUp` is called once, when every line stored
 * at the start has been delivered (at once for an empty subject).
 */
export async function* readContainerLog(nc: NatsConnection, options: LogReadOptions, caughtUp: () => void = () => {}): AsyncGenerator<StoredLogLine> {
  const lines = tailToEnd(
    nc,
    {
      stream: LOGS_STREAM,
      filterSubject: logSubject(options.namespace, options.pod, options.container),
      follow: options.follow,
      batch: 256,
      logger: log,
      ...(options.since ? { since: options.since } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
    caughtUp,
  );
  for await (const m of lines) yield toLine(m);
}

const decoder = new TextDecoder();

function toLine(m: JsMsg): StoredLogLine {
  const h = m.headers;
  const stream = h?.get(H_STREAM) === 'stderr' ? 'stderr' : 'stdout';
  const time = h?.get(H_TIME);
  return {
    seq: m.seq,
    podUid: h?.get(H_UID) ?? '',
    attempt: Number(h?.get(H_ATTEMPT) ?? 0),
    stream,
    time: time ? new Date(time) : new Date(Math.floor(m.info.timestampNanos / 1e6)),
    text: decoder.decode(m.data),
  };
}

/** The sequence of the newest line of one container (0 when it has none). */
export async function lastLogSeq(nc: NatsConnection, namespace: string, pod: string, container: string): Promise<number> {
  const jsm = await nc.jetstreamManager();
  try {
    const message = await jsm.streams.getMessage(LOGS_STREAM, { last_by_subj: logSubject(namespace, pod, container) });
    return message.seq;
  } catch (error) {
    if (jsErrCode(error) === JS_ERR_NO_MESSAGE) return 0;
    throw translateError(error, 'last log line');
  }
}

/** The API server's reader of container output, over its connection. */
export function containerLogReader(nc: NatsConnection): {
  readLog(options: LogReadOptions, caughtUp: () => void): AsyncIterable<StoredLogLine>;
  lastLogSeq(namespace: string, pod: string, container: string): Promise<number>;
} {
  return {
    readLog: (options, caughtUp) => readContainerLog(nc, options, caughtUp),
    lastLogSeq: (namespace, pod, container) => lastLogSeq(nc, namespace, pod, container),
  };
}
