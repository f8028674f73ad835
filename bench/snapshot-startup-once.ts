/**
 * One API-server-like start-up in a fresh process (what `jetkube up` pays): connect, then
 * startFromSnapshot over the given stream and bucket up to the log's end. Prints one JSON
 * line: { ms, objects, revision, tail, loadMs, rssMb } (ms and rssMb measured here, so a
 * bench process's own heap and history do not weigh on the figure).
 * Usage (bench/snapshot.ts runs it): tsx bench/snapshot-startup-once.ts URL STREAM PREFIX BUCKET
 */
import { connectNats, drainNats } from '../streams/connection.ts';
import { RegistryLog } from '../streams/registry-log.ts';
import { SnapshotStore } from '../streams/snapshot-store.ts';
import { ObjectStore } from '../src/store/object-store.ts';
import { startFromSnapshot } from '../src/store/snapshot-startup.ts';

const [url, stream, prefix, bucket] = process.argv.slice(2);
if (!url || !stream || !prefix || !bucket) throw new Error('usage: snapshot-startup-once.ts URL STREAM PREFIX BUCKET');
const nc = await connectNats(url, 'bench-snapshot-startup');
try {
  const names = { stream, prefix };
  const log = new RegistryLog(nc, names);
  const snapshots = await SnapshotStore.open(nc, names, bucket);
  const bounds = await log.bounds();
  const started = performance.now();
  const store = new ObjectStore();
  const startup = await startFromSnapshot(store, snapshots, (range) => log.read(range), bounds);
  const ms = performance.now() - started;
  const rssMb = Math.round(process.memoryUsage().rss / 1e6);
  process.stdout.write(`${JSON.stringify({ ms, objects: store.size, revision: store.revision, tail: startup.tail, loadMs: startup.snapshot?.loadMs, rssMb })}\n`);
} finally {
  await drainNats(nc);
}
