/**
 * Secrets in the log's records and in snapshots: sealed with the write key (no plaintext
 * in the bytes, the whole object sealed, annotations included); opened with the keys; a
 * withheld stand-in without them or when they do not open (WithheldSecretError carries it);
 * a stand-in written back stores the same ciphertext; other kinds are encoded as before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { EncryptionError, newKey } from '../../src/encryption/aesgcm.ts';
import type { SecretEncryption } from '../../src/encryption/config.ts';
import { isWithheld, sealedBytesOf, unsealWithheld, WITHHELD_ANNOTATION } from '../../src/encryption/sealed-secret.ts';
import { decodeSnapshot, encodeSnapshot, snapshotOfState, stateOfSnapshot } from '../../src/store/snapshot.ts';
import { replay } from '../../src/store/evolve.ts';
import { decodeEntry, encodeRecord, WithheldSecretError } from '../../streams/record-codec.ts';
import { openedAtRest } from '../../src/encryption/sealed-secret.ts';

const key = { resource: 'secrets', namespace: 'prod', name: 'db' };
const PLAIN = 'hunter2-plaintext-value';
const B64 = Buffer.from(PLAIN).toString('base64');
const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'prod', uid: 'u1', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{"stringData":{"p":"${PLAIN}"}}` } },
  type: 'Opaque',
  data: { password: B64 },
};
const k1 = newKey('k1');
const k2 = newKey('k2');
const withK1: SecretEncryption = { writeKey: k1, readKeys: [k1] };
const rotated: SecretEncryption = { writeKey: k2, readKeys: [k2, k1] };
const onlyK2: SecretEncryption = { writeKey: k2, readKeys: [k2] };

function holdsPlaintext(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes);
  return b.includes(Buffer.from(PLAIN)) || b.includes(Buffer.from(B64));
}

describe('sealed Secret records', () => {
  it('seals the whole Secret with the write key and opens it again', () => {
    const body = encodeRecord({ type: 'ADDED', object: secret }, key, withK1);
    assert.equal(holdsPlaintext(body), false);
    assert.equal(Buffer.from(body).includes(Buffer.from('last-applied')), false, 'annotations are sealed too');
    const entry = decodeEntry(body, 7, key, 0, 'registry.secrets.prod.db', rotated);
    assert.deepEqual(entry.object, { ...secret, metadata: { ...secret.metadata, resourceVersion: '7' } });
  });

  it('leaves other kinds exactly as before, and Secrets plaintext without a write key', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db' }, data: { p: PLAIN } };
    const cmKey = { ...key, resource: 'configmaps' };
    assert.deepEqual(encodeRecord({ type: 'ADDED', object: cm }, cmKey, withK1), encode({ type: 'ADDED', object: cm }));
    assert.deepEqual(encodeRecord({ type: 'ADDED', object: secret }, key, undefined), encode({ type: 'ADDED', object: secret }));
    assert.deepEqual(encodeRecord({ type: 'ADDED', object: secret }, key, { writeKey: undefined, readKeys: [k1] }), encode({ type: 'ADDED', object: secret }));
  });

  it('without a config: a withheld stand-in that names the key and keeps the ciphertext', () => {
    const body = encodeRecord({ type: 'MODIFIED', object: secret }, key, withK1);
    const entry = decodeEntry(body, 9, key, 0, 's');
    assert.equal(entry.type, 'MODIFIED');
    assert.ok(isWithheld(entry.object));
    assert.equal(entry.object.metadata.name, 'db');
    assert.equal(entry.object.metadata.namespace, 'prod');
    assert.equal(entry.object.metadata.resourceVersion, '9');
    assert.match(entry.object.metadata.annotations![WITHHELD_ANNOTATION]!, /key "k1".*--encryption-provider-config/);
    assert.equal(holdsPlaintext(Buffer.from(JSON.stringify(entry.object))), false);
    // The stand-in opens later with the key, and written back it stores the same ciphertext.
    assert.deepEqual(unsealWithheld(entry.object, withK1).data, secret.data);
    const again = encodeRecord({ type: 'MODIFIED', object: entry.object }, key, undefined);
    assert.deepEqual(Buffer.from(sealedBytesOf(decodeEntry(again, 10, key, 0, 's').object)), Buffer.from(sealedBytesOf(entry.object)));
  });

  it('a writer with keys refuses to store a stand-in as a new state, but writes its tombstone', () => {
    const stub = decodeEntry(encodeRecord({ type: 'ADDED', object: secret }, key, withK1), 2, key, 0, 's').object;
    for (const type of ['ADDED', 'MODIFIED'] as const) {
      assert.throws(() => encodeRecord({ type, object: stub }, key, onlyK2), (error: unknown) => error instanceof EncryptionError && /cannot be changed/.test(error.message));
    }
    const tombstone = decodeEntry(encodeRecord({ type: 'DELETED', object: stub }, key, onlyK2), 3, key, 0, 's', withK1);
    assert.equal(tombstone.type, 'DELETED');
    assert.deepEqual(tombstone.object.data, secret.data);
  });

  it('keys that do not open it: WithheldSecretError carrying a marked stand-in, never a crash', () => {
    const body = encodeRecord({ type: 'ADDED', object: secret }, key, withK1);
    assert.throws(
      () => decodeEntry(body, 3, key, 0, 's', onlyK2),
      (error: unknown) => {
        assert.ok(error instanceof WithheldSecretError);
        assert.equal(error.entry.seq, 3);
        assert.ok(isWithheld(error.entry.object));
        assert.match(error.entry.object.metadata.annotations![WITHHELD_ANNOTATION]!, /cannot decrypt: sealed with key "k1"/);
        return true;
      },
    );
    const tampered = Uint8Array.from(body);
    tampered[tampered.length - 3]! ^= 0xff;
    assert.throws(() => decodeEntry(tampered, 4, key, 0, 's', withK1), WithheldSecretError);
    // The same ciphertext under another name does not open either (storage key authenticated).
    assert.throws(() => decodeEntry(body, 5, { ...key, name: 'other' }, 0, 's', withK1), WithheldSecretError);
  });

  it('a sealed field that is not ours: a stand-in with the config, a stand-in without; never a crash', () => {
    const garbage = encode({ type: 'ADDED', sealed: new Uint8Array([1, 2, 3]) });
    assert.throws(() => decodeEntry(garbage, 6, key, 0, 's', withK1), (error: unknown) => error instanceof WithheldSecretError && /not an aesgcm-sealed value/.test(error.message));
    assert.ok(isWithheld(decodeEntry(garbage, 6, key, 0, 's').object));
  });

  it('rotation: a write after it seals with the new key; older records still open', () => {
    const old = encodeRecord({ type: 'ADDED', object: secret }, key, withK1);
    const fresh = encodeRecord({ type: 'MODIFIED', object: secret }, key, rotated);
    assert.ok(Buffer.from(fresh).includes(Buffer.from('jetkube:enc:aesgcm:v1:k2:')));
    assert.ok(Buffer.from(old).includes(Buffer.from('jetkube:enc:aesgcm:v1:k1:')));
    assert.deepEqual(decodeEntry(old, 1, key, 0, 's', rotated).object.data, secret.data);
    assert.deepEqual(decodeEntry(fresh, 2, key, 0, 's', rotated).object.data, secret.data);
  });
});

describe('sealed Secrets in snapshots', () => {
  it('holds them sealed with a write key; loading with the key opens them, without it they stay withheld', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'prod' }, data: { a: 'b' } };
    const state = replay([
      { type: 'ADDED', object: secret, seq: 1, key, time: 0 },
      { type: 'ADDED', object: cm, seq: 2, key: { resource: 'configmaps', namespace: 'prod', name: 'c' }, time: 0 },
    ]);
    const bytes = encodeSnapshot(snapshotOfState(state), withK1);
    const decoded = decodeSnapshot(bytes);
    for (const slot of decoded.slots) assert.equal(holdsPlaintext(slot[4] as Uint8Array), false);
    const loaded = stateOfSnapshot(decoded);
    const withheld = loaded.objects.get('secrets/prod/db')!;
    assert.ok(isWithheld(withheld));
    assert.deepEqual(openedAtRest(withheld, withK1), state.objects.get('secrets/prod/db'));
    assert.deepEqual(loaded.objects.get('configmaps/prod/c'), state.objects.get('configmaps/prod/c'));
    // A stand-in (a server without the key) is kept with its ciphertext, not sealed again.
    const again = stateOfSnapshot(decodeSnapshot(encodeSnapshot(snapshotOfState(loaded), onlyK2)));
    assert.deepEqual(openedAtRest(again.objects.get('secrets/prod/db')!, withK1), state.objects.get('secrets/prod/db'));
  });
});
