/**
 * The EncryptionConfiguration: Kubernetes' shape for Secrets with aesgcm and identity;
 * the first provider's first key seals, every key opens; rotation prepends a key and keeps
 * the old ones; anything else is refused with a message naming the problem.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EncryptionError, newKey, open, seal } from '../../src/encryption/aesgcm.ts';
import { encryptionConfigText, keyNameAt, parseEncryptionConfig, rotatedConfigText } from '../../src/encryption/config.ts';
import { ensureEncryptionConfig, loadEncryptionConfig, resolveEncryption, rotateEncryptionKey } from '../../src/encryption/config-file.ts';

const secret = Buffer.alloc(32, 7).toString('base64');

function config(providers: string): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
${providers}`;
}

describe('encryption config', () => {
  it('reads kube-apiserver\'s format: first aesgcm key seals, all keys open', () => {
    const parsed = parseEncryptionConfig(
      config(`      - aesgcm:
          keys:
            - name: new
              secret: ${secret}
            - name: old
              secret: ${Buffer.alloc(32, 9).toString('base64')}
      - identity: {}
`),
    );
    assert.equal(parsed.writeKey?.name, 'new');
    assert.deepEqual(parsed.readKeys.map((k) => k.name), ['new', 'old']);
  });

  it('identity first: writes stay plaintext, sealed values still open', () => {
    const parsed = parseEncryptionConfig(
      config(`      - identity: {}
      - aesgcm:
          keys:
            - name: k
              secret: ${secret}
`),
    );
    assert.equal(parsed.writeKey, undefined);
    assert.deepEqual(parsed.readKeys.map((k) => k.name), ['k']);
  });

  it('refuses what it does not do, saying what', () => {
    const cases: [string, RegExp][] = [
      ['kind: Nope', /kind must be EncryptionConfiguration/],
      ['{{{', /not YAML|kind must be/],
      [config(`      - aescbc:\n          keys: [{ name: k, secret: ${secret} }]\n`), /provider "aescbc" is not supported/],
      [config(`      - aesgcm:\n          keys: [{ name: k, secret: ${Buffer.alloc(16).toString('base64')} }]\n`), /16 bytes/],
      [config(`      - aesgcm:\n          keys: [{ name: k, secret: "not base64!" }]\n`), /base64/],
      [config(`      - aesgcm:\n          keys: [{ name: k, secret: ${secret} }, { name: k, secret: ${secret} }]\n`), /appears twice/],
      [config(`      - aesgcm:\n          keys: []\n`), /at least one key/],
      [config('').replace('[secrets]', '[configmaps]') + '      - identity: {}\n', /only Secrets/],
    ];
    for (const [text, pattern] of cases) {
      assert.throws(() => parseEncryptionConfig(text), (error: unknown) => error instanceof EncryptionError && pattern.test(error.message), text);
    }
  });

  it('round-trips its own text, and rotation prepends a fresh key that seals while the old still opens', () => {
    const first = newKey(keyNameAt(new Date('2026-01-01T00:00:00Z')));
    const text = encryptionConfigText([first]);
    const before = parseEncryptionConfig(text);
    assert.equal(before.writeKey?.name, 'key-20260101000000');
    const sealedBefore = seal(new TextEncoder().encode('v'), 'secrets/a/b', before.writeKey!);
    const rotated = rotatedConfigText(text, new Date('2026-11-25T22:00:00Z'));
    const after = parseEncryptionConfig(rotated.text);
    assert.equal(rotated.key, 'key-20261125220000');
    assert.deepEqual(after.readKeys.map((k) => k.name), ['key-20261125220000', 'key-20260101000000']);
    assert.equal(after.writeKey?.name, 'key-20261125220000');
    assert.equal(new TextDecoder().decode(open(sealedBefore, 'secrets/a/b', after.readKeys).plaintext), 'v');
    // Two rotations in one second still get distinct names.
    assert.notEqual(rotatedConfigText(rotated.text, new Date('2026-11-25T22:00:00Z')).key, rotated.key);
  });

  it('on disk: created once with mode 0600, kept after, rotated in place; found through a data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jetkube-enc-'));
    try {
      const path = join(dir, 'encryption-config.yaml');
      const made = await ensureEncryptionConfig(path);
      assert.equal(made.created, true);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      const again = await ensureEncryptionConfig(path);
      assert.equal(again.created, false);
      assert.equal(again.encryption.writeKey?.name, made.encryption.writeKey?.name);
      const name = await rotateEncryptionKey(path, new Date('2030-01-01T00:00:00Z'));
      const loaded = await loadEncryptionConfig(path);
      assert.equal(loaded.writeKey?.name, name);
      assert.equal(loaded.readKeys.length, 2);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.match(await readFile(path, 'utf8'), /kind: EncryptionConfiguration/);
      assert.equal((await resolveEncryption({ dataDir: dir })).encryption?.writeKey?.name, name);
      assert.equal((await resolveEncryption({ dataDir: join(dir, 'none') })).encryption, undefined);
      await assert.rejects(resolveEncryption({ configFile: join(dir, 'missing.yaml') }), EncryptionError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
