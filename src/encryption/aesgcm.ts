/**
 * AES-256-GCM sealing of one stored value, as kube-apiserver's `aesgcm` provider does it:
 * the sealed bytes are the ASCII prefix `jetkube:enc:aesgcm:v1:<key name>:`, a random
 * 12-byte nonce, the ciphertext and the 16-byte GCM tag. The prefix names the key, so a
 * reader with several keys tries the right one, and a reader without it can say which
 * key is missing. The additional authenticated data is the object's storage key
 * (`secrets/<namespace>/<name>`): a ciphertext moved to another object does not open.
 *
 * No I/O: the nonce comes from the caller (randomBytes in production) so tests can pin it.
 * Every failure is an EncryptionError with a reason a person can act on, never a crash.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const SEALED_PREFIX = 'jetkube:enc:aesgcm:v1:';
const PREFIX_BYTES = new TextEncoder().encode(SEALED_PREFIX);
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;
/** The names kube-apiserver accepts for a key: no ':' (it ends the prefix), not empty. */
const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export interface AesKey {
  name: string;
  /** 32 bytes (AES-256). */
  secret: Uint8Array;
}

export class EncryptionError extends Error {
  constructor(
    message: string,
    /** The key the value names in its prefix, when it could be read. */
    readonly keyName?: string,
  ) {
    super(message);
    this.name = 'EncryptionError';
  }
}

export function checkKey(key: AesKey): void {
  if (!KEY_NAME.test(key.name)) throw new EncryptionError(`key name "${key.name}" must be 1-64 of [A-Za-z0-9._-]`);
  if (key.secret.byteLength !== KEY_BYTES) {
    throw new EncryptionError(`key "${key.name}" is ${key.secret.byteLength} bytes; aesgcm here takes ${KEY_BYTES} (AES-256)`, key.name);
  }
}

/** Whether bytes carry our prefix (cheap: compares at most the prefix). */
export function isSealed(bytes: Uint8Array): boolean {
  if (bytes.byteLength < PREFIX_BYTES.byteLength) return false;
  for (let i = 0; i < PREFIX_BYTES.byteLength; i++) if (bytes[i] !== PREFIX_BYTES[i]) return false;
  return true;
}

/** The key name a sealed value names, or undefined when it is not one of ours. */
export function sealedKeyName(bytes: Uint8Array): string | undefined {
  if (!isSealed(bytes)) return undefined;
  const end = bytes.indexOf(0x3a /* : */, PREFIX_BYTES.byteLength);
  if (end < 0) return undefined;
  return new TextDecoder().decode(bytes.subarray(PREFIX_BYTES.byteLength, end));
}

export function seal(plaintext: Uint8Array, aad: string, key: AesKey, nonce: Uint8Array = randomBytes(NONCE_BYTES)): Uint8Array {
  if (nonce.byteLength !== NONCE_BYTES) throw new EncryptionError(`nonce must be ${NONCE_BYTES} bytes`);
  checkKey(key);
  const cipher = createCipheriv('aes-256-gcm', key.secret, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = cipher.update(plaintext);
  const last = cipher.final();
  const tag = cipher.getAuthTag();
  const head = Buffer.from(`${SEALED_PREFIX}${key.name}:`, 'latin1');
  return Buffer.concat([head, nonce, body, last, tag]);
}

/**
 * Opens a sealed value with whichever key its prefix names. Throws EncryptionError when
 * the value is not sealed, names a key not in `keys`, or fails authentication (the wrong
 * bytes for that name, or a changed ciphertext, nonce, tag or storage key).
 */
export function open(sealed: Uint8Array, aad: string, keys: readonly AesKey[]): { plaintext: Uint8Array; keyName: string } {
  const keyName = sealedKeyName(sealed);
  if (keyName === undefined) throw new EncryptionError('not an aesgcm-sealed value (no jetkube:enc:aesgcm:v1: prefix)');
  const key = keys.find((k) => k.name === keyName);
  if (!key) {
    const known = keys.map((k) => k.name).join(', ') || 'none';
    throw new EncryptionError(`sealed with key "${keyName}", which the encryption config does not hold (it has: ${known})`, keyName);
  }
  const start = PREFIX_BYTES.byteLength + Buffer.byteLength(keyName, 'latin1') + 1;
  if (sealed.byteLength < start + NONCE_BYTES + TAG_BYTES) throw new EncryptionError(`sealed value too short (${sealed.byteLength} bytes)`, keyName);
  const nonce = sealed.subarray(start, start + NONCE_BYTES);
  const body = sealed.subarray(start + NONCE_BYTES, sealed.byteLength - TAG_BYTES);
  const tag = sealed.subarray(sealed.byteLength - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.secret, nonce);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(body), decipher.final()]);
    return { plaintext, keyName };
  } catch {
    throw new EncryptionError(`key "${keyName}" does not open the value: the key's bytes are not the ones it was sealed with, or the ciphertext was changed`, keyName);
  }
}

export function newKey(name: string): AesKey {
  const key = { name, secret: new Uint8Array(randomBytes(KEY_BYTES)) };
  checkKey(key);
  return key;
}
