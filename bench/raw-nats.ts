/**
 * The raw NATS figures jetkube's own are compared against, measured on the given server
 * in the same run: acked publish (sequential, and 256 in flight) of ~1 KB msgpack Pods,
 * and ordered-consumer replay with and without msgpack decode. Uses its own streams
 * (BENCH_RAW_*), deleted afterwards, so it never touches REGISTRY.
 */
import { connectNats, drainNats } from '../streams/connection.ts';
import { rawAckedPublish, rawOrderedReplay, rawStreamMessages } from '../streams/raw.ts';
import { encodeRecord } from '../streams/record-codec.ts';
import { deleteRegistryStream, ensureRegistryStream } from '../streams/registry-stream.ts';
import { registrySubject, type RegistryNames } from '../streams/subjects.ts';
import { summarize, type Figure } from './figures.ts';
import { fillRegistry, podLike } from './raw-fixtures.ts';

export interface RawNatsCounts {
  /** Sequential acked publishes (the 256-in-flight run does 5x as many). */
  publishes: number;
  /** Messages replayed. */
  replay: number;
}

const SUBJECTS = 10_000;

export async function benchRawNats(url: string, counts: RawNatsCounts = { publishes: 10_000, replay: 1_000_000 }): Promise<Figure[]> {
  const nc = await connectNats(url, 'bench-raw-nats');
  const figures: Figure[] = [];
  const pub: RegistryNames = { stream: 'BENCH_RAW_PUBLISH', prefix: 'benchrawpub' };
  const replay: RegistryNames = { stream: 'BENCH_RAW_REPLAY', prefix: 'benchrawreplay' };
  try {
    await deleteRegistryStream(nc, pub);
    await ensureRegistryStream(nc, pub);
    const subjectOf = (i: number) => registrySubject({ resource: 'pods', namespace: `ns-${i % 20}`, name: `pod-${i % SUBJECTS}` }, pub);
    const bodies = Array.from({ length: 64 }, (_, i) => encodeRecord({ type: 'MODIFIED', object: podLike(i, SUBJECTS, i) }));
    const bodyOf = (i: number) => bodies[i % bodies.length]!;
    const sequential = await rawAckedPublish(nc, subjectOf, bodyOf, counts.publishes, 1);
    figures.push(summarize('raw acked publish, sequential', sequential.count, sequential.elapsedMs, sequential.latenciesMs));
    const parallel = await rawAckedPublish(nc, subjectOf, bodyOf, counts.publishes * 5, 256);
    figures.push(summarize('raw acked publish, 256 in flight', parallel.count, parallel.elapsedMs, parallel.latenciesMs));
    await deleteRegistryStream(nc, pub);

    await deleteRegistryStream(nc, replay);
    await ensureRegistryStream(nc, replay);
    await fillRegistry(nc, replay, counts.replay, SUBJECTS);
    const { lastSeq } = await rawStreamMessages(nc, replay.stream);
    // Alternate and keep the better of two runs of each: the first replay also warms the page cache.
    const best = { decode: 0, raw: 0 };
    for (let run = 0; run < 2; run++) {
      const withDecode = await rawOrderedReplay(nc, replay, lastSeq, true);
      best.decode = Math.max(best.decode, (withDecode.count * 1000) / withDecode.elapsedMs);
      const without = await rawOrderedReplay(nc, replay, lastSeq, false);
      best.raw = Math.max(best.raw, (without.count * 1000) / without.elapsedMs);
    }
    figures.push({ name: 'raw replay with msgpack decode', opsPerSec: Math.round(best.decode) });
    figures.push({ name: 'raw replay without decode', opsPerSec: Math.round(best.raw) });
    await deleteRegistryStream(nc, replay);
  } finally {
    await drainNats(nc);
  }
  return figures;
}
