/**
 * Raw NATS operations with none of jetkube's layers on top, for the benchmarks that
 * measure the physical limits jetkube's own figures are compared against (same server,
 * same run). Nothing in the product uses these.
 */
import { Decoder } from '@msgpack/msgpack';
import type { NatsConnection } from 'nats';
import type { RegistryNames } from './subjects.ts';

export interface RawTiming {
  count: number;
  elapsedMs: number;
  latenciesMs?: number[];
}

/** Acked publishes of `count` bodies, `inFlight` outstanding at a time (1 = sequential). */
export async function rawAckedPublish(
  nc: NatsConnection,
  subjectOf: (i: number) => string,
  bodyOf: (i: number) => Uint8Array,
  count: number,
  inFlight: number,
): Promise<RawTiming> {
  const js = nc.jetstream();
  const latenciesMs: number[] = new Array(count);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const subject = subjectOf(i);
      const body = bodyOf(i);
      const t = performance.now();
      await js.publish(subject, body);
      latenciesMs[i] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, inFlight) }, lane));
  return { count, elapsedMs: performance.now() - started, latenciesMs };
}

/** Core (unacked) publishes, flushed every few thousand: the fastest way to load a stream. */
export async function rawCorePublish(nc: NatsConnection, subjectOf: (i: number) => string, bodyOf: (i: number) => Uint8Array, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    nc.publish(subjectOf(i), bodyOf(i));
    if (i % 5000 === 4999) await nc.flush();
  }
  await nc.flush();
}

export async function rawStreamMessages(nc: NatsConnection, stream: string): Promise<{ messages: number; lastSeq: number }> {
  const { state } = await (await nc.jetstreamManager()).streams.info(stream);
  return { messages: state.messages, lastSeq: state.last_seq };
}

/**
 * Replay a stream from its start to `lastSeq` with an ordered consumer (callback mode),
 * optionally msgpack-decoding each body: the raw replay rate.
 */
export async function rawOrderedReplay(nc: NatsConnection, names: RegistryNames, lastSeq: number, decode: boolean): Promise<RawTiming> {
  const js = nc.jetstream();
  const decoder = new Decoder();
  let count = 0;
  let sink = 0;
  const started = performance.now();
  const consumer = await js.consumers.get(names.stream, { filterSubjects: `${names.prefix}.>` });
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const messages = await consumer.consume({
    max_messages: 1000,
    callback: (m) => {
      count++;
      if (decode) sink += (decoder.decode(m.data) as { type: string }).type.length;
      else sink += m.data.length;
      if (m.seq >= lastSeq) finish();
    },
  });
  await finished;
  messages.stop();
  const elapsedMs = performance.now() - started;
  await consumer.delete().catch(() => false);
  if (sink < 0) throw new Error('unreachable');
  return { count, elapsedMs };
}
