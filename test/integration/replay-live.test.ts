/**
 * Replay from the live REGISTRY stream (no file): `jetkube replay --at` by revision and by
 * time prints what the API served then, `history` lists an object's changes with their
 * writers, and a replay by time stops reading the stream early without hanging.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { memoryIo } from '../../src/present/io.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

async function captured(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await replayCommand(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('replay from the live log', { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  const marks: { revision: number; items: KubeObject[]; time: number }[] = [];
  before(async () => {
    cluster = await startTestCluster();
    const { client } = cluster;
    await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { level: '1' } });
    for (const level of ['2', '3']) {
      const list = await client.list('configmaps', 'default');
      marks.push({ revision: Number(list.metadata.resourceVersion), items: list.items, time: Date.now() });
      // The log's clock has millisecond resolution: leave it a tick so the moment separates the writes.
      await new Promise((r) => setTimeout(r, 20));
      await client.patch('configmaps', 'default', 'settings', { data: { level } }, 'merge');
    }
  });
  after(() => cluster?.dispose());

  const url = () => cluster.nats.url;

  it('--at a revision prints the state the API served at it', async () => {
    for (const mark of marks) {
      const { code, out } = await captured(['--nats-url', url(), '--at', String(mark.revision), 'configmaps', '-o', 'json']);
      assert.equal(code, 0);
      const list = JSON.parse(out) as { items: KubeObject[] };
      assert.deepEqual(list.items, mark.items);
    }
  });

  it('--at a time stops at the last revision stored by then', async () => {
    const mark = marks[1]!;
    const at = new Date(mark.time).toISOString();
    const { code, out, err } = await captured(['--nats-url', url(), '--at', at, 'configmaps', 'settings', '-o', 'yaml']);
    assert.equal(code, 0);
    assert.match(out, /level: "2"/);
    assert.doesNotMatch(err, /error/i);
  });

  it('history lists every change with its writer and diff', async () => {
    const { code, out } = await captured(['history', 'cm/settings', '--nats-url', url()]);
    assert.equal(code, 0);
    assert.match(out, /ADDED {2}by test-client|ADDED {2}by \w/);
    assert.match(out, /~ data\.level: "1" -> "2"/);
    assert.match(out, /~ data\.level: "2" -> "3"/);
    const missing = await captured(['history', 'cm/nope', '--nats-url', url()]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no changes of configmaps\/nope in namespace default/);
  });

  it('history names the writer of a status write (its managedFields entry with subresource status)', async () => {
    const kubelet = await ApiClient.connect(url(), 'replay-live-kubelet', { fieldManager: 'kubelet' });
    try {
      const pod = await cluster.client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
      const running = await kubelet.update('pods', { ...pod, status: { phase: 'Running', podIP: '127.1.0.5' } }, { subresource: 'status' });
      const entry = (running.metadata.managedFields as { manager: string; subresource?: string; fieldsV1: unknown }[]).find((e) => e.manager === 'kubelet');
      assert.deepEqual(entry && { subresource: entry.subresource, fieldsV1: entry.fieldsV1 }, { subresource: 'status', fieldsV1: { 'f:status': { 'f:phase': {}, 'f:podIP': {} } } });
    } finally {
      await kubelet.close();
    }
    const { code, out } = await captured(['history', 'pod/p', '--nats-url', url()]);
    assert.equal(code, 0);
    assert.match(out, /MODIFIED {2}by kubelet \(Update status\)[^\n]*\n(\s+.*\n)*\s+~ status\.phase: "Pending" -> "Running"/);
    // The audit trail recorded the revision each write stored, so history adds who sent it.
    assert.match(out, /MODIFIED {2}by kubelet \(Update status\); audit: user \S+ \(update status\)/);
    assert.match(out, /ADDED {2}by [^\n]*; audit: user \S+ \(create\)/);
  });
});
