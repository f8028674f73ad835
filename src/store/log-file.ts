/**
 * The export file of a log: what `jetkube export` writes and `jetkube import` / `replay -f`
 * read. Contract: a reader either gets every entry that was written, in order, or gets
 * the good prefix and then a LogFileError naming the last good revision; it never yields
 * a damaged entry and never mistakes a cut-short file for a whole one.
 *
 * Layout: the 8-byte magic "JKLOG\0\0\1", then frames. A frame is
 *   u32 length (big-endian, of kind + payload) | u32 CRC-32 of kind + payload | u8 kind | payload
 * Kinds: 1 header (msgpack { format, version, createdAt }), 2 entry (msgpack of a LogEntry),
 * 3 trailer (msgpack { count, lastSeq }). The trailer is what tells a complete file from one
 * truncated at a frame boundary. The writer writes to `<path>.partial` and renames at the end.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { KubeObject } from '../api/object.ts';
import type { LogEntry } from './log-entry.ts';

const MAGIC = Uint8Array.of(0x4a, 0x4b, 0x4c, 0x4f, 0x47, 0x00, 0x00, 0x01);
const FORMAT = 'jetkube-log';
const VERSION = 1;
const KIND_HEADER = 1;
const KIND_ENTRY = 2;
const KIND_TRAILER = 3;
const FRAME_HEAD = 8;
/** No frame is larger: a 3 MiB message plus framing. */
const MAX_FRAME = 16 * 1024 * 1024;
const WRITE_CHUNK = 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

