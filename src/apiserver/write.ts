/**
 * The one way the API server writes: append a change to the log as a compare-and-set on
 * the subject's last sequence. The log decides races, never a read-then-write in our code;
 * a lost race comes back as the subject's current sequence, and the caller decides
 * whether that is a 409 or a reason to re-read and try again.
 */
import { entityTooLarge, timeout } from '../api/errors.ts';
import type { KubeObject, ObjectKey, WatchEventType } from '../api/object.ts';
import { LogTimeoutError, RecordTooLargeError, WrongLastSequenceError } from '../../streams/errors.ts';
import type { ApiDeps } from './deps.ts';
import { withResourceVersion } from './resolve.ts';

/** Kubernetes' limit on one stored object (etcd's request size). */
export const MAX_OBJECT_BYTES = 1_572_864;

/** How often a write re-reads and retries after losing a race before it gives up. */
export const MAX_WRITE_ATTEMPTS = 16;

export type AppendOutcome =
  /** `stored` is the object as readers see it (resourceVersion = seq); for a duplicate, the one this attempt built. */
  | { written: true; seq: number; duplicate: boolean; stored: KubeObject }
  | { written: false; currentSeq: number };

export async function appendChange(
  deps: Pick<ApiDeps, 'log' | 'ownWrites'>,
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
    const stored = withResourceVersion(object, seq);
    if (!duplicate) deps.ownWrites.remember(seq, { type, object: stored });
    return { written: true, seq, duplicate, stored };
  } catch (error) {
    if (error instanceof WrongLastSequenceError) return { written: false, currentSeq: error.currentSeq };
    if (error instanceof RecordTooLargeError) {
      throw entityTooLarge(
        `Request entity too large: the ${object.kind} "${object.metadata.name ?? ''}" is ${error.bytes} bytes encoded; the limit is ${MAX_OBJECT_BYTES} bytes`,
      );
    }
    if (error instanceof LogTimeoutError) {
      // 504, not 500: the write may have been stored, and a retry of the same request
      // (the same requestId, the log's msgId) is applied at most once, so clients retry it.
      // The wait is long (streams/answer-timeout.ts): a loaded process stalls for seconds.
      throw timeout(
        `Timeout: the log did not acknowledge the write of ${object.kind} "${object.metadata.name ?? ''}" in time; it may have been stored. ` +
          (requestId ? 'A retry of the same request is applied at most once' : 'Read the object back before writing it again'),
      );
    }
    throw error;
  }
}
