/**
 * API server start-up from a snapshot: for a log of `events` changes over `subjects` live
 * Pod-like objects (~1 KB each), the time to rebuild the store by full replay, against
 * starting from the newest snapshot (written at events - tail) and the `tail` after it
 * (startFromSnapshot, what the API server runs, in a fresh process each time as an API
 * server starting: bench/snapshot-startup-once.ts; `runs` times, min/median/max), next to the
 * raw NATS cost of the same bytes (the snapshot object fetched and the tail's messages
 * read, nothing decoded); and `replay --at` the middle of the log (a fold up to events / 2:
 * the only snapshot is later, so it folds from the start). Prints progress and the
 * process's RSS. Target: snapshot start-up under 2 s for 100k live objects. Uses its own
 * stream and bucket, deleted after.
 * Run alone: `npx tsx bench/snapshot.ts [events] [subjects] [tail] [runs]` (starts its own nats-server).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connectNats, drainNats } from '../streams/connection.ts';
import { RegistryLog } from '../streams/registry-log.ts';
import { deleteRegistryStream, ensureRegistryStream } from '../streams/registry-stream.ts';
import { SnapshotStore } from '../streams/snapshot-store.ts';
import type { RegistryNames } from '../streams/subjects.ts';
import { writeSnapshot } from '../src/store/snapshot-io.ts';
import { snapshotBase } from '../src/replay/snapshot-base.ts';
import { foldTo } from '../src/replay/timeline.ts';
import type { NatsConnection } from '../streams/connection.ts';
import type { Figure } from './figures.ts';
import { fillRegistry } from './raw-fixtures.ts';
import { countLabel, rebuildOnce } from './store-rebuild.ts';

export interface SnapshotBenchOptions {
  events?: number;
  subjects?: number;
  tail?: number;
  /** Start-ups measured (min/median/max reported). */
  runs?: number;
}

interface FreshStartup {
  ms: number;
  objects: number;
  revision: number;
  tail: number;
  loadMs?: number;
  rssMb: number;
}

async function startupInFreshProcess(url: string, names: RegistryNames, bucket: string): Promise<FreshStartup> {
  const { execFile } = await import('node:child_process');
  const script = new URL('./snapshot-startup-once.ts', import.meta.url).pathname;
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', script, url, names.stream, names.prefix, bucket], { maxBuffer: 1 << 20 }, (error, out) => (error ? reject(error) : resolve(out))),
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as FreshStartup;
}

const rss = () => `${Math.round(process.memoryUsage().rss / 1e6)} MB RSS`;

/** Raw NATS: read the messages fromSeq..toSeq with an ordered consumer, decoding nothing. */
async function rawRead(nc: NatsConnection, stream: string, fromSeq: number, toSeq: number): Promise<number> {
  const consumer = await nc.jetstream().consumers.get(stream, { opt_start_seq: fromSeq });
  let bytes = 0;
  const messages = await consumer.consume({ max_messages: 1000 });
  for await (const m of messages) {
    bytes += m.data.byteLength;
    if (m.seq >= toSeq) break;
  }
  messages.stop();
  await consumer.delete().catch(() => false);
  return bytes;
}

export const SNAPSHOT_STARTUP_TARGET_MS = 2_000;

