/**
 * The body of a registry message: msgpack of a LogRecord `{ type, object }`. Encoding
 * drops `undefined` members (JSON has none, so an object reads back as it was written).
 * Decoding is the replay hot path: one decoder instance (shared key cache), one decode per
 * message, and the decoded object is stamped in place with its resourceVersion (the
 * message's sequence) rather than copied. A body that is not a well-formed record throws
 * MalformedRecordError; readers skip and count such messages instead of dying.
 *
 * Secrets (src/encryption/sealed-secret.ts): with a write key their body is
 * `{ type, sealed }` instead; a reader with the key gets the object back, one without it
 * gets a withheld stand-in, and one whose keys do not open it gets a WithheldSecretError
 * carrying the stand-in. Other kinds pay one string compare on encode, nothing on decode.
 */
import { Encoder } from '@msgpack/msgpack';
import { createInterningDecoder } from './interning-decoder.ts';
import type { KubeObject, ObjectKey } from '../src/api/object.ts';
import type { LogEntry, LogRecord } from '../src/store/log-entry.ts';
import { EncryptionError, seal, sealedKeyName } from '../src/encryption/aesgcm.ts';
import type { SecretEncryption } from '../src/encryption/config.ts';
import { isSealedResource, isWithheld, openSealed, sealedBytesOf, storageKey, withheldReason, withheldSecret } from '../src/encryption/sealed-secret.ts';

export class MalformedRecordError extends Error {
  constructor(
    readonly seq: number,
    readonly subject: string,
    why: string,
    options?: { cause?: unknown },
  ) {
    super(`malformed log record at seq ${seq} on ${subject}: ${why}`, options);
    this.name = 'MalformedRecordError';
  }
}

/**
 * A Secret that did not open with the keys at hand: `entry` carries its withheld stand-in,
 * which a reader still applies (the revision moves on; the object is marked, not lost).
 */
export class WithheldSecretError extends Error {
  constructor(
    readonly entry: LogEntry,
    readonly reason: EncryptionError,
  ) {
    super(`cannot decrypt the Secret ${entry.key.namespace}/${entry.key.name} at seq ${entry.seq}: ${reason.message}`);
    this.name = 'WithheldSecretError';
  }
}

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = createInterningDecoder();

export function encodeRecord(record: LogRecord, key?: ObjectKey, encryption?: SecretEncryption): Uint8Array {
  if (key !== undefined && isSealedResource(key.resource)) return encodeSecretRecord(record, key, encryption);
  return encoder.encode({ type: record.type, object: record.object });
}

function encodeSecretRecord(record: LogRecord, key: ObjectKey, encryption: SecretEncryption | undefined): Uint8Array {
  if (isWithheld(record.object)) {
    // A writer with keys never stores a stand-in as a new state: it would either lose the
    // change made to it or let a client plant an old ciphertext (Kubernetes answers 500 on a
    // value it cannot transform). A tombstone may carry one; so may an import, which holds no keys.
    if (encryption !== undefined && record.type !== 'DELETED') {
      throw new EncryptionError(
        `the Secret ${key.namespace}/${key.name} cannot be decrypted by this API server, so it cannot be changed; ` +
          'add the key it was sealed with to the encryption config, or delete and recreate it',
      );
    }
    return encoder.encode({ type: record.type, sealed: sealedBytesOf(record.object) });
  }
  const writeKey = encryption?.writeKey;
  if (writeKey === undefined) return encoder.encode({ type: record.type, object: record.object });
  return encoder.encode({ type: record.type, sealed: seal(encoder.encode(record.object), storageKey(key), writeKey) });
}

function isRecordType(type: unknown): type is LogRecord['type'] {
  return type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED';
}

/**
 * Decode one message body into a LogEntry; `subject` is only for the error message.
 * Throws MalformedRecordError, or WithheldSecretError for a Secret the keys do not open.
 */
export function decodeEntry(
  data: Uint8Array,
  seq: number,
  key: ObjectKey,
  time: number,
  subject: string,
  encryption?: SecretEncryption,
): LogEntry {
  let body: unknown;
  try {
    body = decoder.decode(data);
  } catch (error) {
    throw new MalformedRecordError(seq, subject, 'not msgpack', { cause: error });
  }
  if (typeof body !== 'object' || body === null) throw new MalformedRecordError(seq, subject, 'not a map');
  let { type, object } = body as { type?: unknown; object?: unknown };
  if (!isRecordType(type)) throw new MalformedRecordError(seq, subject, `bad type ${JSON.stringify(type)}`);
  if (object === undefined) {
    const sealed = (body as { sealed?: unknown }).sealed;
    if (!(sealed instanceof Uint8Array)) throw new MalformedRecordError(seq, subject, 'no object');
    object = openedObject(sealed, type, seq, key, time, subject, encryption);
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new MalformedRecordError(seq, subject, 'no object');
  }
  const metadata = (object as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new MalformedRecordError(seq, subject, 'object without metadata');
  }
  (metadata as Record<string, unknown>).resourceVersion = String(seq);
  return { type, object: object as KubeObject, seq, key, time };
}

function openedObject(
  sealed: Uint8Array,
  type: LogRecord['type'],
  seq: number,
  key: ObjectKey,
  time: number,
  subject: string,
  encryption: SecretEncryption | undefined,
): unknown {
  const withheld = (why: string) => withheldSecret(key, sealed, why, String(seq));
  if (encryption === undefined) return withheld(withheldReason(sealedKeyName(sealed), undefined));
  let plaintext: Uint8Array;
  try {
    plaintext = openSealed(sealed, key, encryption);
  } catch (error) {
    if (!(error instanceof EncryptionError)) throw error;
    throw new WithheldSecretError({ type, object: withheld(withheldReason(undefined, encryption, error)), seq, key, time }, error);
  }
  try {
    return decoder.decode(plaintext);
  } catch (error) {
    throw new MalformedRecordError(seq, subject, 'the decrypted object is not msgpack', { cause: error });
  }
}
