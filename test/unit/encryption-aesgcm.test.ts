/**
 * aesgcm sealing: what is sealed opens with its key and storage key; a wrong key, an
 * unknown key name, a changed byte anywhere, or a ciphertext moved to another object is a
 * clear EncryptionError, never a crash and never wrong plaintext.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EncryptionError, isSealed, newKey, open, seal, sealedKeyName, SEALED_PREFIX } from '../../src/encryption/aesgcm.ts';

const key1 = newKey('key1');
const key2 = newKey('key2');
const plaintext = new TextEncoder().encode('the password is hunter2');
const aad = 'secrets/default/db';

function throwsEncryption(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof EncryptionError && pattern.test(error.message));
}

describe('aesgcm seal and open', () => {
  it('round-trips and names the key in a readable prefix', () => {
    const sealed = seal(plaintext, aad, key1);
    assert.ok(isSealed(sealed));
    assert.equal(new TextDecoder().decode(sealed.subarray(0, SEALED_PREFIX.length + 5)), `${SEALED_PREFIX}key1:`);
    assert.equal(sealedKeyName(sealed), 'key1');
    const opened = open(sealed, aad, [key2, key1]);
    assert.deepEqual(Buffer.from(opened.plaintext), Buffer.from(plaintext));
    assert.equal(opened.keyName, 'key1');
  });

  it('never holds the plaintext, and two seals of one value differ (random nonce)', () => {
    const a = Buffer.from(seal(plaintext, aad, key1));
    const b = Buffer.from(seal(plaintext, aad, key1));
    assert.equal(a.includes(Buffer.from('hunter2')), false);
    assert.notDeepEqual(a, b);
  });

  it('refuses a key name the config does not hold, saying which it has', () => {
    throwsEncryption(() => open(seal(plaintext, aad, key1), aad, [key2]), /sealed with key "key1".*it has: key2/);
  });

  it('refuses the wrong bytes under the right name', () => {
    const impostor = { name: 'key1', secret: key2.secret };
    throwsEncryption(() => open(seal(plaintext, aad, key1), aad, [impostor]), /does not open/);
  });

  it('refuses a ciphertext moved to another object (the storage key is authenticated)', () => {
    throwsEncryption(() => open(seal(plaintext, aad, key1), 'secrets/default/other', [key1]), /does not open/);
  });

  it('refuses every single flipped byte after the prefix', () => {
    const sealed = seal(plaintext, aad, key1);
    const start = `${SEALED_PREFIX}key1:`.length;
    for (let i = start; i < sealed.length; i++) {
      const tampered = Uint8Array.from(sealed);
      tampered[i]! ^= 0x01;
      throwsEncryption(() => open(tampered, aad, [key1]), /does not open/);
    }
  });

  it('refuses values that are not sealed or are cut short', () => {
    throwsEncryption(() => open(plaintext, aad, [key1]), /not an aesgcm-sealed value/);
    throwsEncryption(() => open(new TextEncoder().encode(`${SEALED_PREFIX}key1:abc`), aad, [key1]), /too short/);
    throwsEncryption(() => open(new TextEncoder().encode(`${SEALED_PREFIX}key1`), aad, [key1]), /not an aesgcm-sealed value/);
  });

  it('refuses bad key names and sizes', () => {
    throwsEncryption(() => newKey('has:colon'), /key name/);
    throwsEncryption(() => seal(plaintext, aad, { name: 'short', secret: new Uint8Array(16) }), /./);
  });
});
