/**
 * The body of a registry message: msgpack of a LogRecord `{ type, object }`. Encoding
 * drops `undefined` members (JSON has none, so an object reads back as it was written).
 * Decoding is the replay hot path: one decoder instance (shared key cache), one decode per
 * message, and the decoded object is stamped in place with its resourceVersion (the
 * message's sequence) rather than copied. A body that is not a well-formed record throws
 * MalformedRecordError; readers skip and count such messages instead of dying.
 */
import { Encoder } from '@msgpack/msgpack';
import { createInterningDecoder } from './interning-decoder.ts';
import type { KubeObject, ObjectKey } from '../src/api/object.ts';
import type { LogEntry, LogRecord } from '../src/store/log-entry.ts';

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

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = createInterningDecoder();

export function encodeRecord(record: LogRecord): Uint8Array {
  return encoder.encode({ type: record.type, object: record.object });
}

function isRecordType(type: unknown): type is LogRecord['type'] {
  return type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED';
}

/** Decode one message body into a LogEntry; `subject` is only for the error message. */
export function decodeEntry(data: Uint8Array, seq: number, key: ObjectKey, time: number, subject: string): LogEntry {
  let body: unknown;
  try {
    body = decoder.decode(data);
  } catch (error) {
    throw new MalformedRecordError(seq, subject, 'not msgpack', { cause: error });
  }
  if (typeof body !== 'object' || body === null) throw new MalformedRecordError(seq, subject, 'not a map');
  const { type, object } = body as { type?: unknown; object?: unknown };
  if (!isRecordType(type)) throw new MalformedRecordError(seq, subject, `bad type ${JSON.stringify(type)}`);
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
