/**
 * A bounded history read of the log (what a watch from an old resourceVersion and a
 * snapshot start-up replay) survives kill -9 of the nats-server holding its consumer, with
 * that server left down (killed as soon as the consumer exists, its whole range pending).
 * Expected: the read starts a new consumer at its cursor on a live server and yields every
 * entry of its range once, in order, then ends.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { REGISTRY } from '../../streams/subjects.ts';
import { startTestNatsCluster, type TestNatsCluster } from '../support/nats-cluster.ts';

const ENTRIES = 20_000;

let cluster: TestNatsCluster;
let readerConnection: NatsConnection;
let writerConnection: NatsConnection;

before(async () => {
  cluster = await startTestNatsCluster(3);
  readerConnection = await connectNats(cluster.url, 'history-reader');
  writerConnection = await connectNats(cluster.url, 'history-writer');
});

after(async () => {
  for (const nc of [readerConnection, writerConnection]) if (nc) await drainNats(nc).catch(() => {});
  await cluster?.dispose();
});

it('reads its whole range after the server holding its consumer is killed and stays down', { timeout: 120_000 }, async () => {
  const writerLog = await RegistryLog.open(writerConnection);
  for (let from = 0; from < ENTRIES; from += 500) {
    await Promise.all(
      Array.from({ length: 500 }, (_, i) => {
        const name = `cm-${from + i}`;
        const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } };
        return writerLog.append({ resource: 'configmaps', namespace: 'default', name }, { type: 'ADDED', object }, { expectedLastSubjectSeq: 0, msgId: name });
      }),
    );
  }

  const readerLog = new RegistryLog(readerConnection);
  const seqs: number[] = [];
  let killed: string | undefined;
  const jsm = await writerConnection.jetstreamManager();
  const killLeaderOf = async (consumer: { num_pending: number; cluster?: { leader?: string } } | undefined) => {
    const host = consumer && consumer.num_pending > 0 ? consumer.cluster?.leader : undefined;
    if (killed || !host) return;
    killed = host;
    await cluster.members.find((m) => m.serverName === host)!.kill();
  };
  // Looking for a consumer with entries pending every 250 entries could find none on a
  // loaded machine: one consumer can deliver all 20,000 before the first look is answered
  // (fresh-clone CI runs failed so, twice). The server announces each consumer it creates,
  // with the whole range still pending on it: its server is killed then, the read open.
  const created = writerConnection.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.CREATED.${REGISTRY.stream}.*`, {
    callback: (_err, msg) => {
      if (killed) return;
      const name = msg.subject.split('.').at(-1)!;
      void jsm.consumers
        .info(REGISTRY.stream, name)
        .then(killLeaderOf)
        .catch(() => undefined); // gone already: the next one will do
    },
  });
  for await (const entry of readerLog.read({ fromSeq: 1 })) {
    seqs.push(entry.seq);
    // And look for it directly too, in case the announcement came late.
    if (!killed && (seqs.length === 1 || seqs.length % 250 === 0)) {
      await killLeaderOf((await jsm.consumers.list(REGISTRY.stream).next()).find((c) => c.num_pending > 0));
    }
  }
  created.unsubscribe();

  assert.ok(killed, 'the server holding the read\'s consumer was killed while the read was open');
  assert.equal(seqs.length, ENTRIES, `every entry once with ${killed} down`);
  assert.ok(seqs.every((seq, i) => seq === i + 1), 'in order');
});