export class LogFileError extends Error {
  constructor(
    readonly path: string,
    readonly offset: number,
    /** The seq of the last entry read intact (0 if none). */
    readonly lastGoodSeq: number,
    why: string,
  ) {
    super(`${path}: ${why} at byte ${offset}; the entries up to revision ${lastGoodSeq} are intact`);
    this.name = 'LogFileError';
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface WriteResult {
  count: number;
  lastSeq: number;
}

export async function writeLogFile(
  path: string,
  entries: AsyncIterable<LogEntry> | Iterable<LogEntry>,
  onProgress?: (count: number, lastSeq: number) => void,
): Promise<WriteResult> {
  const partial = `${path}.partial`;
  const file = await open(partial, 'w');
  const encoder = new Encoder({ ignoreUndefined: true });
  let chunks: Uint8Array[] = [MAGIC];
  let pending = MAGIC.length;
  let count = 0;
  let lastSeq = 0;
  const frame = (kind: number, value: unknown) => {
    const payload = encoder.encode(value);
    const bytes = new Uint8Array(FRAME_HEAD + 1 + payload.length);
    const view = new DataView(bytes.buffer);
    bytes[FRAME_HEAD] = kind;
    bytes.set(payload, FRAME_HEAD + 1);
    view.setUint32(0, payload.length + 1);
    view.setUint32(4, crc32(bytes, FRAME_HEAD));
    chunks.push(bytes);
    pending += bytes.length;
  };
  const flush = async () => {
    if (pending === 0) return;
    await file.write(Buffer.concat(chunks, pending));
    chunks = [];
    pending = 0;
  };
  try {
    frame(KIND_HEADER, { format: FORMAT, version: VERSION, createdAt: new Date().toISOString() });
    for await (const entry of entries) {
      if (entry.seq <= lastSeq) throw new Error(`entries must have increasing seq: ${entry.seq} after ${lastSeq}`);
      frame(KIND_ENTRY, { seq: entry.seq, time: entry.time, type: entry.type, key: entry.key, object: entry.object });
      lastSeq = entry.seq;
      count++;
      if (pending >= WRITE_CHUNK) {
        await flush();
        onProgress?.(count, lastSeq);
      }
    }
    frame(KIND_TRAILER, { count, lastSeq });
    await flush();
    await file.sync();
    await file.close();
    await rename(partial, path);
    onProgress?.(count, lastSeq);
    return { count, lastSeq };
  } catch (error) {
    await file.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}

/** Entries of a log file in order; on damage, the intact prefix and then a LogFileError. */
export async function* readLogFile(
  path: string,
  onProgress?: (bytesRead: number, totalBytes: number) => void,
): AsyncGenerator<LogEntry, void, undefined> {
  const total = (await stat(path)).size;
  const file = await open(path, 'r');
  const decoder = new Decoder();
  let buffer: Uint8Array = new Uint8Array(0);
  let at = 0; // read position inside buffer
  let offset = 0; // file offset of buffer[0]
  let eof = false;
  let lastSeq = 0;
  let count = 0;
  const fail = (why: string): never => {
    throw new LogFileError(path, offset + at, lastSeq, why);
  };
  /** Make `n` bytes available at `at`; false at end of file. */
  const ensure = async (n: number): Promise<boolean> => {
    while (buffer.length - at < n) {
      if (eof) return false;
      const chunk = Buffer.allocUnsafe(Math.max(READ_CHUNK, n));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) {
        eof = true;
        continue;
      }
      const rest = buffer.subarray(at);
      const next = new Uint8Array(rest.length + bytesRead);
      next.set(rest, 0);
      next.set(chunk.subarray(0, bytesRead), rest.length);
      offset += at;
      buffer = next;
      at = 0;
      onProgress?.(offset + buffer.length, total);
    }
    return true;
  };
  try {
    if (!(await ensure(MAGIC.length)) || MAGIC.some((b, i) => buffer[i] !== b)) fail('not a jetkube log file (bad magic)');
    at += MAGIC.length;
    let sawHeader = false;
    for (;;) {
      if (!(await ensure(FRAME_HEAD))) {
        if (buffer.length - at === 0) fail('truncated: the file ends without its trailer');
        fail('truncated inside a frame header');
      }
      const view = new DataView(buffer.buffer, buffer.byteOffset + at, FRAME_HEAD);
      const length = view.getUint32(0);
      const crc = view.getUint32(4);
      if (length < 1 || length > MAX_FRAME) fail(`corrupt: impossible frame length ${length}`);
      if (!(await ensure(FRAME_HEAD + length))) fail('truncated inside a frame');
      const start = at + FRAME_HEAD;
      if (crc32(buffer, start, start + length) !== crc) fail('corrupt: checksum mismatch');
      const kind = buffer[start];
      let value: unknown;
      try {
        value = decoder.decode(buffer.subarray(start + 1, start + length));
      } catch {
        fail('corrupt: frame does not decode');
      }
      if (!sawHeader) {
        const header = value as { format?: unknown; version?: unknown };
        if (kind !== KIND_HEADER || header.format !== FORMAT) fail('not a jetkube log file (no header)');
        if (header.version !== VERSION) fail(`unsupported log file version ${String(header.version)}`);
        sawHeader = true;
      } else if (kind === KIND_ENTRY) {
        const entry = toEntry(value);
        if (!entry) fail('corrupt: not a log entry');
        if (entry!.seq <= lastSeq) fail(`corrupt: revision ${entry!.seq} after ${lastSeq}`);
        at = start + length;
        lastSeq = entry!.seq;
        count++;
        yield entry!;
        continue;
      } else if (kind === KIND_TRAILER) {
        const trailer = value as { count?: unknown; lastSeq?: unknown };
        if (trailer.count !== count || trailer.lastSeq !== lastSeq) {
          fail(`corrupt: trailer says ${String(trailer.count)} entries up to ${String(trailer.lastSeq)}`);
        }
        at = start + length;
        if ((await ensure(1)) === true) fail('corrupt: data after the trailer');
        return;
      } else {
        fail(`corrupt: unknown frame kind ${String(kind)}`);
      }
      at = start + length;
    }
  } finally {
    await file.close();
  }
}

function toEntry(value: unknown): LogEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { seq, time, type, key, object } = value as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1 || typeof time !== 'number') return undefined;
  if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return undefined;
  if (typeof key !== 'object' || key === null) return undefined;
  const { resource, namespace, name } = key as Record<string, unknown>;
  if (typeof resource !== 'string' || typeof namespace !== 'string' || typeof name !== 'string') return undefined;
  if (typeof object !== 'object' || object === null || typeof (object as KubeObject).metadata !== 'object') return undefined;
  return { seq, time, type, key: { resource, namespace, name }, object: object as KubeObject };
}
