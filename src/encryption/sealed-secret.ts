/**
 * A Secret as the log and snapshots hold it when encryption is on, and as a reader without
 * the key sees it.
 *
 * - The stored form of a Secret record is `{ type, sealed }`: `sealed` is aesgcm over the
 *   msgpack of the whole object (metadata included: annotations such as
 *   last-applied-configuration repeat the data), with the storage key
 *   `secrets/<namespace>/<name>` as authenticated data.
 * - A reader that cannot open it (no config, no such key, damaged bytes) gets a *withheld*
 *   Secret: name and namespace, an annotation saying why, and the ciphertext in the field
 *   `encrypted` (`jetkube:enc:aesgcm:v1:<key>:<base64>`). Everything that carries objects
 *   (export files, snapshots, replay) carries that stand-in unchanged, and writing it back
 *   to the log (import) stores the same ciphertext, never a plaintext.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import type { KubeObject, ObjectKey } from '../api/object.ts';
import { EncryptionError, open, seal, SEALED_PREFIX, sealedKeyName } from './aesgcm.ts';
import { SEALED_RESOURCE, type SecretEncryption } from './config.ts';

export const WITHHELD_ANNOTATION = 'encryption.jetkube.io/withheld';

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

/** The authenticated data of a sealed record: its storage key. */
export function storageKey(key: ObjectKey): string {
  return `${key.resource}/${key.namespace}/${key.name}`;
}

export function isSealedResource(resource: string): boolean {
  return resource === SEALED_RESOURCE;
}

/** A withheld stand-in (cheap to ask of any object: one property read for the others). */
export function isWithheld(object: KubeObject): boolean {
  return object.kind === 'Secret' && typeof object.encrypted === 'string';
}

export function withheldSecret(key: ObjectKey, sealed: Uint8Array, why: string, resourceVersion?: string): KubeObject {
  const keyName = sealedKeyName(sealed) ?? '?';
  const rest = sealed.subarray(Buffer.byteLength(`${SEALED_PREFIX}${keyName}:`, 'latin1'));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: key.name,
      namespace: key.namespace,
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      annotations: { [WITHHELD_ANNOTATION]: why },
    },
    encrypted: `${SEALED_PREFIX}${keyName}:${Buffer.from(rest).toString('base64')}`,
  };
}

/** The ciphertext a withheld stand-in carries. */
export function sealedBytesOf(stub: KubeObject): Uint8Array {
  const text = stub.encrypted;
  if (typeof text !== 'string' || !text.startsWith(SEALED_PREFIX)) throw new EncryptionError('not a withheld Secret');
  const end = text.indexOf(':', SEALED_PREFIX.length);
  if (end < 0) throw new EncryptionError('withheld Secret without a key name');
  return Buffer.concat([Buffer.from(text.slice(0, end + 1), 'latin1'), Buffer.from(text.slice(end + 1), 'base64')]);
}

export function withheldReason(keyName: string | undefined, encryption: SecretEncryption | undefined, error?: EncryptionError): string {
  if (!encryption) {
    return `data withheld: encrypted with key "${keyName ?? '?'}" and no encryption config was given (pass --encryption-provider-config FILE or --data-dir DIR)`;
  }
  return `data withheld: cannot decrypt: ${error?.message ?? 'unknown reason'}`;
}

/** Seal an object's msgpack with the write key. */
export function sealObject(objectBytes: Uint8Array, key: ObjectKey, encryption: SecretEncryption & { writeKey: NonNullable<SecretEncryption['writeKey']> }): Uint8Array {
  return seal(objectBytes, storageKey(key), encryption.writeKey);
}

/** Open a sealed record's bytes into the msgpack of the object. Throws EncryptionError. */
export function openSealed(sealed: Uint8Array, key: ObjectKey, encryption: SecretEncryption): Uint8Array {
  return open(sealed, storageKey(key), encryption.readKeys).plaintext;
}

function keyOfStub(stub: KubeObject): ObjectKey {
  return { resource: SEALED_RESOURCE, namespace: stub.metadata.namespace ?? '', name: stub.metadata.name ?? '' };
}

/** A withheld stand-in as a whole object again, with the stand-in's resourceVersion. Throws EncryptionError. */
export function unsealWithheld(stub: KubeObject, encryption: SecretEncryption): KubeObject {
  const plaintext = openSealed(sealedBytesOf(stub), keyOfStub(stub), encryption);
  let object: unknown;
  try {
    object = decoder.decode(plaintext);
  } catch {
    throw new EncryptionError('the decrypted bytes are not an object');
  }
  const metadata = (object as KubeObject | null)?.metadata;
  if (typeof metadata !== 'object' || metadata === null) throw new EncryptionError('the decrypted object has no metadata');
  const resourceVersion = stub.metadata.resourceVersion;
  if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
  return object as KubeObject;
}

/**
 * A Secret (object) in the form snapshots keep: sealed into a withheld stand-in when there
 * is a write key, unchanged otherwise (a stand-in stays a stand-in: its ciphertext is kept).
 */
export function sealedForRest(object: KubeObject, key: ObjectKey, encryption: SecretEncryption | undefined): KubeObject {
  if (isWithheld(object) || !encryption?.writeKey) return object;
  const sealed = seal(encoder.encode(object), storageKey(key), encryption.writeKey);
  return withheldSecret(key, sealed, withheldReason(encryption.writeKey.name, undefined), object.metadata.resourceVersion);
}

/** The inverse of sealedForRest when the key is at hand; a stand-in that does not open stays one, its reason updated. */
export function openedAtRest(object: KubeObject, encryption: SecretEncryption | undefined): KubeObject {
  if (!isWithheld(object) || !encryption) return object;
  try {
    return unsealWithheld(object, encryption);
  } catch (error) {
    if (!(error instanceof EncryptionError)) throw error;
    const annotations = { ...object.metadata.annotations, [WITHHELD_ANNOTATION]: withheldReason(undefined, encryption, error) };
    return { ...object, metadata: { ...object.metadata, annotations } };
  }
}
