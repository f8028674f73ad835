/**
 * The log's live tail survives kill -9 of the nats-server holding its consumer, with that
 * server left down. Expected: the follower starts a new consumer at its cursor on a live
 * server and hands on every sequence the writers got acknowledged, once each, in order.
 *
 * (nats.js's ordered consumer alone stays stuck asking the dead server for its consumer's
 * info until that server returns: this test timed out with it.)
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog, type FollowHandle } from '../../streams/registry-log.ts';
import { REGISTRY } from '../../streams/subjects.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { eventually } from '../support/cluster.ts';
import { startTestNatsCluster, type TestNatsCluster } from '../support/nats-cluster.ts';

let cluster: TestNatsCluster;
let followerConnection: NatsConnection;
let writerConnection: NatsConnection;

before(async () => {
  cluster = await startTestNatsCluster(3);
  followerConnection = await connectNats(cluster.url, 'tail-follower');
  writerConnection = await connectNats(cluster.url, 'tail-writer');
});

after(async () => {
  for (const nc of [followerConnection, writerConnection]) if (nc) await drainNats(nc).catch(() => {});
  await cluster?.dispose();
});

it('follows on after the server holding its consumer is killed and stays down', { timeout: 120_000 }, async () => {
  const followerLog = await RegistryLog.open(followerConnection);
  const writerLog = new RegistryLog(writerConnection);
  const seen: number[] = [];
  const errors: string[] = [];
  const follow: FollowHandle = followerLog.follow({ fromSeq: 1 }, (entry: LogEntry) => seen.push(entry.seq), (error) => errors.push(error.message));

  let acknowledged = 0;
  let running = true;
  let n = 0;
  const writer = (async () => {
    while (running) {
      const name = `cm-${n++}`;
      const key = { resource: 'configmaps', namespace: 'default', name };
      const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } };
      await writerLog
        .append(key, { type: 'ADDED', object }, { expectedLastSubjectSeq: 0, msgId: name, timeoutMs: 2_000 })
        .then((r) => (acknowledged = Math.max(acknowledged, r.seq)), () => undefined);
    }
  })();

  try {
    await eventually(() => (seen.length >= 200 ? true : undefined), 30_000, 'the tail under way');
    const jsm = await writerConnection.jetstreamManager();
    const consumers = await jsm.consumers.list(REGISTRY.stream).next();
    assert.equal(consumers.length, 1, 'the follower has one consumer');
    const host = consumers[0]!.cluster?.leader;
    assert.ok(host, 'the consumer has a server');
    await cluster.members.find((m) => m.serverName === host)!.kill();

    const ackedAfterKill = await eventually(() => (acknowledged > 0 ? acknowledged : undefined));
    // Writes go on on the two live servers; the tail must reach them without the dead one.
    const target = await eventually(() => (acknowledged >= ackedAfterKill + 500 ? acknowledged : undefined), 60_000, '500 writes after the kill');
    await eventually(() => (follow.lastSeq >= target ? true : undefined), 45_000, `the tail passing ${target} with ${host} down`);
  } finally {
    running = false;
    await writer;
    await follow.stop();
  }

  assert.deepEqual(errors, [], 'an unfiltered follow saw no gap');
  assert.ok(seen.every((seq, i) => seq === i + 1), 'every sequence once, in order');
});
