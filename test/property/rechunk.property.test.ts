/**
 * rechunk (the snapshot upload's cutting of frames into object-store chunks): whatever the
 * parts' sizes, the chunks hold the same bytes in the same order, every chunk but the last
 * is exactly the chunk size, the last is not empty, and no part is asked for before the
 * chunks ahead of it have been taken.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { rechunk } from '../../streams/rechunk.ts';

const parts = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 });

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const all: Uint8Array[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

it('keeps the bytes and cuts them into whole chunks, the last one partial', async () => {
  await fc.assert(
    fc.asyncProperty(parts, fc.integer({ min: 1, max: 17 }), async (input, size) => {
      const chunks = await collect(rechunk(input, size));
      assert.deepEqual(Buffer.concat(chunks), Buffer.concat(input));
      chunks.forEach((chunk, i) => {
        if (i < chunks.length - 1) assert.equal(chunk.byteLength, size);
        else assert.ok(chunk.byteLength > 0 && chunk.byteLength <= size);
      });
    }),
  );
});

it('takes a part only when the chunks before it have been taken, from a lazy or an async source', async () => {
  await fc.assert(
    fc.asyncProperty(parts, fc.integer({ min: 1, max: 17 }), fc.boolean(), async (input, size, async) => {
      let made = 0;
      const lazily = (function* () {
        for (const part of input) {
          made++;
          yield part;
        }
      })();
      const source = async
        ? (async function* () {
            for (const part of lazily) yield part;
          })()
        : lazily;
      let taken = 0;
      for await (const chunk of rechunk(source, size)) {
        taken += chunk.byteLength;
        // Parts made so far hold the bytes taken, and at most one chunk's worth more (or one part, if larger).
        const bytesMade = input.slice(0, made).reduce((n, p) => n + p.byteLength, 0);
        const lastPart = input[made - 1]?.byteLength ?? 0;
        assert.ok(bytesMade - taken < size + lastPart, `made ${bytesMade} bytes for ${taken} taken`);
      }
    }),
  );
});

it('refuses a chunk size that is not a positive integer', async () => {
  await assert.rejects(collect(rechunk([new Uint8Array(3)], 0)), RangeError);
});
