/**
 * API server start-up from a snapshot: for a log of `events` changes over `subjects` live
 * Pod-like objects (~1 KB each), the time to rebuild the store by full replay, against
 * loading the newest snapshot (written at events - tail) and replaying the `tail` after
 * it; and `replay --at` the middle of the log (a fold up to events / 2). Target: snapshot
 * start-up under 2 s for 100k live objects. Uses its own stream and bucket, deleted after.
 * Run alone: `npx tsx bench/snapshot.ts [events] [subjects] [tail]` (starts its own nats-server).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats, drainNats } from '../streams/connection.ts';
import { RegistryLog } from '../streams/registry-log.ts';
import { deleteRegistryStream, ensureRegistryStream } from '../streams/registry-stream.ts';
import { SnapshotStore } from '../streams/snapshot-store.ts';
import type { RegistryNames } from '../streams/subjects.ts';
import { ObjectStore } from '../src/store/object-store.ts';
import { loadNewestSnapshot, writeSnapshot } from '../src/store/snapshot-io.ts';
import type { Figure } from './figures.ts';
import { fillRegistry } from './raw-fixtures.ts';
import { countLabel, rebuildOnce } from './store-rebuild.ts';

export interface SnapshotBenchOptions {
  events?: number;
  subjects?: number;
  tail?: number;
}

export const SNAPSHOT_STARTUP_TARGET_MS = 2_000;

export async function benchSnapshot(url: string, options: SnapshotBenchOptions = {}): Promise<Figure[]> {
  const events = options.events ?? 1_000_000;
  const subjects = options.subjects ?? 100_000;
  const tail = options.tail ?? 10_000;
  const names: RegistryNames = { stream: 'BENCH_SNAP', prefix: 'benchsnap' };
  const bucketName = 'BENCH_SNAP_BUCKET';
  const nc = await connectNats(url, 'bench-snapshot');
  const figures: Figure[] = [];
  const say = (text: string) => process.stderr.write(`bench snapshot: ${text}\n`);
  try {
    await deleteRegistryStream(nc, names);
    await ensureRegistryStream(nc, names);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(`OBJ_${bucketName}`).catch(() => false);
    const log = new RegistryLog(nc, names);
    const snapshots = await SnapshotStore.open(nc, names, bucketName);
    await fillRegistry(nc, names, events - tail, subjects);
    let started = 0;
    {
      // Scoped so that this store is garbage before anything is timed.
      const head = await rebuildOnce(log, (await log.bounds()).lastSeq);
      started = performance.now();
      await writeSnapshot(head.store, snapshots);
      const [info] = await snapshots.list();
      say(`snapshot of ${head.store.size} objects at revision ${head.store.revision}: ${info?.bytes} bytes, written in ${(performance.now() - started).toFixed(0)} ms`);
    }
    await fillRegistry(nc, names, tail, subjects);
    const bounds = await log.bounds();
    globalThis.gc?.();

    started = performance.now();
    const store = new ObjectStore();
    const loaded = await loadNewestSnapshot(store, snapshots, bounds);
    const loadMs = performance.now() - started;
    for await (const entry of log.read({ fromSeq: store.revision + 1, toSeq: bounds.lastSeq })) store.apply(entry);
    const startupMs = performance.now() - started;
    const restored = { revision: store.revision, size: store.size };
    figures.push({ name: `start-up from snapshot (load ${loadMs.toFixed(0)} ms, ${loaded?.bytes} bytes) + ${countLabel(bounds.lastSeq - (loaded?.revision ?? 0))} tail (ms)`, opsPerSec: Math.round(startupMs) });

    const full = await rebuildOnce(log, bounds.lastSeq);
    figures.push({ name: `start-up by full replay, ${countLabel(bounds.lastSeq)} events, ${countLabel(full.store.size)} objects (ms)`, opsPerSec: Math.round(full.elapsedMs) });
    if (restored.revision !== bounds.lastSeq || restored.size !== full.store.size) {
      throw new Error(`snapshot start-up reached ${restored.revision}/${restored.size}, expected ${bounds.lastSeq}/${full.store.size}`);
    }

    const middle = Math.floor(bounds.lastSeq / 2);
    const at = await rebuildOnce(log, middle);
    figures.push({ name: `replay --at ${countLabel(middle)} of ${countLabel(bounds.lastSeq)} events (ms)`, opsPerSec: Math.round(at.elapsedMs) });

    const met = startupMs < SNAPSHOT_STARTUP_TARGET_MS;
    say(`full replay ${full.elapsedMs.toFixed(0)} ms; snapshot + tail ${startupMs.toFixed(0)} ms for ${store.size} live objects; replay --at middle ${at.elapsedMs.toFixed(0)} ms`);
    say(`target (snapshot start-up < ${SNAPSHOT_STARTUP_TARGET_MS} ms for 100k live objects): ${met ? 'met' : 'NOT met'}`);
    await deleteRegistryStream(nc, names);
    await jsm.streams.delete(`OBJ_${bucketName}`).catch(() => false);
  } finally {
    await drainNats(nc);
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { startNatsServer } = await import('../src/natsd/server.ts');
  const storeDir = await mkdtemp(join(tmpdir(), 'jetkube-bench-snapshot-'));
  const nats = await startNatsServer({ storeDir });
  try {
    const [events, subjects, tail] = process.argv.slice(2).map(Number);
    for (const f of await benchSnapshot(nats.url, { events: events || undefined, subjects: subjects || undefined, tail: tail || undefined })) {
      process.stdout.write(`${f.name}: ${f.opsPerSec}\n`);
    }
  } finally {
    await nats.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
}
