/**
 * A bounded history read of the log (what a watch from an old resourceVersion and a
 * snapshot start-up replay) survives kill -9 of the nats-server holding its consumer, with
 * that server left down. Expected: the read starts a new consumer at its cursor on a live
 * server and yields every entry of its range once, in order, then ends.
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
  for await (const entry of readerLog.read({ fromSeq: 1 })) {
    seqs.push(entry.seq);
    // The read pulls ahead of us in batches and pauses its consumer when far enough ahead:
    // once it holds one, kill that consumer's server. Looked for from the first entry on: on
    // a loaded machine the consumer could deliver the rest before the 250th was taken, and
    // a consumer with nothing pending left nothing to fail over.
    if (!killed && (seqs.length === 1 || seqs.length % 250 === 0)) {
      const jsm = await writerConnection.jetstreamManager();
      const host = (await jsm.consumers.list(REGISTRY.stream).next()).find((c) => c.num_pending > 0)?.cluster?.leader;
      if (host) {
        killed = host;
        await cluster.members.find((m) => m.serverName === host)!.kill();
      }
    }
  }

  assert.ok(killed, 'a server was killed mid-read');
  assert.equal(seqs.length, ENTRIES, `every entry once with ${killed} down`);
  assert.ok(seqs.every((seq, i) => seq === i + 1), 'in order');
});
