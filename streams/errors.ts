/**
 * What can go wrong at the log's edge, as typed values. NATS errors are translated here,
 * once, so callers match on classes and fields, never on message strings:
 * - WrongLastSequenceError: a compare-and-set lost; `currentSeq` is the subject's last
 *   sequence now (the resourceVersion the caller should have had). A conflict, not a fault.
 * - LogTimeoutError: no answer in time. The write MAY have been stored: a retry must carry
 *   the same msgId (inside the dedup window) so it is applied at most once.
 * - LogUnavailableError: no JetStream answered (server down, stream missing).
 * - SequenceGapError: a follower saw sequences jump where none may be missing.
 * - LogError: anything else from the server, with the original as `cause`.
 */

export class LogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogError';
  }
}

export class WrongLastSequenceError extends LogError {
  constructor(
    readonly subject: string,
    readonly expectedSeq: number,
    readonly currentSeq: number,
    options?: { cause?: unknown },
  ) {
    super(`wrong last sequence on ${subject}: expected ${expectedSeq}, is ${currentSeq}`, options);
    this.name = 'WrongLastSequenceError';
  }
}

export class RecordTooLargeError extends LogError {
  constructor(
    readonly subject: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`the record for ${subject} is ${bytes} bytes encoded; the limit is ${maxBytes}`);
    this.name = 'RecordTooLargeError';
  }
}

export class LogTimeoutError extends LogError {
  constructor(
    readonly operation: string,
    readonly msgId: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `${operation} timed out${msgId ? ` (msgId ${msgId}): it may have been stored; retry with the same msgId` : ''}`,
      options,
    );
    this.name = 'LogTimeoutError';
  }
}

export class LogUnavailableError extends LogError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogUnavailableError';
  }
}

export class SequenceGapError extends LogError {
  constructor(
    readonly expectedSeq: number,
    readonly gotSeq: number,
  ) {
    super(`log sequence gap: expected ${expectedSeq}, got ${gotSeq}`);
    this.name = 'SequenceGapError';
  }
}

/** The fields of a nats.js NatsError that we read (kept structural so no class identity is needed). */
interface NatsErrorLike {
  message: string;
  code?: string;
  api_error?: { code: number; err_code?: number; description: string };
}

function asNatsError(error: unknown): NatsErrorLike | undefined {
  return typeof error === 'object' && error !== null && 'message' in error ? (error as NatsErrorLike) : undefined;
}

export const JS_ERR_WRONG_LAST_SEQUENCE = 10071;
export const JS_ERR_STREAM_NOT_FOUND = 10059;
export const JS_ERR_STREAM_NAME_IN_USE = 10058;
export const JS_ERR_NO_MESSAGE = 10037;

export function jsErrCode(error: unknown): number | undefined {
  return asNatsError(error)?.api_error?.err_code;
}

const WRONG_LAST = /wrong last sequence: (\d+)/i;

/** Translate an error from a publish to the log into one of ours. */
export function translatePublishError(error: unknown, subject: string, expectedSeq: number, msgId?: string): Error {
  const e = asNatsError(error);
  if (!e) return new LogError(String(error), { cause: error });
  const wrong = WRONG_LAST.exec(e.api_error?.description ?? e.message);
  if (e.api_error?.err_code === JS_ERR_WRONG_LAST_SEQUENCE || wrong) {
    return new WrongLastSequenceError(subject, expectedSeq, wrong ? Number(wrong[1]) : -1, { cause: error });
  }
  return translateError(error, `publish to ${subject}`, msgId);
}

/** Translate any other NATS error raised while talking to the log. */
export function translateError(error: unknown, operation: string, msgId?: string): Error {
  if (error instanceof LogError) return error;
  const e = asNatsError(error);
  if (!e) return new LogError(`${operation}: ${String(error)}`, { cause: error });
  if (e.code === 'TIMEOUT' || /timeout/i.test(e.message)) return new LogTimeoutError(operation, msgId, { cause: error });
  if (e.code === '503' || e.api_error?.err_code === JS_ERR_STREAM_NOT_FOUND) {
    return new LogUnavailableError(`${operation}: ${e.message}`, { cause: error });
  }
  if (e.code === 'CONNECTION_CLOSED' || e.code === 'CONNECTION_DRAINING') {
    return new LogUnavailableError(`${operation}: connection closed`, { cause: error });
  }
  return new LogError(`${operation}: ${e.message}`, { cause: error });
}
