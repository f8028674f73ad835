/**
 * SPDY/3.1 framing, pure: an 8-byte header, then the payload. A control frame has the
 * high bit set, the version (3) and a type; a data frame has the stream id, flags and
 * length. FrameReader cuts a byte stream (which arrives in arbitrary pieces, e.g. as
 * WebSocket messages) into whole frames. Header blocks stay compressed here; the session
 * inflates them in order (header-compression.ts).
 */
export const SPDY_VERSION = 3;

export const SYN_STREAM = 1;
export const SYN_REPLY = 2;
export const RST_STREAM = 3;
export const SETTINGS = 4;
export const PING = 6;
export const GOAWAY = 7;
export const HEADERS = 8;
export const WINDOW_UPDATE = 9;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes used here. */
export const RST_PROTOCOL_ERROR = 1;
export const RST_REFUSED_STREAM = 3;
export const RST_CANCEL = 5;

export type Frame =
  | { kind: 'control'; type: number; flags: number; payload: Buffer }
  | { kind: 'data'; streamId: number; flags: number; payload: Buffer };

/** Frames larger than this are a protocol error (SPDY allows 16 MiB; nothing here needs it). */
const MAX_FRAME = 1 << 24;

export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns every frame now complete, in order. */
  push(bytes: Uint8Array): Frame[] {
    this.buffered = this.buffered.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.buffered, bytes]);
    const frames: Frame[] = [];
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUIntBE(5, 3);
      if (length >= MAX_FRAME) throw new Error(`SPDY frame of ${length} bytes is too large`);
      if (this.buffered.length < 8 + length) break;
      const first = this.buffered.readUInt32BE(0);
      const flags = this.buffered[4]!;
      const payload = this.buffered.subarray(8, 8 + length);
      if (first & 0x80000000) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new Error(`SPDY version ${version} is not supported`);
        frames.push({ kind: 'control', type: first & 0xffff, flags, payload: Buffer.from(payload) });
      } else {
        frames.push({ kind: 'data', streamId: first & 0x7fffffff, flags, payload: Buffer.from(payload) });
      }
      this.buffered = this.buffered.subarray(8 + length);
    }
    return frames;
  }
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  header[4] = flags;
  header.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([header, payload]);
}

export function dataFrame(streamId: number, flags: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header[4] = flags;
  header.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([header, payload]);
}

export function synReplyFrame(streamId: number, flags: number, compressedHeaders: Buffer): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(streamId & 0x7fffffff);
  return controlFrame(SYN_REPLY, flags, Buffer.concat([id, compressedHeaders]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(streamId & 0x7fffffff, 0);
  payload.writeUInt32BE(status, 4);
  return controlFrame(RST_STREAM, 0, payload);
}

export function pingFrame(id: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(id >>> 0);
  return controlFrame(PING, 0, payload);
}

export function goAwayFrame(lastStreamId: number, status = 0): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(lastStreamId & 0x7fffffff, 0);
  payload.writeUInt32BE(status, 4);
  return controlFrame(GOAWAY, 0, payload);
}

/** SYN_STREAM's fixed part: the new stream's id, then the compressed header block. */
export function parseSynStream(payload: Buffer): { streamId: number; headerBlock: Buffer } {
  if (payload.length < 10) throw new Error('SYN_STREAM too short');
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, headerBlock: payload.subarray(10) };
}

/** The stream id that RST_STREAM, HEADERS and WINDOW_UPDATE name first. */
export function streamIdOf(payload: Buffer): number {
  return payload.length >= 4 ? payload.readUInt32BE(0) & 0x7fffffff : 0;
}

/** An uncompressed header block: a count, then (name, value) pairs, each length-prefixed; values may hold several, NUL-separated. */
export function decodeHeaderBlock(block: Buffer): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let at = 0;
  const read = (): string => {
    if (at + 4 > block.length) throw new Error('truncated header block');
    const length = block.readUInt32BE(at);
    at += 4;
    if (at + length > block.length) throw new Error('truncated header block');
    const text = block.subarray(at, at + length).toString('utf8');
    at += length;
    return text;
  };
  if (block.length < 4) throw new Error('truncated header block');
  const count = block.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = read().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), ...read().split('\0')]);
  }
  return headers;
}

export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, value] of entries) {
    for (const text of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}
