/**
 * Snapshots and compaction against a real nats-server and real API servers:
 * - after `compact --before`, a fresh API server starts from the snapshot plus the tail and
 *   serves the same objects (a digest of every object equal before and after); writes on
 *   objects whose latest message precedes the compaction point still pass compare-and-set,
 *   and a name deleted before it can be created again;
 * - a watch from a revision before the compaction point gets 410 Expired;
 * - the periodic writer under concurrent writes: every snapshot it wrote equals the pure
 *   replay of the log up to that snapshot's revision.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import { apiServerMachine } from '../../actors/apiserver.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { WatchEvent } from '../../src/apiserver/request.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { compactLog, pruneSnapshots } from '../../src/cli/compact.ts';
import { emptyState, replay } from '../../src/store/evolve.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { decodeSnapshot, stateOfSnapshot } from '../../src/store/snapshot.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { SnapshotStore, requestSnapshot } from '../../streams/snapshot-store.ts';
import { eventually } from '../support/cluster.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let nc: NatsConnection;
let client: ApiClient;

async function startApiServer(name: string, snapshotEvery = 0): Promise<Actor<typeof apiServerMachine>> {
  const actor = createActor(apiServerMachine, { input: { natsUrl: nats.url, name, watchCacheSize: 5, snapshotEvery } });
  actor.start();
  await waitFor(actor, (s) => s.matches({ online: 'serving' }), { timeout: 30_000 });
  return actor;
}
async function stopApiServer(actor: Actor<typeof apiServerMachine>): Promise<void> {
  actor.send({ type: 'stop' });
  await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
}

const cm = (name: string, v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } }) as KubeObject;

async function digest(): Promise<string> {
  const hash = createHash('sha256');
  for (const resource of ['namespaces', 'configmaps', 'serviceaccounts']) {
    const list = await client.list(resource);
    for (const item of list.items) hash.update(JSON.stringify(item)).update('\n');
  }
  return hash.digest('hex');
}

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'snapshot-test');
  client = await ApiClient.connect(nats.url, 'snapshot-test-client', { timeoutMs: 10_000 });
});
after(async () => {
  await client.close();
  await drainNats(nc);
  await nats.dispose();
});

it('starts from snapshot + tail after compaction, serves the same objects, and expires old watches', async () => {
  const first = await startApiServer('apiserver-a');
  const early = await client.create('configmaps', cm('early', '0'));
  for (let i = 0; i < 20; i++) await client.create('configmaps', cm(`c${i}`, '1'));
  for (let i = 0; i < 10; i++) await client.update('configmaps', { ...(await client.get('configmaps', 'default', `c${i}`)), data: { v: '2' } });
  await client.delete('configmaps', 'default', 'c19');
  const revision = await requestSnapshot(nc);
  for (let i = 20; i < 30; i++) await client.create('configmaps', cm(`c${i}`, 'tail'));
  const snapshots = await SnapshotStore.open(nc);
  const log = new RegistryLog(nc);
  const result = await compactLog(snapshots, log, revision + 1);
  assert.equal(result.before, revision + 1);
  assert.ok(result.purged >= 10, `purged ${result.purged}`);
  // Every history message of c0..c9 before the point is gone, the latest of each kept.
  assert.equal((await log.entryAt(Number(early.metadata.resourceVersion)))?.key.name, 'early');

  const watchEvents: WatchEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    void client
      .watch('configmaps', 'default', { resourceVersion: '2' }, (event) => {
        watchEvents.push(event);
        if (event.type === 'ERROR') resolve();
      })
      .catch((error: { code?: number }) => (error.code === 410 ? resolve() : reject(error)));
  });
  if (watchEvents.length > 0) {
    const status = watchEvents.at(-1)!.object as unknown as { code: number; message: string };
    assert.equal(status.code, 410);
    assert.match(status.message, new RegExp(`\\(${revision + 1}\\)`));
  }

  const before = await digest();
  await stopApiServer(first);
  const second = await startApiServer('apiserver-b');
  try {
    assert.equal(await digest(), before);
    // Compare-and-set still works on objects last written before the compaction point...
    const updated = await client.update('configmaps', { ...(await client.get('configmaps', 'default', 'early')), data: { v: 'after' } });
    assert.equal((updated.data as { v?: string }).v, 'after');
    // ...and a name deleted before it can be created again.
    await client.create('configmaps', cm('c19', 'again'));
    assert.equal(((await client.get('configmaps', 'default', 'c19')).data as { v?: string }).v, 'again');
  } finally {
    await stopApiServer(second);
  }
  assert.deepEqual(await pruneSnapshots(snapshots, 0, revision), []);
});

it('the periodic writer under concurrent writes writes states the log had', async () => {
  const server = await startApiServer('apiserver-c', 25);
  try {
    const snapshots = await SnapshotStore.open(nc);
    const startRev = (await new RegistryLog(nc).bounds()).lastSeq;
    // A period is at least `every` (25) and the store's object count, at most 1.25 x the count when a
    // snapshot ends (objects <= revisions): two of them fit in these writes.
    const writes = 5 * startRev + 1_000;
    for (let from = 0; from < writes; from += 100) {
      await Promise.all(Array.from({ length: Math.min(100, writes - from) }, (_, i) => client.create('configmaps', cm(`busy-${from + i}`, String(from + i)))));
    }
    const written = await eventually(async () => {
      const list = (await snapshots.list()).filter((s) => s.revision > startRev);
      return list.length >= 2 ? list : undefined;
    }, 20_000, 'snapshots written while writing');
    const log = new RegistryLog(nc);
    const compaction = await snapshots.compaction();
    const base = compaction ? stateOfSnapshot(decodeSnapshot((await snapshots.get(compaction.snapshotRevision))!)) : emptyState;
    // RegistryLog.read can end early after a compaction on server 2.9.10 (see the report): read on from where it stopped.
    const entries: LogEntry[] = [];
    const lastSeq = (await log.bounds()).lastSeq;
    for (let cursor = compaction?.before ?? 1, rounds = 0; cursor <= lastSeq && rounds < 20; rounds++) {
      for await (const entry of log.read({ fromSeq: cursor, toSeq: lastSeq })) entries.push(entry);
      cursor = (entries.at(-1)?.seq ?? cursor - 1) + 1;
    }
    assert.equal(entries.at(-1)?.seq, lastSeq);
    for (const info of written) {
      const snapshot = stateOfSnapshot(decodeSnapshot((await snapshots.get(info.revision))!));
      const expected = replay(entries.filter((e) => e.seq <= info.revision), base);
      assert.equal(snapshot.revision, info.revision);
      assert.deepEqual([...snapshot.subjectSeq].sort(), [...expected.subjectSeq].sort());
      assert.deepEqual(
        [...snapshot.objects].map(([id, o]) => [id, JSON.stringify(o)]).sort(),
        [...expected.objects].map(([id, o]) => [id, JSON.stringify(o)]).sort(),
      );
    }
  } finally {
    await stopApiServer(server);
  }
});
