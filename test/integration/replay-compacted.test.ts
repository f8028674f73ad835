/**
 * `jetkube replay --at` over a compacted live log (real nats-server and API server): the
 * replay starts from the newest snapshot at or before the point and folds the tail, so
 * every revision from the compaction's snapshot on prints the state the API served then;
 * a point before it is a clear error naming the earliest revision available.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { compactLog } from '../../src/cli/compact.ts';
import { openLogSource } from '../../src/cli/log-source.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { memoryIo } from '../../src/present/io.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { SnapshotStore, requestSnapshot } from '../../streams/snapshot-store.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

async function captured(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await replayCommand(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

const cm = (name: string, v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } }) as KubeObject;

describe('replay over a compacted live log', { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  let nc: NatsConnection;
  /** What the API listed after each write: the live state recorded at that revision. */
  const marks: { revision: number; items: KubeObject[] }[] = [];
  let compactedAt = 0;
  let later = 0;

  before(async () => {
    cluster = await startTestCluster();
    nc = await connectNats(cluster.nats.url, 'replay-compacted-test');
    const { client } = cluster;
    const mark = async () => {
      const list = await client.list('configmaps', 'default');
      marks.push({ revision: Number(list.metadata.resourceVersion), items: list.items });
    };
    for (let i = 0; i < 6; i++) {
      await client.create('configmaps', cm(`c${i}`, '1'));
      await mark();
    }
    for (let i = 0; i < 3; i++) {
      await client.patch('configmaps', 'default', `c${i}`, { data: { v: '2' } }, 'merge');
      await mark();
    }
    compactedAt = await requestSnapshot(nc);
    await client.delete('configmaps', 'default', 'c5');
    await mark();
    await client.patch('configmaps', 'default', 'c0', { data: { v: '3' } }, 'merge');
    await mark();
    later = await requestSnapshot(nc);
    await client.create('configmaps', cm('c5', 'again'));
    await mark();
    await client.patch('configmaps', 'default', 'c1', { data: { v: '3' } }, 'merge');
    await mark();
    const result = await compactLog(await SnapshotStore.open(nc), new RegistryLog(nc), compactedAt + 1);
    assert.equal(result.snapshotRevision, compactedAt);
    assert.ok(result.purged > 0, 'the compaction purged history');
  });
  after(async () => {
    await drainNats(nc);
    await cluster?.dispose();
  });

  const url = () => cluster.nats.url;

  it('--at every revision from the compaction snapshot on prints the state the API served then', async () => {
    const replayable = marks.filter((m) => m.revision >= compactedAt);
    assert.ok(replayable.length >= 4);
    for (const mark of replayable) {
      const { code, out } = await captured(['--nats-url', url(), '--at', String(mark.revision), 'configmaps', '-n', 'default', '-o', 'json']);
      assert.equal(code, 0);
      assert.deepEqual((JSON.parse(out) as { items: KubeObject[] }).items, mark.items, `revision ${mark.revision}`);
    }
  });

  it('starts from the newest snapshot at or before the point and reads only the tail after it', async () => {
    const last = marks.at(-1)!.revision;
    for (const [at, expected] of [
      [compactedAt, compactedAt],
      [later - 1, compactedAt],
      [later, later],
      [last, later],
    ] as const) {
      const source = await openLogSource({ natsUrl: url(), toSeq: at, fromSnapshot: { point: { revision: at } } });
      try {
        assert.equal(source.base?.header.revision, expected, `--at ${at}`);
        assert.equal(source.total, at - expected);
        assert.equal(source.compactedBefore, compactedAt + 1);
      } finally {
        await source.close();
      }
    }
  });

  it('a revision before the compaction point is a clear error naming the earliest revision available', async () => {
    const early = marks.find((m) => m.revision < compactedAt)!;
    await assert.rejects(
      captured(['--nats-url', url(), '--at', String(early.revision), 'configmaps']),
      (error: Error) => {
        assert.match(error.message, new RegExp(`revision ${early.revision} is before the history this log holds`));
        assert.match(error.message, new RegExp(`compacted: it holds whole history from revision ${compactedAt + 1} on`));
        assert.match(error.message, new RegExp(`the earliest revision available is ${compactedAt}`));
        return true;
      },
    );
    await assert.rejects(captured(['--nats-url', url(), '--at', '2001-01-01T00:00:00Z', 'configmaps']), /2001-01-01T00:00:00.000Z is before the history this log holds/);
  });

  it('the newest state and history still read the compacted log, history with a warning', async () => {
    const newest = await captured(['--nats-url', url(), 'configmaps', '-n', 'default', '-o', 'json']);
    assert.deepEqual((JSON.parse(newest.out) as { items: KubeObject[] }).items, marks.at(-1)!.items);
    const { code, out, err } = await captured(['history', 'cm/c1', '--nats-url', url()]);
    assert.equal(code, 0);
    assert.match(err, new RegExp(`the log is compacted before revision ${compactedAt + 1}`));
    assert.match(out, /~ data\.v: "2" -> "3"/);
  });
});
