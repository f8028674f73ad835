/**
 * The one way the API server writes: append a change to the log as a compare-and-set on
 * the subject's last sequence. The log decides races, never a read-then-write in our code;
 * a lost race comes back as the subject's current sequence, and the caller decides
 * whether that is a 409 or a reason to re-read and try again.
 */
import { entityTooLarge } from '../api/errors.ts';
import type { KubeObject, ObjectKey, WatchEventType } from '../api/object.ts';
import { RecordTooLargeError, WrongLastSequenceError } from '../../streams/errors.ts';
import type { ApiDeps } from './deps.ts';

/** Kubernetes' limit on one stored object (etcd's request size). */
export const MAX_OBJECT_BYTES = 1_572_864;

/** How often a write re-reads and retries after losing a race before it gives up. */
export const MAX_WRITE_ATTEMPTS = 16;

export type AppendOutcome = { written: true; seq: number; duplicate: boolean } | { written: false; currentSeq: number };

export async function appendChange(
  deps: ApiDeps,
  key: ObjectKey,
  type: WatchEventType,
  object: KubeObject,
  expectedLastSubjectSeq: number,
  requestId?: string,
): Promise<AppendOutcome> {
  try {
    const { seq, duplicate } = await deps.log.append(
      key,
      { type, object },
      { expectedLastSubjectSeq, maxBytes: MAX_OBJECT_BYTES, ...(requestId ? { msgId: requestId } : {}) },
    );
    return { written: true, seq, duplicate };
  } catch (error) {
    if (error instanceof WrongLastSequenceError) return { written: false, currentSeq: error.currentSeq };
    if (error instanceof RecordTooLargeError) {
      throw entityTooLarge(
        `Request entity too large: the ${object.kind} "${object.metadata.name ?? ''}" is ${error.bytes} bytes encoded; the limit is ${MAX_OBJECT_BYTES} bytes`,
      );
    }
    throw error;
  }
}
