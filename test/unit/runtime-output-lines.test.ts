import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, MAX_LINE_LENGTH } from '../../src/runtime/output-lines.ts';

function split(chunks: Array<Buffer | string>): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((text, time) => {
    assert.ok(time instanceof Date);
    lines.push(text);
  });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits on newlines across chunks and keeps empty lines', () => {
    assert.deepEqual(split(['a\nb', 'c\n\nd\n']), ['a', 'bc', '', 'd']);
  });
  it('flushes a last line without a newline at the end', () => {
    assert.deepEqual(split(['done\npartial']), ['done', 'partial']);
    assert.deepEqual(split([]), []);
  });
  it('keeps a UTF-8 character split across chunks whole', () => {
    const bytes = Buffer.from('héllo\n');
    assert.deepEqual(split([bytes.subarray(0, 2), bytes.subarray(2)]), ['héllo']);
  });
  it('cuts a line longer than 16 KiB into pieces, as CRI logs do', () => {
    const long = 'x'.repeat(MAX_LINE_LENGTH * 2 + 10);
    const lines = split([long.slice(0, 5000), long.slice(5000), '\n']);
    assert.deepEqual(lines.map((l) => l.length), [MAX_LINE_LENGTH, MAX_LINE_LENGTH, 10]);
  });
});
