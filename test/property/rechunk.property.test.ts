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

it('keeps the bytes and cuts them into whole chunks, the last one partial', () => {
  fc.assert(
    fc.property(parts, fc.integer({ min: 1, max: 17 }), (input, size) => {
      const chunks = [...rechunk(input, size)];
      assert.deepEqual(Buffer.concat(chunks), Buffer.concat(input));
      chunks.forEach((chunk, i) => {
        if (i < chunks.length - 1) assert.equal(chunk.byteLength, size);
        else assert.ok(chunk.byteLength > 0 && chunk.byteLength <= size);
      });
    }),
  );
});

it('takes a part only when the chunks before it have been taken', () => {
  fc.assert(
    fc.property(parts, fc.integer({ min: 1, max: 17 }), (input, size) => {
      let made = 0;
      const lazily = (function* () {
        for (const part of input) {
          made++;
          yield part;
        }
      })();
      let taken = 0;
      for (const chunk of rechunk(lazily, size)) {
        taken += chunk.byteLength;
        // Parts made so far hold the bytes taken, and at most one chunk's worth more (or one part, if larger).
        const bytesMade = input.slice(0, made).reduce((n, p) => n + p.byteLength, 0);
        const lastPart = input[made - 1]?.byteLength ?? 0;
        assert.ok(bytesMade - taken < size + lastPart, `made ${bytesMade} bytes for ${taken} taken`);
      }
    }),
  );
});

it('refuses a chunk size that is not a positive integer', () => {
  assert.throws(() => [...rechunk([new Uint8Array(3)], 0)], RangeError);
});
