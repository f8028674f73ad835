/**
 * The encryption config: kube-apiserver's EncryptionConfiguration (apiserver.config.k8s.io/v1),
 * reduced to what jetkube does: Secrets only, providers `aesgcm` and `identity`.
 *
 *   apiVersion: apiserver.config.k8s.io/v1
 *   kind: EncryptionConfiguration
 *   resources:
 *     - resources: [secrets]
 *       providers:
 *         - aesgcm:
 *             keys:
 *               - name: key-20261125220000     # the first key of the first provider seals writes
 *                 secret: <base64 of 32 bytes>
 *               - name: key-20260101000000     # every key opens what it sealed
 *                 secret: <base64 of 32 bytes>
 *         - identity: {}                       # plaintext Secrets written before encryption still read
 *
 * As in Kubernetes, the first provider decides how writes are stored (identity first: in
 * plaintext) and every provider is tried on read. Rotation is prepending a key: every write
 * after that seals with it, and older values keep opening with the keys below it.
 * Pure: text in, keys out (and keys in, text out).
 */
import { parse, stringify } from 'yaml';
import { checkKey, EncryptionError, newKey, type AesKey } from './aesgcm.ts';

export const ENCRYPTION_CONFIG_API_VERSION = 'apiserver.config.k8s.io/v1';
export const ENCRYPTION_CONFIG_KIND = 'EncryptionConfiguration';
/** The resource (plural, core group) whose records are sealed. */
export const SEALED_RESOURCE = 'secrets';

export interface SecretEncryption {
  /** The key new writes are sealed with; undefined when the first provider is identity. */
  readonly writeKey: AesKey | undefined;
  /** Every key that opens stored values, in the config's order. */
  readonly readKeys: readonly AesKey[];
}

type Provider = { aesgcm: { keys: AesKey[] } } | { identity: Record<string, never> };

function fail(why: string): never {
  throw new EncryptionError(`encryption config: ${why}`);
}

function decodeSecret(name: string, text: unknown): Uint8Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) fail(`key "${name}": secret must be base64`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function parseProvider(value: unknown, at: string): Provider {
  if (typeof value !== 'object' || value === null) fail(`${at} is not a provider`);
  const names = Object.keys(value);
  if (names.length !== 1) fail(`${at} must name exactly one provider, not ${names.join(', ') || 'none'}`);
  const [name] = names as [string];
  const body = (value as Record<string, unknown>)[name];
  if (name === 'identity') return { identity: {} };
  if (name !== 'aesgcm') fail(`${at}: provider "${name}" is not supported here (aesgcm and identity are)`);
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) fail(`${at}.aesgcm.keys must list at least one key`);
  return {
    aesgcm: {
      keys: keys.map((k: unknown, i) => {
        const { name: keyName, secret } = (k ?? {}) as { name?: unknown; secret?: unknown };
        if (typeof keyName !== 'string') fail(`${at}.aesgcm.keys[${i}] has no name`);
        const key = { name: keyName, secret: decodeSecret(keyName, secret) };
        checkKey(key);
        return key;
      }),
    },
  };
}

/** The keys of an EncryptionConfiguration (YAML or JSON text). Throws EncryptionError saying what is wrong. */
export function parseEncryptionConfig(text: string): SecretEncryption {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    fail(`not YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { kind, resources } = (doc ?? {}) as { kind?: unknown; resources?: unknown };
  if (kind !== ENCRYPTION_CONFIG_KIND) fail(`kind must be ${ENCRYPTION_CONFIG_KIND}`);
  if (!Array.isArray(resources) || resources.length !== 1) fail('resources must hold one entry, for secrets');
  const entry = resources[0] as { resources?: unknown; providers?: unknown };
  const targets = entry.resources;
  if (!Array.isArray(targets) || targets.length !== 1 || targets[0] !== SEALED_RESOURCE) {
    fail(`resources[0].resources must be [${SEALED_RESOURCE}]: only Secrets are encrypted here`);
  }
  if (!Array.isArray(entry.providers) || entry.providers.length === 0) fail('resources[0].providers must list at least one provider');
  const providers = entry.providers.map((p, i) => parseProvider(p, `resources[0].providers[${i}]`));
  const readKeys = providers.flatMap((p) => ('aesgcm' in p ? p.aesgcm.keys : []));
  const names = new Set<string>();
  for (const key of readKeys) {
    if (names.has(key.name)) fail(`key name "${key.name}" appears twice`);
    names.add(key.name);
  }
  const first = providers[0]!;
  return { writeKey: 'aesgcm' in first ? first.aesgcm.keys[0] : undefined, readKeys };
}

/** The config text for these aesgcm keys (the first seals), with identity after them. */
export function encryptionConfigText(keys: readonly AesKey[]): string {
  if (keys.length === 0) fail('at least one key');
  keys.forEach(checkKey);
  return stringify({
    apiVersion: ENCRYPTION_CONFIG_API_VERSION,
    kind: ENCRYPTION_CONFIG_KIND,
    resources: [
      {
        resources: [SEALED_RESOURCE],
        providers: [{ aesgcm: { keys: keys.map((k) => ({ name: k.name, secret: Buffer.from(k.secret).toString('base64') })) } }, { identity: {} }],
      },
    ],
  });
}

/** A key name from a time: key-YYYYMMDDhhmmss (UTC), so names sort by age. */
export function keyNameAt(now: Date): string {
  return `key-${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}

/** Rotation: the config with a fresh key in front (it seals from now on); the old keys still open. */
export function rotatedConfigText(text: string, now: Date): { text: string; key: string } {
  const current = parseEncryptionConfig(text);
  let name = keyNameAt(now);
  for (let n = 2; current.readKeys.some((k) => k.name === name); n++) name = `${keyNameAt(now)}-${n}`;
  const key = newKey(name);
  return { text: encryptionConfigText([key, ...current.readKeys]), key: name };
}
