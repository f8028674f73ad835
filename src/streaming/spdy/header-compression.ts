/**
 * SPDY/3 header compression: each direction of a session is ONE zlib stream, primed
 * with the SPDY dictionary, and every header block ends with a sync flush. So the
 * inflater and deflater live as long as the session, and blocks go through them strictly
 * in order (each call waits for the one before).
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.ts';

export class HeaderCompression {
  private readonly inflater: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflater: Deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  private inflating: Promise<unknown> = Promise.resolve();
  private deflating: Promise<unknown> = Promise.resolve();

  constructor() {
    // Errors surface through the calls below; an unhandled 'error' would crash the process.
    this.inflater.on('error', () => {});
    this.deflater.on('error', () => {});
  }

  inflate(block: Buffer): Promise<Buffer> {
    const next = this.inflating.then(() => pass(this.inflater, block));
    this.inflating = next.catch(() => {});
    return next;
  }

  deflate(block: Buffer): Promise<Buffer> {
    const next = this.deflating.then(() => pass(this.deflater, block));
    this.deflating = next.catch(() => {});
    return next;
  }

  close(): void {
    this.inflater.destroy();
    this.deflater.destroy();
  }
}

/** Writes one block and sync-flushes, collecting exactly the output that flush produces. */
function pass(stream: Inflate | Deflate, block: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const onError = (error: Error) => {
      stream.off('data', onData);
      reject(error);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.write(block);
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(chunks));
    });
  });
}
