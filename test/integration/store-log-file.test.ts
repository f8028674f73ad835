/**
 * Export and import through a real log: a file written from RegistryLog.read gives back
 * exactly the log's entries; a truncated copy gives an intact prefix and then an error
 * naming the last good revision; the file's entries appended to a purged log rebuild the
 * same objects.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, truncate, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { keyString } from '../../src/store/evolve.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { LogFileError, readLogFile, writeLogFile } from '../../src/store/log-file.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { purgeRegistryStream } from '../../streams/registry-stream.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { collect } from '../support/collect.ts';

let nats: TestNats;
let nc: NatsConnection;
let dir: string;

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'store-log-file-test');
  dir = await mkdtemp(join(tmpdir(), 'jetkube-logfile-int-'));
});
after(async () => {
  await drainNats(nc);
  await nats.dispose();
  await rm(dir, { recursive: true, force: true });
});

it('round-trips a real log through a file, detects truncation, and imports into a purged log', async () => {
  const log = await RegistryLog.open(nc);
  const lastSeq = new Map<string, number>();
  const live = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const key = { resource: 'pods', namespace: `ns-${i % 3}`, name: `p-${i % 40}` };
    const id = keyString(key);
    const type = !live.has(id) ? 'ADDED' : i % 11 === 10 ? 'DELETED' : 'MODIFIED';
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: key.name, namespace: key.namespace, labels: { i: String(i) } }, spec: { note: 'x'.repeat(i) } };
    const { seq } = await log.append(key, { type, object }, { expectedLastSubjectSeq: lastSeq.get(id) ?? 0 });
    lastSeq.set(id, seq);
    if (type === 'DELETED') live.delete(id);
    else live.add(id);
  }
  const fromLog = await collect(log.read({ fromSeq: 1 }));
  assert.equal(fromLog.length, 300);

  const path = join(dir, 'registry.jklog');
  const result = await writeLogFile(path, log.read({ fromSeq: 1 }));
  assert.deepEqual(result, { count: 300, lastSeq: 300 });
  assert.deepEqual(await collect(readLogFile(path)), fromLog);

  const cut = join(dir, 'cut.jklog');
  await copyFile(path, cut);
  await truncate(cut, Math.floor((await stat(path)).size * 0.6));
  const prefix: LogEntry[] = [];
  await assert.rejects(
    (async () => {
      for await (const entry of readLogFile(cut)) prefix.push(entry);
    })(),
    (error: unknown) => error instanceof LogFileError && error.lastGoodSeq === prefix.at(-1)!.seq && error.message.includes(`revision ${error.lastGoodSeq}`),
  );
  assert.ok(prefix.length > 100 && prefix.length < 300);
  assert.deepEqual(prefix, fromLog.slice(0, prefix.length));

  const before = new ObjectStore();
  for (const entry of fromLog) before.apply(entry);
  await purgeRegistryStream(nc);
  assert.deepEqual(await collect(log.read({ fromSeq: 1 })), []);
  const last = new Map<string, number>();
  for await (const entry of readLogFile(path)) {
    const id = keyString(entry.key);
    const { seq } = await log.append(entry.key, { type: entry.type, object: entry.object }, { expectedLastSubjectSeq: last.get(id) ?? 0 });
    last.set(id, seq);
  }
  const rebuilt = new ObjectStore();
  for await (const entry of log.read({ fromSeq: 1 })) rebuilt.apply(entry);
  assert.equal(rebuilt.revision, 600);
  const strip = (store: ObjectStore) =>
    store.resources().flatMap((r) => store.list(r).items.map((o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } })));
  assert.deepEqual(strip(rebuilt), strip(before));
  assert.equal(rebuilt.size, before.size);
});
