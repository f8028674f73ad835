/**
 * The records this API server has just written, by sequence, until its log follower
 * reaches them: the follower takes the object from here instead of decoding the message
 * it already encoded (decoding is most of a follower's cost). Only first writes are kept
 * (a de-duplicated retry's sequence holds someone's earlier object), and the map is
 * bounded: a record the follower already passed is never added, and a full map is
 * cleared (the follower then decodes, which is always correct).
 */
import type { LogRecord } from '../store/log-entry.ts';

const LIMIT = 10_000;

export class OwnWrites {
  private readonly records = new Map<number, LogRecord>();

  constructor(private readonly appliedRevision: () => number) {}

  remember(seq: number, record: LogRecord): void {
    if (seq <= this.appliedRevision()) return;
    if (this.records.size >= LIMIT) this.records.clear();
    this.records.set(seq, record);
  }

  /** Hands a record over once. */
  take(seq: number): LogRecord | undefined {
    const record = this.records.get(seq);
    if (record) this.records.delete(seq);
    return record;
  }

  get size(): number {
    return this.records.size;
  }
}
