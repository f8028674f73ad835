/**
 * Snapshot + tail equals full replay, for random histories of creates, updates and deletes
 * on a small key space (so objects are rewritten and recreated after deletes):
 * - through the pure fold: replay(tail, stateOfSnapshot(decode(encode(snapshot(replay(head))))))
 *   equals replay(head ++ tail), subject sequences (tombstones) included;
 * - through the live store: an ObjectStore restored from that snapshot, then fed the tail,
 *   holds the same state as one that applied the whole history;
 * - once through the real log: entries appended to a nats-server, snapshotted into the
 *   object store bucket at a random point, loaded, and followed by the log's tail.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject, ObjectKey } from '../../src/api/object.ts';
import { emptyState, replay, type StoreState } from '../../src/store/evolve.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { decodeSnapshot, encodeSnapshot, snapshotOfState, stateOfSnapshot, unpackObject } from '../../src/store/snapshot.ts';
import { loadNewestSnapshot, writeSnapshot } from '../../src/store/snapshot-io.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { SnapshotStore } from '../../streams/snapshot-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const keyArb = fc.record({
  resource: fc.constantFrom('pods', 'configmaps', 'deployments_apps'),
  namespace: fc.constantFrom('default', 'kube-system', ''),
  name: fc.constantFrom('a', 'b', 'c', 'web-1'),
});
const stepArb = fc.record({ key: keyArb, remove: fc.boolean(), label: fc.string({ maxLength: 6 }) });

function object(key: ObjectKey, label: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Thing', metadata: { name: key.name, namespace: key.namespace || undefined, labels: { l: label } }, data: { label } } as KubeObject;
}

/** A history that a log could hold: deletes only of live objects. */
function history(steps: { key: ObjectKey; remove: boolean; label: string }[]): LogEntry[] {
  const live = new Map<string, KubeObject>();
  const entries: LogEntry[] = [];
  for (const { key, remove, label } of steps) {
    const id = `${key.resource}/${key.namespace}/${key.name}`;
    const seq = entries.length + 1;
    const current = live.get(id);
    if (remove && current) {
      live.delete(id);
      entries.push({ type: 'DELETED', object: current, key, seq, time: seq });
    } else {
      const next = object(key, label);
      live.set(id, next);
      entries.push({ type: current ? 'MODIFIED' : 'ADDED', object: next, key, seq, time: seq });
    }
  }
  return entries;
}

function plain(state: StoreState) {
  return {
    revision: state.revision,
    objects: [...state.objects].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, o]) => [id, JSON.stringify(o)]),
    subjectSeq: [...state.subjectSeq].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

it('snapshot + tail equals the full replay (pure fold and live store)', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 80 }), fc.nat(), (steps, cut) => {
      const entries = history(steps);
      const at = entries.length === 0 ? 0 : cut % (entries.length + 1);
      const head = entries.slice(0, at);
      const tail = entries.slice(at);
      const full = replay(entries, emptyState);
      const snapshot = decodeSnapshot(encodeSnapshot(snapshotOfState(replay(head, emptyState))));
      assert.equal(snapshot.header.revision, at);
      assert.deepEqual(plain(replay(tail, stateOfSnapshot(snapshot))), plain(full));
      const store = new ObjectStore();
      store.restore(snapshot.slots, snapshot.header.revision, 0, unpackObject);
      for (const entry of tail) store.apply(entry);
      assert.deepEqual(plain(store.toState()), plain(full));
      assert.equal(store.size, full.objects.size);
    }),
    { numRuns: 300 },
  );
});

let nats: TestNats;
let nc: NatsConnection;
before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'snapshot-property');
});
after(async () => {
  await drainNats(nc);
  await nats.dispose();
});

it('snapshot + tail equals the full replay through the real log and bucket', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.nat(), async (steps, cut) => {
      run++;
      const names = { stream: `SNAPPROP${run}`, prefix: `snapprop${run}` };
      const log = await RegistryLog.open(nc, names);
      const snapshots = await SnapshotStore.open(nc, names, `SNAPPROP_BUCKET${run}`);
      const planned = history(steps);
      const at = 1 + (cut % planned.length);
      const live = new ObjectStore();
      for (const entry of planned) {
        const { seq } = await log.append(entry.key, { type: entry.type, object: structuredClone(entry.object) }, { expectedLastSubjectSeq: live.subjectSeq(entry.key) });
        live.apply({ ...entry, seq, object: { ...entry.object, metadata: { ...entry.object.metadata } } });
        if (seq === at) await writeSnapshot(live, snapshots);
      }
      const restored = new ObjectStore();
      const loaded = await loadNewestSnapshot(restored, snapshots, await log.bounds());
      assert.equal(loaded?.revision, at);
      for await (const entry of log.read({ fromSeq: restored.revision + 1 })) restored.apply(entry);
      assert.deepEqual(plain(restored.toState()), plain(live.toState()));
    }),
    { numRuns: 8 },
  );
});

it('a snapshot as entries folds to its objects, and a compacted replay point is refused by name', async () => {
  const { snapshotEntries } = await import('../../src/store/snapshot.ts');
  const { compactedError } = await import('../../src/store/snapshot-io.ts');
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
      const state = replay(history(steps), emptyState);
      const folded = replay(snapshotEntries(snapshotOfState(state)), emptyState);
      assert.deepEqual(plain(folded).objects, plain(state).objects);
    }),
  );
  const error = compactedError(5, { before: 11, snapshotRevision: 10, at: '' });
  assert.match(error!.message, /revision 5 is before the compaction point.*from revision 11.*snapshot at revision 10/);
  assert.equal(compactedError(10, { before: 11, snapshotRevision: 10, at: '' }), undefined);
});
