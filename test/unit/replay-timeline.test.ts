/**
 * Folding to a point (revision or time), and a damaged export file: the good part stays
 * usable (--at up to the last good revision, with a warning), a point past it is an
 * error naming the last good revision, and the CLI says both in words.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { memoryIo } from '../../src/present/io.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { readLogFile, writeLogFile } from '../../src/store/log-file.ts';
import { DamagedLogError, foldTo, parseReplayPoint } from '../../src/replay/timeline.ts';

const T0 = Date.parse('2026-11-25T10:00:00Z');

const cm = (name: string, value: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2026-11-25T10:00:00Z' }, data: { v: value } });

/** 20 entries, one a second: a (odd revisions), b (even); b deleted at 16, created again at 18. */
function log(): LogEntry[] {
  const out: LogEntry[] = [];
  for (let seq = 1; seq <= 20; seq++) {
    const name = seq % 2 ? 'a' : 'b';
    const type = seq <= 2 || seq === 18 ? 'ADDED' : seq === 16 ? 'DELETED' : 'MODIFIED';
    out.push({ seq, time: T0 + (seq - 1) * 1000, type, key: { resource: 'configmaps', namespace: 'default', name }, object: cm(name, String(seq)) });
  }
  return out;
}

async function capture(args: string[]): Promise<{ code: number; out: string; err: string; error?: Error }> {
  const io = memoryIo();
  try {
    return { code: await replayCommand(args, io), out: io.stdout, err: io.stderr };
  } catch (error) {
    return { code: 1, out: io.stdout, err: io.stderr, error: error as Error };
  }
}

describe('parseReplayPoint', () => {
  it('reads a revision or an RFC 3339 time, and refuses anything else', () => {
    assert.deepEqual(parseReplayPoint('1200'), { revision: 1200 });
    assert.deepEqual(parseReplayPoint('2026-11-25T10:00:05Z'), { time: T0 + 5000 });
    assert.deepEqual(parseReplayPoint('2026-11-25T11:00:05+01:00'), { time: T0 + 5000 });
    assert.deepEqual(parseReplayPoint('2026-11-25T10:00:05.250Z'), { time: T0 + 5250 });
    for (const bad of ['yesterday', '12a', '2026-11-25', '-3']) assert.throws(() => parseReplayPoint(bad), /revision number or an RFC 3339 time/);
  });
});

describe('foldTo', () => {
  it('stops at a revision', async () => {
    const { store, revision, time } = await foldTo(log(), { revision: 7 });
    assert.equal(revision, 7);
    assert.equal(time, T0 + 6000);
    assert.equal((store.get('configmaps', 'default', 'a')!.data as Record<string, string>)['v'], '7');
    assert.equal((store.get('configmaps', 'default', 'b')!.data as Record<string, string>)['v'], '6');
    assert.equal(store.get('configmaps', 'default', 'a')!.metadata.resourceVersion, '7');
  });

  it('at a time: the last revision stored at or before it', async () => {
    assert.equal((await foldTo(log(), { time: T0 + 6000 })).revision, 7);
    assert.equal((await foldTo(log(), { time: T0 + 6999 })).revision, 7);
    assert.equal((await foldTo(log(), { time: T0 - 1 })).revision, 0, 'before the first entry: the empty cluster');
    const deleted = await foldTo(log(), { time: T0 + 15_500 });
    assert.equal(deleted.revision, 16);
    assert.equal(deleted.store.get('configmaps', 'default', 'b'), undefined, 'b deleted at 16');
    assert.equal(((await foldTo(log(), { revision: 18 })).store.get('configmaps', 'default', 'b')!.data as Record<string, string>)['v'], '18', 'created again');
  });

  it('without a point: the newest', async () => {
    assert.equal((await foldTo(log(), undefined)).revision, 20);
  });
});

describe('a damaged export file', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jetkube-replay-damage-'));
    file = join(dir, 'cut.log');
    await writeLogFile(file, log());
    // Cut in the middle of the frame of some entry past 10.
    const size = (await stat(file)).size;
    await truncate(file, Math.floor(size * 0.7));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const lastGood = async () => {
    let last = 0;
    try {
      for await (const e of readLogFile(file)) last = e.seq;
    } catch {
      /* the damage */
    }
    return last;
  };

  it('--at up to the last good revision works, with the damage reported', async () => {
    const good = await lastGood();
    assert.ok(good > 5 && good < 20, `last good ${good}`);
    const at = await foldTo(readLogFile(file), { revision: good }, { verifyRest: true });
    assert.equal(at.revision, good);
    assert.ok(at.damage, 'the damage is reported');
    assert.equal(at.damage.lastGoodSeq, good);
    const earlier = await foldTo(readLogFile(file), { revision: 3 }, { verifyRest: true });
    assert.equal(earlier.revision, 3);
    assert.ok(earlier.damage);
  });

  it('a point past it is an error naming the last good revision', async () => {
    const good = await lastGood();
    for (const point of [undefined, { revision: good + 1 }, { time: T0 + 60_000 }]) {
      await assert.rejects(foldTo(readLogFile(file), point), (error: unknown) => {
        assert.ok(error instanceof DamagedLogError);
        assert.match(error.message, new RegExp(`truncated.*the entries up to revision ${good} are intact.*ask for --at ${good}`));
        return true;
      });
    }
  });

  it('the CLI: an error past it, the state with a warning up to it', async () => {
    const good = await lastGood();
    const newest = await capture(['--file', file]);
    assert.match(newest.error?.message ?? '', new RegExp(`up to revision ${good} are intact`));
    const ok = await capture(['--file', file, '--at', String(good), 'configmaps', '-o', 'name']);
    assert.equal(ok.code, 0, ok.error?.message);
    assert.match(ok.err, new RegExp(`warning: .*truncated.*revision ${good} are intact`));
    assert.match(ok.out, /configmap\/a/);
  });
});
