/**
 * A snapshot written by jetkube's paced upload is an ordinary object of the object store:
 * nats.js's own reader gets the same bytes and accepts the digest (it checks it), the
 * streaming reader gets them chunk by chunk, and the listing shows its size. Expected for
 * an upload of several chunks with a partial last one.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { SnapshotStore } from '../../streams/snapshot-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let nc: NatsConnection;

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'snapshot-upload-test');
});
after(async () => {
  if (nc) await drainNats(nc).catch(() => {});
  await nats?.dispose();
});

it('stores several chunks that nats.js and the streaming reader read back whole', { timeout: 60_000 }, async () => {
  const snapshots = await SnapshotStore.open(nc);
  const bytes = randomBytes(5 * 1024 * 1024 + 12_345);
  await snapshots.put(42, bytes);

  const viaClient = await snapshots.get(42);
  assert.ok(viaClient && Buffer.from(viaClient).equals(bytes), 'nats.js getBlob returns the bytes and accepts the digest');

  const parts: Uint8Array[] = [];
  for await (const part of (await snapshots.stream(42))!) parts.push(part);
  assert.equal(parts.length, 6, 'five whole chunks of 1 MiB and a partial one');
  assert.ok(Buffer.concat(parts).equals(bytes), 'the streaming reader returns the bytes');

  const listed = await snapshots.list();
  assert.deepEqual(
    listed.map((s) => [s.revision, s.bytes]),
    [[42, bytes.byteLength]],
  );
  assert.equal(await snapshots.has(42), true);
});
