import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SPDY3_DICTIONARY } from '../../src/streaming/spdy/dictionary.ts';
import {
  controlFrame,
  dataFrame,
  decodeHeaderBlock,
  encodeHeaderBlock,
  FLAG_FIN,
  FrameReader,
  SYN_STREAM,
} from '../../src/streaming/spdy/frames.ts';
import { HeaderCompression } from '../../src/streaming/spdy/header-compression.ts';
import { SpdySession, type SpdyStream } from '../../src/streaming/spdy/session.ts';

describe('SPDY/3.1 framing', () => {
  it('the header dictionary is the draft\'s 1,423 bytes, starting with "options"', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\u0007options');
    assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith('enq=0.'));
  });

  it('a byte stream cut anywhere gives back the same frames', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (payloads, cuts) => {
        const wire = Buffer.concat(payloads.map((p, i) => dataFrame(i + 1, i % 2 ? FLAG_FIN : 0, p)));
        const reader = new FrameReader();
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const frames = [];
        let at = 0;
        for (const point of [...points, wire.length]) {
          frames.push(...reader.push(wire.subarray(at, point)));
          at = point;
        }
        assert.equal(frames.length, payloads.length);
        frames.forEach((frame, i) => {
          assert.equal(frame.kind, 'data');
          assert.deepEqual([...frame.payload], [...payloads[i]!]);
          if (frame.kind === 'data') assert.equal(frame.streamId, i + 1);
        });
      }),
    );
  });

  it('header blocks survive compression across several blocks of one session', async () => {
    const writer = new HeaderCompression();
    const reader = new HeaderCompression();
    const blocks: Array<Record<string, string>> = [{ streamtype: 'error', port: '8080', requestid: '0' }, { streamtype: 'data', port: '8080', requestid: '0' }, {}];
    for (const headers of blocks) {
      const wire = await writer.deflate(encodeHeaderBlock(headers));
      const back = decodeHeaderBlock(await reader.inflate(wire));
      assert.deepEqual(Object.fromEntries([...back].map(([k, v]) => [k, v[0]])), headers);
    }
    writer.close();
    reader.close();
  });

  it('a session accepts a client stream with SYN_REPLY and delivers its data and end', async () => {
    const client = new HeaderCompression();
    const sent: Buffer[] = [];
    let accepted!: (stream: SpdyStream) => void;
    const opened = new Promise<SpdyStream>((resolve) => (accepted = resolve));
    const session = new SpdySession((bytes) => sent.push(bytes), (stream) => accepted(stream));
    const id = Buffer.alloc(10);
    id.writeUInt32BE(1);
    const block = await client.deflate(encodeHeaderBlock({ streamtype: 'data', port: '80', requestid: '7' }));
    session.receive(controlFrame(SYN_STREAM, 0, Buffer.concat([id, block])));
    session.receive(dataFrame(1, FLAG_FIN, Buffer.from('hello')));
    const received: string[] = [];
    let ended = false;
    const stream = await opened;
    assert.equal(stream.header('requestid'), '7');
    stream.onData((d) => received.push(d.toString()));
    const end = new Promise<void>((resolve) => stream.onEnd(() => resolve()));
    await end;
    ended = true;
    assert.deepEqual(received, ['hello']);
    assert.equal(ended, true);
    const replies = new FrameReader().push(Buffer.concat(sent));
    assert.equal(replies[0]?.kind, 'control');
    if (replies[0]?.kind === 'control') assert.equal(replies[0].type, 2, 'SYN_REPLY');
    session.close();
    client.close();
  });
});
