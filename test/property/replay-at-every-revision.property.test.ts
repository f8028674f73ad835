/**
 * Property: replay at every revision equals the state recorded live at that revision.
 * Generated histories of creates, updates (some with stale resourceVersions: conflicts)
 * and deletes of ConfigMaps in two namespaces go through the real API over NATS; after
 * each write the test lists every ConfigMap (a consistent read: the state at the list's
 * revision, the write's or a later one). The log is then exported to a file and
 * folded from the file to each recorded revision, and to each write's log time.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { openLogSource } from '../../src/cli/log-source.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { readLogFile, writeLogFile } from '../../src/store/log-file.ts';
import { foldTo } from '../../src/replay/timeline.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
let dir: string;
before(async () => {
  cluster = await startTestCluster();
  dir = await mkdtemp(join(tmpdir(), 'jetkube-replay-property-'));
  await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
});
after(async () => {
  await cluster?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Op =
  | { op: 'create'; ns: string; name: string; value: string }
  | { op: 'update'; ns: string; name: string; value: string; stale: boolean }
  | { op: 'delete'; ns: string; name: string };

const target = { ns: fc.constantFrom('default', 'other'), name: fc.constantFrom('a', 'b', 'c') };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), ...target, value: fc.string({ maxLength: 8 }) }),
  fc.record({ op: fc.constant('update' as const), ...target, value: fc.string({ maxLength: 8 }), stale: fc.boolean() }),
  fc.record({ op: fc.constant('delete' as const), ...target }),
);

interface Recorded {
  revision: number;
  items: KubeObject[];
}

const rev = (o: KubeObject) => Number(o.metadata.resourceVersion);

/** Applies one op through the API; returns the revision it wrote, or undefined when the API refused it. */
async function apply(o: Op): Promise<number | undefined> {
  const { client } = cluster;
  try {
    if (o.op === 'create') return rev(await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: o.name, namespace: o.ns }, data: { v: o.value } }));
    if (o.op === 'delete') {
      await client.delete('configmaps', o.ns, o.name);
      return Number((await client.list('configmaps')).metadata.resourceVersion);
    }
    const current = await client.get('configmaps', o.ns, o.name);
    const resourceVersion = o.stale ? String(rev(current) - 1) : current.metadata.resourceVersion;
    return rev(await client.update('configmaps', { ...current, metadata: { ...current.metadata, resourceVersion }, data: { v: o.value } }));
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === 404 || code === 409) return undefined; // not there, already there, or a conflict: nothing written
    throw error;
  }
}

it('replay at every revision equals the live state at that revision', { timeout: 120_000 }, async () => {
  const recorded: Recorded[] = [];
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 15 }), async (ops) => {
      for (const o of ops) {
        const wrote = await apply(o);
        const live = await cluster.client.list('configmaps');
        const revision = Number(live.metadata.resourceVersion);
        // Consistent: at or after the write (the API server's own writes, a lease, may follow it).
        if (wrote !== undefined) assert.ok(revision >= wrote, `list at ${revision} after a write at ${wrote}`);
        recorded.push({ revision, items: live.items });
      }
    }),
    { numRuns: 40, seed: Number(process.env.FC_SEED ?? Date.now() % 1_000_000) },
  );
  assert.ok(recorded.length >= 12);

  const file = join(dir, 'history.log');
  const source = await openLogSource({ natsUrl: cluster.nats.url });
  try {
    await writeLogFile(file, source.entries);
  } finally {
    await source.close();
  }
  const entries: LogEntry[] = [];
  for await (const e of readLogFile(file)) entries.push(e);

  for (const { revision, items } of recorded) {
    const { store } = await foldTo(entries, { revision });
    assert.deepEqual(store.list('configmaps').items, items, `configmaps at revision ${revision}`);
    // By time: the log time of that revision reaches at least it, and the same state when no later write shares the millisecond.
    const time = entries.find((e) => e.seq === revision)!.time;
    const byTime = await foldTo(entries, { time });
    const lastAtTime = Math.max(...entries.filter((e) => e.time <= time).map((e) => e.seq));
    assert.equal(byTime.revision, lastAtTime);
    if (lastAtTime === revision) assert.deepEqual(byTime.store.list('configmaps').items, items);
  }
  // And every revision of the file, folded from the file itself, equals the incremental fold.
  const incremental = await foldTo(entries, undefined);
  const fromFile = await foldTo(readLogFile(file), { revision: incremental.revision });
  assert.deepEqual(fromFile.store.counts(), incremental.store.counts());
});
