/**
 * The fast start-up path equals the full replay:
 * - the tail folded into a snapshot's slots (foldTailIntoSlots), restored, equals the
 *   replay of the whole history, for random histories and cut points;
 * - a snapshot decoded while it streams in (any chunk boundaries) equals decodeSnapshot of
 *   its bytes; a stream cut short is a SnapshotFormatError;
 * - through a real nats-server: startFromSnapshot (snapshot streamed from the bucket with
 *   its digest checked, tail read alongside) reaches the live store's state.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject, ObjectKey } from '../../src/api/object.ts';
import { emptyState, replay, type StoreState } from '../../src/store/evolve.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { writeSnapshot } from '../../src/store/snapshot-io.ts';
import { foldTailIntoSlots, startFromSnapshot } from '../../src/store/snapshot-startup.ts';
import { decodeSnapshotStream } from '../../src/store/snapshot-stream.ts';
import { decodeSnapshot, encodeSnapshot, SnapshotFormatError, snapshotOfState, unpackObject } from '../../src/store/snapshot.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { SnapshotStore } from '../../streams/snapshot-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const keyArb = fc.record({
  resource: fc.constantFrom('pods', 'configmaps'),
  namespace: fc.constantFrom('default', ''),
  name: fc.constantFrom('a', 'b', 'c', 'web-1', 'web-2'),
});
const stepArb = fc.record({ key: keyArb, remove: fc.boolean(), label: fc.string({ maxLength: 6 }) });

function object(key: ObjectKey, label: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Thing', metadata: { name: key.name, namespace: key.namespace || undefined, labels: { l: label } }, data: { label } } as KubeObject;
}

function history(steps: { key: ObjectKey; remove: boolean; label: string }[]): LogEntry[] {
  const live = new Map<string, KubeObject>();
  const entries: LogEntry[] = [];
  for (const { key, remove, label } of steps) {
    const id = `${key.resource}/${key.namespace}/${key.name}`;
    const seq = entries.length + 1;
    const current = live.get(id);
    if (remove && current) {
      live.delete(id);
      entries.push({ type: 'DELETED', object: current, key, seq, time: seq * 10 });
    } else {
      const next = object(key, label);
      live.set(id, next);
      entries.push({ type: current ? 'MODIFIED' : 'ADDED', object: next, key, seq, time: seq * 10 });
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

/** The bytes in chunks cut at the given points. */
function* chunked(bytes: Uint8Array, cuts: number[]): Generator<Uint8Array> {
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    if (cut > at) yield bytes.subarray(at, cut);
    at = Math.max(at, cut);
  }
  if (at < bytes.length) yield bytes.subarray(at);
}

async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

it('a tail folded into the snapshot slots, restored, equals the full replay', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 80 }), fc.nat(), (steps, cut) => {
      const entries = history(steps);
      const at = entries.length === 0 ? 0 : cut % (entries.length + 1);
      const snapshot = decodeSnapshot(encodeSnapshot(snapshotOfState(replay(entries.slice(0, at), emptyState), at * 10)));
      const folded = foldTailIntoSlots(snapshot, entries.slice(at));
      const store = new ObjectStore();
      store.restore(folded.slots, folded.revision, folded.time, unpackObject);
      const full = replay(entries, emptyState);
      assert.deepEqual(plain(store.toState()), plain(full));
      assert.equal(store.size, full.objects.size);
      assert.equal(store.revisionTime, entries.length * 10);
    }),
    { numRuns: 300 },
  );
});

it('the store\'s own snapshot equals the snapshot of its state', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 80 }), fc.nat(), (steps, cut) => {
      const entries = history(steps);
      const at = entries.length === 0 ? 0 : cut % (entries.length + 1);
      // Half restored from a snapshot (packed slots), the rest applied live.
      const base = decodeSnapshot(encodeSnapshot(snapshotOfState(replay(entries.slice(0, at), emptyState), at * 10)));
      const store = new ObjectStore();
      store.restore(base.slots, base.header.revision, base.header.time, unpackObject);
      for (const entry of entries.slice(at)) store.apply(entry);
      assert.deepEqual(store.snapshot(), snapshotOfState(store.toState(), store.revisionTime));
    }),
    { numRuns: 300 },
  );
});

it('a snapshot decoded while it streams equals the one decoded whole; a cut stream is refused', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 12 }), async (steps, cuts) => {
      const bytes = encodeSnapshot(snapshotOfState(replay(history(steps), emptyState)));
      const streamed = await decodeSnapshotStream(asAsync(chunked(bytes, cuts)));
      assert.equal(streamed.bytes, bytes.byteLength);
      assert.deepEqual(streamed.snapshot, decodeSnapshot(bytes));
      const short = bytes.subarray(0, bytes.length - 1 - ((cuts[0] ?? 0) % 3));
      await assert.rejects(decodeSnapshotStream(asAsync(chunked(short, cuts))), SnapshotFormatError);
    }),
    { numRuns: 100 },
  );
});

let nats: TestNats;
let nc: NatsConnection;
before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'snapshot-startup-property');
});
after(async () => {
  await drainNats(nc);
  await nats.dispose();
});

it('startFromSnapshot through the real log and bucket reaches the live state', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.nat(), async (steps, cut) => {
      run++;
      const names = { stream: `SNAPSTART${run}`, prefix: `snapstart${run}` };
      const log = await RegistryLog.open(nc, names);
      const snapshots = await SnapshotStore.open(nc, names, `SNAPSTART_BUCKET${run}`);
      const planned = history(steps);
      const at = 1 + (cut % planned.length);
      const live = new ObjectStore();
      for (const entry of planned) {
        const { seq } = await log.append(entry.key, { type: entry.type, object: structuredClone(entry.object) }, { expectedLastSubjectSeq: live.subjectSeq(entry.key) });
        live.apply({ ...entry, seq, object: { ...entry.object, metadata: { ...entry.object.metadata } } });
        if (seq === at) await writeSnapshot(live, snapshots);
      }
      const restored = new ObjectStore();
      const started = await startFromSnapshot(restored, snapshots, (range) => log.read(range), await log.bounds());
      assert.equal(started.snapshot?.revision, at);
      assert.equal(started.tail, planned.length - at);
      assert.deepEqual(plain(restored.toState()), plain(live.toState()));
    }),
    { numRuns: 8 },
  );
});
