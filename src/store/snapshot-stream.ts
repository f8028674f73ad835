/**
 * Decoding a snapshot while it downloads: the same frames as decodeSnapshot
 * (src/store/snapshot.ts), cut from the chunks as they arrive, each inflated on the
 * thread pool (zlib's async inflate: off the main thread, several at once) and decoded in
 * order as soon as it is inflated. Start-up then pays for the download, the inflates and
 * the msgpack decode overlapped instead of one after another; the bytes are never joined
 * into one buffer, and objects stay packed (views into their frame) until first read.
 */
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { createInterningDecoder } from '../../streams/interning-decoder.ts';
import { SnapshotFormatError, type Snapshot, type SnapshotHeader, type SnapshotSlot } from './snapshot.ts';

const inflate = promisify(inflateRaw);
/** Output buffers of 256 KiB: zlib's default 16 KiB makes a 2 MB frame 128 thread-pool round trips and a long concat. */
const INFLATE_OPTIONS = { chunkSize: 256 * 1024 };
const inflateRawAsync = (frame: Buffer) => inflate(frame, INFLATE_OPTIONS);

export interface StreamedSnapshot {
  snapshot: Snapshot;
  /** Bytes read (compressed, as stored). */
  bytes: number;
}

/** Cuts length-prefixed frames out of a stream of chunks, whatever their boundaries. */
class FrameCutter {
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Offset of the next frame in the whole stream (for errors). */
  at = 0;

  push(chunk: Uint8Array): Buffer[] {
    this.held.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.heldBytes += chunk.byteLength;
    const frames: Buffer[] = [];
    let buffer = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const length = buffer.readUInt32BE(offset);
      if (buffer.length - offset - 4 < length) break;
      frames.push(buffer.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
      this.at += 4 + length;
    }
    buffer = buffer.subarray(offset);
    this.held = buffer.length > 0 ? [buffer] : [];
    this.heldBytes = buffer.length;
    return frames;
  }

  /** Throws when the stream ended inside a frame. */
  end(): void {
    if (this.heldBytes === 0) return;
    throw new SnapshotFormatError(this.heldBytes < 4 ? `truncated frame header at byte ${this.at}` : `truncated frame at byte ${this.at}`);
  }
}

export async function decodeSnapshotStream(chunks: AsyncIterable<Uint8Array>): Promise<StreamedSnapshot> {
  const decoder = createInterningDecoder();
  const cutter = new FrameCutter();
  let header: SnapshotHeader | undefined;
  const slots: SnapshotSlot[] = [];
  let bytes = 0;
  // Inflates run ahead on the thread pool; decoding takes them in order.
  let decoding: Promise<void> = Promise.resolve();
  let failure: unknown;
  const decodeInOrder = (inflating: Promise<Buffer>, at: number) => {
    inflating.catch(() => {}); // awaited in order below; a rejection is reported there
    decoding = decoding.then(async () => {
      if (failure !== undefined) return;
      let body: Buffer;
      try {
        body = await inflating;
      } catch {
        throw new SnapshotFormatError(`frame at byte ${at} does not inflate`);
      }
      const value = decoder.decode(body);
      if (header === undefined) {
        header = value as SnapshotHeader;
        if (!header || header.format !== 1 || !Number.isSafeInteger(header.revision)) throw new SnapshotFormatError('no header');
        return;
      }
      if (!Array.isArray(value)) throw new SnapshotFormatError('a frame is not a list of slots');
      for (const slot of value as SnapshotSlot[]) slots.push(slot);
    });
    decoding.catch((error: unknown) => {
      failure ??= error;
    });
  };
  for await (const chunk of chunks) {
    if (failure !== undefined) break;
    bytes += chunk.byteLength;
    const start = cutter.at;
    let at = start;
    for (const frame of cutter.push(chunk)) {
      decodeInOrder(inflateRawAsync(frame), at);
      at += 4 + frame.length;
    }
    // Let decoding of what is inflated run between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await decoding.catch(() => {});
  if (failure !== undefined) throw failure;
  cutter.end();
  if (!header) throw new SnapshotFormatError('no header');
  if (slots.length !== header.slots) throw new SnapshotFormatError(`header says ${header.slots} slots, frames hold ${slots.length}`);
  return { snapshot: { header, slots }, bytes };
}
