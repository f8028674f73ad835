/**
 * The export file format on its own: a round trip gives back every entry; a file cut
 * anywhere, or with any byte changed, yields only intact entries and then an error that
 * names the last good revision.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encode } from '@msgpack/msgpack';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { crc32, LogFileError, readLogFile, writeLogFile } from '../../src/store/log-file.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jetkube-logfile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entries(n: number): LogEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: 3 + i * 2,
    time: 1_700_000_000_000 + i,
    type: i % 7 === 6 ? 'DELETED' : i % 3 === 0 ? 'ADDED' : 'MODIFIED',
    key: { resource: i % 2 ? 'pods' : 'nodes', namespace: i % 2 ? 'default' : '', name: `n-${i % 5}` },
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `n-${i % 5}`, resourceVersion: String(3 + i * 2), labels: { i: String(i) } }, spec: { text: 'é😀'.repeat(i % 4) } },
  }));
}

async function readAll(path: string): Promise<{ got: LogEntry[]; error?: unknown }> {
  const got: LogEntry[] = [];
  try {
    for await (const entry of readLogFile(path)) got.push(entry);
    return { got };
  } catch (error) {
    return { got, error };
  }
}

describe('log file', () => {
  it('crc32 matches the standard check value', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  it('round-trips entries, reporting progress', async () => {
    const path = join(dir, 'round.jklog');
    const written = entries(50);
    const progress: number[] = [];
    const result = await writeLogFile(path, written, (count) => progress.push(count));
    assert.deepEqual(result, { count: 50, lastSeq: written.at(-1)!.seq });
    assert.equal(progress.at(-1), 50);
    const { got, error } = await readAll(path);
    assert.equal(error, undefined);
    assert.deepEqual(got, written);
  });

  it('an empty log is a valid file', async () => {
    const path = join(dir, 'empty.jklog');
    await writeLogFile(path, []);
    assert.deepEqual(await readAll(path), { got: [] });
  });

  it('a file truncated anywhere yields its intact prefix, then a LogFileError naming the last good revision', async () => {
    const path = join(dir, 'whole.jklog');
    const written = entries(12);
    await writeLogFile(path, written);
    const bytes = await readFile(path);
    const cut = join(dir, 'cut.jklog');
    for (let size = 0; size < bytes.length; size += 7) {
      await writeFile(cut, bytes.subarray(0, size));
      const { got, error } = await readAll(cut);
      assert.ok(error instanceof LogFileError, `cut at ${size} must fail`);
      assert.deepEqual(got, written.slice(0, got.length), `cut at ${size}: an intact prefix`);
      assert.equal(error.lastGoodSeq, got.at(-1)?.seq ?? 0);
      assert.match(error.message, new RegExp(`up to revision ${error.lastGoodSeq} are intact`));
    }
  });

  it('a file cut exactly at a frame boundary (its trailer lost) is still detected', async () => {
    const path = join(dir, 'boundary.jklog');
    await writeLogFile(path, entries(3));
    const trailerFrame = 8 + 1 + encode({ count: 3, lastSeq: 7 }).length;
    await truncate(path, (await stat(path)).size - trailerFrame);
    const { got, error } = await readAll(path);
    assert.equal(got.length, 3, 'every entry is intact');
    assert.ok(error instanceof LogFileError);
    assert.equal(error.lastGoodSeq, 7);
    assert.match(error.message, /without its trailer/);
  });

  it('a changed byte anywhere is detected', async () => {
    const path = join(dir, 'flip.jklog');
    const written = entries(6);
    await writeLogFile(path, written);
    const bytes = await readFile(path);
    for (let at = 0; at < bytes.length; at += 5) {
      const copy = Buffer.from(bytes);
      copy[at] = copy[at]! ^ 0x41;
      await writeFile(path, copy);
      const { got, error } = await readAll(path);
      assert.ok(error instanceof LogFileError, `flip at ${at} must fail`);
      assert.deepEqual(got, written.slice(0, got.length));
    }
  });

  it('refuses to write entries out of order and leaves no file behind', async () => {
    const path = join(dir, 'bad-order.jklog');
    const [a, b] = entries(2);
    await assert.rejects(writeLogFile(path, [b!, a!]), /increasing seq/);
    await assert.rejects(stat(path));
    await assert.rejects(stat(`${path}.partial`));
  });
});
