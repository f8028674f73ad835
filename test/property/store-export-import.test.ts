/**
 * Export then import round-trips: a log written to a file and appended back (with the
 * same compare-and-set the API server uses) rebuilds to the same objects. Into a fresh
 * stream the sequences match too (every resourceVersion survives); into a purged one the
 * log continues after its old end and only the objects' content is compared.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { keyString } from '../../src/store/evolve.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { readLogFile, writeLogFile } from '../../src/store/log-file.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { deleteRegistryStream, purgeRegistryStream } from '../../streams/registry-stream.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let nc: NatsConnection;
let dir: string;
let run = 0;

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'store-export-import');
  dir = await mkdtemp(join(tmpdir(), 'jetkube-export-'));
});
after(async () => {
  await drainNats(nc);
  await nats.dispose();
  await rm(dir, { recursive: true, force: true });
});

const op = fc.record({
  del: fc.boolean(),
  name: fc.constantFrom('a', 'b', 'c'),
  namespace: fc.constantFrom('', 'default', 'other'),
  value: fc.string({ maxLength: 8 }),
});

/** Append entries as new writes: each expects the sequence its subject got in this log. */
async function importEntries(log: RegistryLog, entries: AsyncIterable<LogEntry>): Promise<number> {
  const last = new Map<string, number>();
  let count = 0;
  for await (const entry of entries) {
    const { resourceVersion: _, ...metadata } = entry.object.metadata;
    const id = keyString(entry.key);
    const { seq } = await log.append(entry.key, { type: entry.type, object: { ...entry.object, metadata } }, { expectedLastSubjectSeq: last.get(id) ?? 0 });
    last.set(id, seq);
    count++;
  }
  return count;
}

async function rebuild(log: RegistryLog): Promise<ObjectStore> {
  const store = new ObjectStore();
  for await (const entry of log.read({ fromSeq: 1 })) store.apply(entry);
  return store;
}

function withoutVersions(objects: Iterable<KubeObject>): KubeObject[] {
  return [...objects].map((o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } }));
}

it('export then import round-trips to the same objects, into a fresh stream or a purged one', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40, size: 'large' }), fc.boolean(), async (ops, intoPurged) => {
      run++;
      const source = await RegistryLog.open(nc, { stream: `EXP_${run}`, prefix: `exp${run}` });
      const seqs = new Map<string, number>();
      const live = new Set<string>();
      for (const o of ops) {
        const key = { resource: o.namespace ? 'configmaps' : 'namespaces', namespace: o.namespace, name: o.name };
        const id = keyString(key);
        if (o.del && !live.has(id)) continue;
        const type = o.del ? 'DELETED' : live.has(id) ? 'MODIFIED' : 'ADDED';
        const object = { apiVersion: 'v1', kind: 'X', metadata: o.namespace ? { name: o.name, namespace: o.namespace } : { name: o.name }, data: { v: o.value } };
        const { seq } = await source.append(key, { type, object }, { expectedLastSubjectSeq: seqs.get(id) ?? 0 });
        seqs.set(id, seq);
        if (o.del) live.delete(id);
        else live.add(id);
      }
      const before = await rebuild(source);
      const path = join(dir, `run-${run}.jklog`);
      const { count } = await writeLogFile(path, source.read({ fromSeq: 1 }));
      assert.equal(count, before.revision);

      let target: RegistryLog;
      if (intoPurged) {
        await purgeRegistryStream(nc, source.names);
        target = source;
      } else {
        target = await RegistryLog.open(nc, { stream: `IMP_${run}`, prefix: `imp${run}` });
      }
      assert.equal(await importEntries(target, readLogFile(path)), count);
      const after = await rebuild(target);
      if (intoPurged) {
        assert.equal(after.revision, 2 * count);
        assert.deepEqual(withoutVersions(after.toState().objects.values()), withoutVersions(before.toState().objects.values()));
      } else {
        assert.deepEqual(after.toState(), before.toState(), 'a fresh stream keeps every resourceVersion');
        await deleteRegistryStream(nc, target.names);
      }
      await deleteRegistryStream(nc, source.names);
      await rm(path);
    }),
    { numRuns: 20 },
  );
});