export async function benchSnapshot(url: string, options: SnapshotBenchOptions = {}): Promise<Figure[]> {
  const events = options.events ?? 1_000_000;
  const subjects = options.subjects ?? 100_000;
  const tail = options.tail ?? 10_000;
  const runs = options.runs ?? 5;
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
    say(`filling the log with ${countLabel(events - tail)} events over ${countLabel(subjects)} objects`);
    await fillRegistry(nc, names, events - tail, subjects);
    let started = 0;
    {
      // Scoped so that this store is garbage before anything is timed.
      say(`rebuilding the store to snapshot it (${rss()})`);
      const head = await rebuildOnce(log, (await log.bounds()).lastSeq);
      // How long the event loop stood still at most meanwhile: an API server writes these while serving.
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      started = performance.now();
      await writeSnapshot(head.store, snapshots);
      const writeMs = performance.now() - started;
      loopDelay.disable();
      const [info] = await snapshots.list();
      const heldMs = Math.round(loopDelay.max / 1e6);
      say(`snapshot of ${head.store.size} objects at revision ${head.store.revision}: ${info?.bytes} bytes, written in ${writeMs.toFixed(0)} ms; the event loop stood still at most ${heldMs} ms meanwhile`);
      figures.push({ name: `snapshot write of ${countLabel(head.store.size)} objects: longest event-loop stall (ms)`, opsPerSec: heldMs });
    }
    await fillRegistry(nc, names, tail, subjects);
    const bounds = await log.bounds();
    globalThis.gc?.();

    const [newest] = (await snapshots.list()).slice(-1);
    const snapshotRevision = newest?.revision ?? 0;
    const times: number[] = [];
    const rawTimes: number[] = [];
    let restored = { revision: 0, size: 0 };
    let loaded: { bytes: number; loadMs: number } | undefined;
    let rssAfter = '';
    for (let run = 0; run < runs; run++) {
      // Raw first: the same bytes off the same server, nothing decoded (and the page cache warm for both).
      started = performance.now();
      for await (const _chunk of (await snapshots.stream(snapshotRevision)) ?? []) void _chunk;
      await rawRead(nc, names.stream, snapshotRevision + 1, bounds.lastSeq);
      rawTimes.push(performance.now() - started);
      // A fresh process, as an API server starting: this one's heap (the fill, the head store) would weigh on its GC.
      const startup = await startupInFreshProcess(url, names, bucketName);
      times.push(startup.ms);
      restored = { revision: startup.revision, size: startup.objects };
      loaded = { bytes: newest?.bytes ?? 0, loadMs: startup.loadMs ?? 0 };
      rssAfter = `${startup.rssMb} MB RSS`;
      say(`start-up ${run + 1}/${runs}: ${startup.ms.toFixed(0)} ms (snapshot loaded in ${startup.loadMs} ms, ${startup.tail} tail entries), raw fetch ${rawTimes.at(-1)!.toFixed(0)} ms; the starting process: ${rssAfter}`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const rawMedian = [...rawTimes].sort((a, b) => a - b)[Math.floor(rawTimes.length / 2)]!;
    const startupMs = median;
    say(
      `snapshot start-up over ${runs} runs: min ${sorted[0]!.toFixed(0)} / median ${median.toFixed(0)} / max ${sorted.at(-1)!.toFixed(0)} ms; ` +
        `raw NATS fetch of the same bytes (snapshot object + tail messages, no decode) median ${rawMedian.toFixed(0)} ms: ` +
        `start-up takes ${(median / rawMedian).toFixed(2)}x the raw fetch (raw is ${((rawMedian / median) * 100).toFixed(0)}% of it)`,
    );
    figures.push({ name: `start-up from snapshot (${loaded?.bytes} bytes) + ${countLabel(bounds.lastSeq - snapshotRevision)} tail, median of ${runs} (ms)`, opsPerSec: Math.round(median) });
    figures.push({ name: `raw fetch of the snapshot + tail, median of ${runs} (ms)`, opsPerSec: Math.round(rawMedian) });

    say(`full replay of ${countLabel(bounds.lastSeq)} events (${rss()})`);
    const full = await rebuildOnce(log, bounds.lastSeq);
    say(`full replay done in ${full.elapsedMs.toFixed(0)} ms; ${rss()}`);
    figures.push({ name: `start-up by full replay, ${countLabel(bounds.lastSeq)} events, ${countLabel(full.store.size)} objects (ms)`, opsPerSec: Math.round(full.elapsedMs) });
    if (restored.revision !== bounds.lastSeq || restored.size !== full.store.size) {
      throw new Error(`snapshot start-up reached ${restored.revision}/${restored.size}, expected ${bounds.lastSeq}/${full.store.size}`);
    }

    const middle = Math.floor(bounds.lastSeq / 2);
    say(`replay --at ${countLabel(middle)} (no snapshot before it: a fold from the start)`);
    const at = await rebuildOnce(log, middle);
    figures.push({ name: `replay --at ${countLabel(middle)} of ${countLabel(bounds.lastSeq)} events (ms)`, opsPerSec: Math.round(at.elapsedMs) });

    // With the API server's periodic snapshots (every 10k revisions by default) one sits
    // at or just before any point: replay --at then folds from it (src/replay/snapshot-base.ts).
    await writeSnapshot(at.store, snapshots);
    const point = middle + Math.floor(tail / 2);
    started = performance.now();
    const base = await snapshotBase(snapshots, bounds, { revision: point });
    const folded = await foldTo(log.read({ fromSeq: (base?.header.revision ?? 0) + 1, toSeq: point }), { revision: point }, base ? { base } : {});
    const viaSnapshotMs = performance.now() - started;
    if (folded.revision !== point || base?.header.revision !== middle) throw new Error(`replay --at ${point} reached ${folded.revision} from snapshot ${base?.header.revision}`);
    say(`replay --at ${point} from the snapshot at ${middle} + ${point - middle} entries: ${viaSnapshotMs.toFixed(0)} ms; ${rss()}`);
    figures.push({ name: `replay --at ${countLabel(middle)} + ${countLabel(point - middle)} from a snapshot at ${countLabel(middle)} (ms)`, opsPerSec: Math.round(viaSnapshotMs) });

    const met = startupMs < SNAPSHOT_STARTUP_TARGET_MS;
    say(`full replay ${full.elapsedMs.toFixed(0)} ms; snapshot + tail ${startupMs.toFixed(0)} ms (median) for ${restored.size} live objects (${rssAfter} in the started process); replay --at middle ${at.elapsedMs.toFixed(0)} ms (${viaSnapshotMs.toFixed(0)} ms from a snapshot); ${rss()} at the end`);
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
    const [events, subjects, tail, runs] = process.argv.slice(2).map(Number);
    for (const f of await benchSnapshot(nats.url, { events: events || undefined, subjects: subjects || undefined, tail: tail || undefined, runs: runs || undefined })) {
      process.stdout.write(`${f.name}: ${f.opsPerSec}\n`);
    }
  } finally {
    await nats.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
}
