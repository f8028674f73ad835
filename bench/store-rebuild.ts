/**
 * jetkube's store rebuild rate: a fresh ObjectStore filled by RegistryLog.read from the
 * first to the last seq, for logs of the given sizes (~1 KB Pod-like objects over 10k
 * subjects). The caller compares it with 'raw replay with msgpack decode' of the same
 * run. Uses its own stream (BENCH_STORE), deleted afterwards.
 */
import { connectNats, drainNats } from '../streams/connection.ts';
import { RegistryLog } from '../streams/registry-log.ts';
import { deleteRegistryStream, ensureRegistryStream } from '../streams/registry-stream.ts';
import type { RegistryNames } from '../streams/subjects.ts';
import { ObjectStore } from '../src/store/object-store.ts';
import type { Figure } from './figures.ts';
import { fillRegistry } from './raw-fixtures.ts';

const SUBJECTS = 10_000;

export function countLabel(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}

export async function rebuildOnce(log: RegistryLog, toSeq: number): Promise<{ store: ObjectStore; elapsedMs: number }> {
  const store = new ObjectStore();
  const started = performance.now();
  for await (const entry of log.read({ fromSeq: 1, toSeq })) store.apply(entry);
  const elapsedMs = performance.now() - started;
  if (store.revision !== toSeq) throw new Error(`rebuild stopped at ${store.revision}, expected ${toSeq}`);
  return { store, elapsedMs };
}

export async function benchStoreRebuild(url: string, sizes: number[] = [100_000, 1_000_000]): Promise<Figure[]> {
  const nc = await connectNats(url, 'bench-store-rebuild');
  const names: RegistryNames = { stream: 'BENCH_STORE', prefix: 'benchstore' };
  const figures: Figure[] = [];
  try {
    for (const size of sizes) {
      await deleteRegistryStream(nc, names);
      await ensureRegistryStream(nc, names);
      await fillRegistry(nc, names, size, SUBJECTS);
      const log = new RegistryLog(nc, names);
      const { lastSeq } = await log.bounds();
      let best = 0;
      for (let run = 0; run < 2; run++) {
        const { store, elapsedMs } = await rebuildOnce(log, lastSeq);
        if (store.size !== Math.min(size, SUBJECTS)) throw new Error(`rebuilt ${store.size} objects, expected ${Math.min(size, SUBJECTS)}`);
        best = Math.max(best, (lastSeq * 1000) / elapsedMs);
      }
      figures.push({ name: `store rebuild, ${countLabel(size)} events`, opsPerSec: Math.round(best) });
    }
    await deleteRegistryStream(nc, names);
  } finally {
    await drainNats(nc);
  }
  return figures;
}
