/**
 * What the event log holds. One message per change on subject
 * `registry.<resource>.<namespace>.<name>`; its body is the msgpack of a LogRecord. The
 * object in a record carries no resourceVersion: that is the stream sequence of the
 * message, known only once the log has stored it, and stamped on when the log is read.
 * A DELETED record is a tombstone that carries the object as it was last.
 */
import type { KubeObject, ObjectKey, WatchEventType } from '../api/object.ts';

export interface LogRecord {
  type: WatchEventType;
  object: KubeObject;
}

/** A record as read back from the log, with its place in it. */
export interface LogEntry extends LogRecord {
  /** The stream sequence: the global revision, and the object's resourceVersion. */
  seq: number;
  key: ObjectKey;
  /** When the log stored it (ms since the epoch). */
  time: number;
}
