/**
 * The server side of a SPDY/3.1 session, as kubectl port-forward's peer: the client opens
 * streams (SYN_STREAM with headers), the server accepts each with SYN_REPLY, and both
 * send DATA; FIN half-closes a stream, RST_STREAM ends it. PING is echoed; GOAWAY ends the
 * session. Flow control is not enforced in either direction (Kubernetes' own SPDY
 * library does not enforce it either), so this is not for untrusted bulk peers.
 */
import {
  dataFrame,
  decodeHeaderBlock,
  encodeHeaderBlock,
  FLAG_FIN,
  FrameReader,
  goAwayFrame,
  GOAWAY,
  parseSynStream,
  PING,
  pingFrame,
  RST_STREAM,
  rstStreamFrame,
  streamIdOf,
  SYN_STREAM,
  synReplyFrame,
  type Frame,
} from './frames.ts';
import { HeaderCompression } from './header-compression.ts';

export interface SpdyStream {
  readonly id: number;
  readonly headers: Map<string, string[]>;
  header(name: string): string | undefined;
  write(data: Uint8Array): void;
  /** Half-closes our side (DATA with FIN). */
  end(): void;
  /** Ends the stream at once (RST_STREAM). */
  reset(status: number): void;
  onData(handler: (data: Buffer) => void): void;
  /** The peer half-closed or reset the stream, or the session ended. */
  onEnd(handler: () => void): void;
}

export class SpdySession {
  private readonly reader = new FrameReader();
  private readonly compression = new HeaderCompression();
  private readonly streams = new Map<number, StreamState>();
  private processing: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private closed = false;
  private readonly endHandlers: Array<() => void> = [];

  constructor(
    /** Sends bytes to the peer. */
    private readonly send: (bytes: Buffer) => void,
    private readonly onStream: (stream: SpdyStream) => void,
  ) {}

  /** Bytes from the peer, in order, in pieces of any size. */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(bytes);
    } catch {
      return this.close(1);
    }
    // Header blocks must be inflated in order: frames are handled one after another.
    for (const frame of frames) this.processing = this.processing.then(() => this.handle(frame)).catch(() => this.close(1));
  }

  onClose(handler: () => void): void {
    this.endHandlers.push(handler);
  }

  close(status = 0): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.send(goAwayFrame(this.lastStreamId, status));
    } catch {
      // The transport is gone already.
    }
    for (const stream of this.streams.values()) stream.ended();
    this.streams.clear();
    this.compression.close();
    for (const handler of this.endHandlers) handler();
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    if (frame.kind === 'data') {
      const stream = this.streams.get(frame.streamId);
      if (!stream) return this.send(rstStreamFrame(frame.streamId, 2));
      if (frame.payload.length > 0) stream.data(frame.payload);
      if (frame.flags & FLAG_FIN) stream.peerFinished();
      return;
    }
    switch (frame.type) {
      case SYN_STREAM: {
        const { streamId, headerBlock } = parseSynStream(frame.payload);
        const headers = decodeHeaderBlock(await this.compression.inflate(headerBlock));
        this.lastStreamId = Math.max(this.lastStreamId, streamId);
        const reply = await this.compression.deflate(encodeHeaderBlock({}));
        if (this.closed) return;
        this.send(synReplyFrame(streamId, 0, reply));
        const stream = new StreamState(streamId, headers, this.send, () => this.forget(streamId));
        this.streams.set(streamId, stream);
        this.onStream(stream);
        if (frame.flags & FLAG_FIN) stream.peerFinished();
        return;
      }
      case RST_STREAM: {
        const stream = this.streams.get(streamIdOf(frame.payload));
        stream?.ended();
        this.forget(streamIdOf(frame.payload));
        return;
      }
      case PING:
        return this.send(pingFrame(frame.payload.readUInt32BE(0)));
      case GOAWAY:
        return this.close();
      default:
        // SETTINGS, WINDOW_UPDATE, HEADERS: nothing this server needs from them.
        return;
    }
  }

  private forget(id: number): void {
    this.streams.delete(id);
  }
}

class StreamState implements SpdyStream {
  private dataHandlers: Array<(data: Buffer) => void> = [];
  private endHandlers: Array<() => void> = [];
  private early: Buffer[] = [];
  private finishedByPeer = false;
  private finishedByUs = false;
  private done = false;

  constructor(
    readonly id: number,
    readonly headers: Map<string, string[]>,
    private readonly send: (bytes: Buffer) => void,
    private readonly forget: () => void,
  ) {}

  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase())?.[0];
  }

  write(data: Uint8Array): void {
    if (this.done || this.finishedByUs) return;
    // One DATA frame carries at most 16 MiB - 1; keep them small for interactivity.
    for (let at = 0; at < data.length; at += 32 * 1024) this.send(dataFrame(this.id, 0, data.subarray(at, at + 32 * 1024)));
  }

  end(): void {
    if (this.done || this.finishedByUs) return;
    this.finishedByUs = true;
    this.send(dataFrame(this.id, FLAG_FIN, new Uint8Array()));
    if (this.finishedByPeer) this.finish();
  }

  reset(status: number): void {
    if (this.done) return;
    this.send(rstStreamFrame(this.id, status));
    this.ended();
    this.forget();
  }

  onData(handler: (data: Buffer) => void): void {
    this.dataHandlers.push(handler);
    for (const chunk of this.early.splice(0)) handler(chunk);
  }

  onEnd(handler: () => void): void {
    if (this.done || this.finishedByPeer) handler();
    else this.endHandlers.push(handler);
  }

  data(chunk: Buffer): void {
    if (this.dataHandlers.length === 0) this.early.push(chunk);
    for (const handler of this.dataHandlers) handler(chunk);
  }

  peerFinished(): void {
    if (this.finishedByPeer) return;
    this.finishedByPeer = true;
    for (const handler of this.endHandlers.splice(0)) handler();
    if (this.finishedByUs) this.finish();
  }

  ended(): void {
    if (this.done) return;
    this.done = true;
    for (const handler of this.endHandlers.splice(0)) handler();
  }

  private finish(): void {
    this.done = true;
    this.forget();
  }
}
