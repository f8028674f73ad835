/**
 * `jetkube compact`: purge the REGISTRY stream's history before a snapshot.
 *
 * `--before R` compacts at the newest snapshot below R (revision S < R): the compaction
 * point becomes S + 1, recorded in the snapshot bucket first (so watches and replays stop
 * at it before anything is gone), then every subject the snapshot knows is purged below
 * its own last message at S (JetStream purge with filter and seq). The latest message of
 * every subject stays: a live object's latest version is what its next compare-and-set
 * write is checked against, and a tombstone's is what a create after delete expects.
 * `--snapshot` asks a running API server for a snapshot first; `--keep-snapshots N`
 * deletes all but the newest N snapshots (never the one the compaction point rests on).
 */
import { connectNats, drainNats } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { SnapshotStore, requestSnapshot, type SnapshotInfo } from '../../streams/snapshot-store.ts';
import { STDIO, type CommandIo } from '../present/io.ts';
import { firstWholeRevision } from '../store/snapshot-io.ts';
import { decodeSnapshot } from '../store/snapshot.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';

const HELP = `Usage: jetkube compact [--before REVISION] [--keep-snapshots N] [--snapshot] [--nats-url URL]
  --before REVISION     purge the history before the newest snapshot below REVISION
                        (the latest message of every object is kept)
  --keep-snapshots N    keep only the newest N snapshots (and the one compaction rests on)
  --snapshot            ask the API server to write a snapshot first
`;

const PURGES_IN_FLIGHT = 64;

export interface CompactResult {
  before: number;
  snapshotRevision: number;
  subjects: number;
  purged: number;
}

/** The snapshot a compaction before `before` rests on: the newest below it. */
export function compactionBase(snapshots: SnapshotInfo[], before: number, lastSeq: number): SnapshotInfo | undefined {
  return snapshots.filter((s) => s.revision < before && s.revision <= lastSeq).at(-1);
}

export async function compactLog(snapshots: SnapshotStore, log: RegistryLog, before: number): Promise<CompactResult> {
  const bounds = await log.bounds();
  const base = compactionBase(await snapshots.list(), before, bounds.lastSeq);
  if (!base) throw new Error(`no snapshot below revision ${before}: write one first (jetkube compact --snapshot)`);
  const previous = await snapshots.compaction();
  const point = base.revision + 1;
  if (point <= firstWholeRevision(bounds.firstSeq, previous)) {
    return { before: firstWholeRevision(bounds.firstSeq, previous), snapshotRevision: previous?.snapshotRevision ?? base.revision, subjects: 0, purged: 0 };
  }
  const bytes = await snapshots.get(base.revision);
  if (!bytes) throw new Error(`snapshot at revision ${base.revision} vanished`);
  const snapshot = decodeSnapshot(bytes);
  await snapshots.setCompaction({ before: point, snapshotRevision: base.revision, at: new Date().toISOString() });
  // Subjects already compacted (last message before the previous point) have nothing older left.
  const already = previous?.before ?? 0;
  const todo = snapshot.slots.filter((slot) => slot[3] >= already);
  let purged = 0;
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const [resource, namespace, name, seq] = todo[next++]!;
      const n = await snapshots.purgeSubjectBelow({ resource, namespace, name }, seq);
      purged += n; // not `purged += await`: that reads purged before the await
    }
  };
  await Promise.all(Array.from({ length: PURGES_IN_FLIGHT }, worker));
  return { before: point, snapshotRevision: base.revision, subjects: todo.length, purged };
}

/** Delete all but the newest `keep` snapshots, never `protect`. Returns the revisions deleted. */
export async function pruneSnapshots(snapshots: SnapshotStore, keep: number, protect: number | undefined): Promise<number[]> {
  const all = await snapshots.list();
  const doomed = all.slice(0, Math.max(0, all.length - keep)).filter((s) => s.revision !== protect);
  for (const s of doomed) await snapshots.delete(s.revision);
  return doomed.map((s) => s.revision);
}

function revisionFlag(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got ${String(value)}`);
  return n;
}

export async function compactCommand(args: string[], io: CommandIo = STDIO): Promise<number> {
  const { values } = parseFlags(
    args,
    { ...NATS_FLAG, before: { type: 'string' }, 'keep-snapshots': { type: 'string' }, snapshot: { type: 'boolean' } },
    HELP,
  );
  const before = revisionFlag(values.before, 'before');
  const keep = revisionFlag(values['keep-snapshots'], 'keep-snapshots');
  if (before === undefined && keep === undefined && !values.snapshot) throw new Error(`compact needs --before, --keep-snapshots or --snapshot\n${HELP}`);
  const nc = await connectNats(natsUrlFrom(values), 'jetkube-compact');
  try {
    const snapshots = await SnapshotStore.open(nc);
    const log = new RegistryLog(nc);
    if (values.snapshot) io.out(`snapshot written at revision ${await requestSnapshot(nc)}\n`);
    if (before !== undefined) {
      const result = await compactLog(snapshots, log, before);
      io.out(
        `compacted before revision ${result.before} (snapshot at revision ${result.snapshotRevision}): ` +
          `${result.purged} messages purged from ${result.subjects} subjects; the latest message of each is kept\n`,
      );
    }
    if (keep !== undefined) {
      const deleted = await pruneSnapshots(snapshots, keep, (await snapshots.compaction())?.snapshotRevision);
      io.out(deleted.length ? `deleted snapshots at revisions ${deleted.join(', ')}\n` : 'no snapshot to delete\n');
    }
    return 0;
  } finally {
    await drainNats(nc);
  }
}
