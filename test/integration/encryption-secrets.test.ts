/**
 * Secrets at rest, end to end against a real nats-server and API server with an
 * encryption config: the REGISTRY message of a Secret holds no plaintext while the API
 * answers with it; `jetkube export` writes ciphertext (and `import` stores it unchanged); snapshots hold Secrets sealed;
 * `jetkube replay` withholds their data without the key and shows it with the key; a
 * ciphertext the server cannot open is served as a marked stand-in and the server keeps
 * serving; after a key rotation and restart, an update seals with the new key while older
 * Secrets still read, and `jetkube encryption rewrite` moves the rest to the new key.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { inflateRawSync } from 'node:zlib';
import { createActor, waitFor, type Actor } from 'xstate';
import { apiServerMachine } from '../../actors/apiserver.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { exportCommand, importCommand } from '../../src/cli/export-import.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { encryptionCommand } from '../../src/cli/encryption.ts';
import { newKey, seal, sealedKeyName } from '../../src/encryption/aesgcm.ts';
import { ensureEncryptionConfig, loadEncryptionConfig, rotateEncryptionKey } from '../../src/encryption/config-file.ts';
import { isWithheld, withheldSecret, WITHHELD_ANNOTATION } from '../../src/encryption/sealed-secret.ts';
import { memoryIo } from '../../src/present/io.ts';
import { decodeSnapshot, unpackObject } from '../../src/store/snapshot.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { lastRawRecord } from '../../streams/registry-raw.ts';
import { sealedKeyOfLast } from '../../streams/encryption-rewrite.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { requestSnapshot, SnapshotStore } from '../../streams/snapshot-store.ts';
import { eventually } from '../support/cluster.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const PLAIN = 'hunter2-plaintext-at-rest';
const B64 = Buffer.from(PLAIN).toString('base64');
const OTHER = 'second-plaintext-value';

function holdsPlaintext(bytes: Uint8Array | string, ...values: string[]): boolean {
  const b = Buffer.from(bytes);
  return values.flatMap((v) => [v, Buffer.from(v).toString('base64')]).some((v) => b.includes(Buffer.from(v)));
}

function secretOf(name: string, value: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default', annotations: { note: `was ${value}` } },
    type: 'Opaque',
    data: { password: Buffer.from(value).toString('base64') },
  };
}

async function startApiServer(natsUrl: string, name: string, encryptionConfigFile: string): Promise<Actor<typeof apiServerMachine>> {
  const actor = createActor(apiServerMachine, { input: { natsUrl, name, encryptionConfigFile } });
  actor.start();
  await waitFor(actor, (s) => s.matches({ online: 'serving' }), { timeout: 30_000 });
  return actor;
}

async function stopApiServer(actor: Actor<typeof apiServerMachine>): Promise<void> {
  actor.send({ type: 'stop' });
  await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
}

async function replayed(args: string[]): Promise<{ code: number; out: string }> {
  const io = memoryIo();
  const code = await replayCommand(args, io);
  return { code, out: io.stdout };
}

describe('Secrets encrypted at rest', { timeout: 90_000 }, () => {
  let nats: TestNats;
  let dir: string;
  let configFile: string;
  let apiserver: Actor<typeof apiServerMachine>;
  let client: ApiClient;
  let nc: NatsConnection;
  let firstKey: string;
  const db = { resource: 'secrets', namespace: 'default', name: 'db' };

  before(async () => {
    nats = await startTestNats();
    dir = await mkdtemp(join(tmpdir(), 'jetkube-enc-it-'));
    configFile = join(dir, 'encryption-config.yaml');
    firstKey = (await ensureEncryptionConfig(configFile)).encryption.writeKey!.name;
    apiserver = await startApiServer(nats.url, 'apiserver', configFile);
    client = await ApiClient.connect(nats.url, 'test-client', { timeoutMs: 10_000 });
    nc = await connectNats(nats.url, 'test-raw');
    await eventually(() => client.get('namespaces', undefined, 'default').catch(() => undefined), 10_000, 'the default namespace');
  });

  after(async () => {
    await client?.close();
    if (nc) await drainNats(nc);
    if (apiserver?.getSnapshot().status === 'active') await stopApiServer(apiserver);
    await nats?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores the Secret sealed in the log and serves it in plaintext', async () => {
    const created = await client.create('secrets', secretOf('db', PLAIN));
    assert.equal((created.data as Record<string, string>).password, B64);
    const raw = await lastRawRecord(nc, db);
    assert.ok(raw);
    assert.equal(raw.seq, Number(created.metadata.resourceVersion));
    assert.equal(holdsPlaintext(raw.data, PLAIN), false, 'the log message holds no plaintext');
    assert.ok(Buffer.from(raw.data).includes(Buffer.from(`jetkube:enc:aesgcm:v1:${firstKey}:`)));
    const read = await client.get('secrets', 'default', 'db');
    assert.equal((read.data as Record<string, string>).password, B64);
    assert.equal(read.metadata.annotations?.note, `was ${PLAIN}`);
  });

  it('exports the Secret as ciphertext', async () => {
    const file = join(dir, 'log.jklog');
    const io = memoryIo();
    assert.equal(await exportCommand(['-o', file, '--nats-url', nats.url], io), 0);
    const bytes = await readFile(file);
    assert.equal(holdsPlaintext(bytes, PLAIN), false);
    assert.ok(bytes.includes(Buffer.from(`jetkube:enc:aesgcm:v1:${firstKey}:`)));
    // Imported elsewhere, the log holds the same ciphertext, and that cluster's key opens it.
    const elsewhere = await startTestNats();
    const nc2 = await connectNats(elsewhere.url, 'test-import');
    try {
      assert.equal(await importCommand(['-f', file, '--nats-url', elsewhere.url], memoryIo()), 0);
      const raw = await lastRawRecord(nc2, db);
      assert.equal(holdsPlaintext(raw!.data, PLAIN), false);
      const entry = await new RegistryLog(nc2, undefined, await loadEncryptionConfig(configFile)).lastEntry(db);
      assert.equal((entry!.object.data as Record<string, string>).password, B64);
    } finally {
      await drainNats(nc2);
      await elsewhere.dispose();
    }
  });

  it('keeps Secrets sealed in snapshots', async () => {
    const revision = await requestSnapshot(nc, 30_000);
    const bytes = await (await SnapshotStore.open(nc)).get(revision);
    assert.ok(bytes);
    const snapshot = decodeSnapshot(bytes);
    const slot = snapshot.slots.find(([r, ns, n]) => r === 'secrets' && ns === 'default' && n === 'db');
    assert.ok(slot && slot[4] instanceof Uint8Array);
    assert.equal(holdsPlaintext(slot[4] as Uint8Array, PLAIN), false);
    assert.ok(isWithheld(unpackObject(slot[4] as Uint8Array, slot[3])));
    // The frames are deflated; inflated, they hold no plaintext either.
    let at = 0;
    const buffer = Buffer.from(bytes);
    while (at < buffer.length) {
      const length = buffer.readUInt32BE(at);
      assert.equal(holdsPlaintext(inflateRawSync(buffer.subarray(at + 4, at + 4 + length)), PLAIN), false);
      at += 4 + length;
    }
  });

  it('replay withholds the data without the key and shows it with the key', async () => {
    const without = await replayed(['secrets', 'db', '-n', 'default', '-o', 'json', '--nats-url', nats.url]);
    assert.equal(without.code, 0);
    assert.equal(holdsPlaintext(without.out, PLAIN), false);
    const stub = JSON.parse(without.out) as KubeObject;
    assert.match(stub.metadata.annotations?.[WITHHELD_ANNOTATION] ?? '', /data withheld.*--encryption-provider-config/);
    const withKey = await replayed(['secrets', 'db', '-n', 'default', '-o', 'json', '--nats-url', nats.url, '--encryption-provider-config', configFile]);
    assert.equal(withKey.code, 0);
    const opened = JSON.parse(withKey.out) as KubeObject;
    assert.equal((opened.data as Record<string, string>).password, B64);
    // From the exported file too.
    const fromFile = await replayed(['secrets', 'db', '-n', 'default', '-o', 'json', '--file', join(dir, 'log.jklog'), '--encryption-provider-config', configFile]);
    assert.equal(((JSON.parse(fromFile.out) as KubeObject).data as Record<string, string>).password, B64);
  });

  it('serves a Secret it cannot decrypt as a marked stand-in and keeps serving', async () => {
    const log = new RegistryLog(nc);
    const broken = { ...db, name: 'broken' };
    const foreign = newKey('not-in-config');
    const sealed = seal(encode(secretOf('broken', 'x')), 'secrets/default/broken', foreign);
    await log.append(broken, { type: 'ADDED', object: withheldSecret(broken, sealed, 'test') }, { expectedLastSubjectSeq: 0 });
    const tampered = Uint8Array.from(seal(encode(secretOf('tampered', 'y')), 'secrets/default/tampered', newKey(firstKey)));
    await log.append({ ...db, name: 'tampered' }, { type: 'ADDED', object: withheldSecret({ ...db, name: 'tampered' }, tampered, 'test') }, { expectedLastSubjectSeq: 0 });
    const served = await eventually(() => client.get('secrets', 'default', 'broken').catch(() => undefined), 10_000, 'the broken Secret');
    assert.ok(isWithheld(served));
    assert.match(served.metadata.annotations?.[WITHHELD_ANNOTATION] ?? '', /cannot decrypt: sealed with key "not-in-config"/);
    const wrongBytes = await eventually(() => client.get('secrets', 'default', 'tampered').catch(() => undefined), 10_000, 'the tampered Secret');
    assert.match(wrongBytes.metadata.annotations?.[WITHHELD_ANNOTATION] ?? '', /does not open/);
    // Changing it would lose its data: refused (validation, or the log's writer: src/encryption tests), and nothing is stored.
    await assert.rejects(
      client.update('secrets', { ...served, metadata: { ...served.metadata, labels: { touched: 'yes' } } }),
      (error: unknown) => [422, 500].includes((error as { code?: number }).code ?? 0),
    );
    const still = await client.get('secrets', 'default', 'broken');
    assert.equal(still.metadata.resourceVersion, served.metadata.resourceVersion);
    assert.ok(isWithheld(still));
    await client.delete('secrets', 'default', 'tampered');
    await assert.rejects(client.get('secrets', 'default', 'tampered'), (error: unknown) => (error as { code?: number }).code === 404);
    assert.ok(apiserver.getSnapshot().matches({ online: 'serving' }));
    await client.create('secrets', secretOf('after-broken', 'z'));
    assert.equal(((await client.get('secrets', 'default', 'after-broken')).data as Record<string, string>).password, Buffer.from('z').toString('base64'));
  });

  it('after a key rotation and restart, an update seals with the new key and older Secrets still read', async () => {
    await client.create('secrets', secretOf('other', OTHER));
    const newKeyName = await rotateEncryptionKey(configFile, new Date('2099-01-01T00:00:00Z'));
    await stopApiServer(apiserver);
    apiserver = await startApiServer(nats.url, 'apiserver-rotated', configFile);
    // Serving, but its subscription may not have reached the server yet: wait for an answer.
    const current = await eventually(() => client.get('secrets', 'default', 'db').catch(() => undefined), 10_000, 'the restarted API server');
    await client.update('secrets', { ...current, data: { password: Buffer.from(`${PLAIN}-2`).toString('base64') } });
    const raw = await lastRawRecord(nc, db);
    assert.equal(sealedKeyName(Buffer.from(raw!.data).subarray(Buffer.from(raw!.data).indexOf('jetkube:enc:'))), newKeyName);
    assert.equal(holdsPlaintext(raw!.data, `${PLAIN}-2`), false);
    const otherRaw = await lastRawRecord(nc, { ...db, name: 'other' });
    assert.ok(Buffer.from(otherRaw!.data).includes(Buffer.from(`jetkube:enc:aesgcm:v1:${firstKey}:`)), 'untouched Secrets keep the old key until written');
    assert.equal(((await client.get('secrets', 'default', 'other')).data as Record<string, string>).password, Buffer.from(OTHER).toString('base64'));
    assert.equal(((await client.get('secrets', 'default', 'db')).data as Record<string, string>).password, Buffer.from(`${PLAIN}-2`).toString('base64'));
    // Replay with the rotated config opens both keys' records.
    const all = await replayed(['secrets', '-n', 'default', '-o', 'json', '--nats-url', nats.url, '--encryption-provider-config', configFile]);
    assert.ok(all.out.includes(Buffer.from(OTHER).toString('base64')));
    assert.ok(all.out.includes(Buffer.from(`${PLAIN}-2`).toString('base64')));
  });

  it('`jetkube encryption rewrite` seals every Secret left on the old key with the new one', async () => {
    const io = memoryIo();
    assert.equal(await encryptionCommand(['rewrite', '--nats-url', nats.url], io), 0);
    // db is on the new key already; other and after-broken move; broken cannot be opened.
    assert.match(io.stdout, /sealed 2 Secrets with key key-20990101000000; 1 already were, 1 cannot be decrypted/);
    for (const name of ['other', 'after-broken', 'db']) {
      assert.equal(await sealedKeyOfLast(nc, { ...db, name }), 'key-20990101000000', name);
    }
    assert.equal(((await client.get('secrets', 'default', 'other')).data as Record<string, string>).password, Buffer.from(OTHER).toString('base64'));
    const again = memoryIo();
    await encryptionCommand(['rewrite', '--nats-url', nats.url], again);
    assert.match(again.stdout, /sealed 0 Secrets with key key-20990101000000; 3 already were/);
  });
});
