/**
 * `kubectl logs -f` survives kill -9 of the nats-server holding its consumer, with that
 * server left down. Expected: the reader gets every line the writer had acknowledged,
 * once each, in order, before and after the kill; its consumer moved to a live server.
 * Before it, a backlog larger than the reader's buffer arrives whole and in order to a
 * reader slower than the stream (its tail pauses and starts again at its cursor).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { headers as natsHeaders } from 'nats';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { LOGS_STREAM, ensureLogsStream, logSubject, readContainerLog, type StoredLogLine } from '../../streams/logs-stream.ts';
import { eventually } from '../support/cluster.ts';
import { startTestNatsCluster, type TestNatsCluster } from '../support/nats-cluster.ts';

let cluster: TestNatsCluster;
let readerConnection: NatsConnection;
let writerConnection: NatsConnection;

before(async () => {
  cluster = await startTestNatsCluster(3);
  readerConnection = await connectNats(cluster.url, 'logs-reader');
  writerConnection = await connectNats(cluster.url, 'logs-writer');
  await ensureLogsStream(writerConnection);
});

after(async () => {
  for (const nc of [readerConnection, writerConnection]) if (nc) await drainNats(nc).catch(() => {});
  await cluster?.dispose();
});

/** Publishes one line and answers its sequence once stored (undefined when not acknowledged). */
async function writeLine(container: string, text: string): Promise<number | undefined> {
  const h = natsHeaders();
  h.set('Jk-Pod-Uid', 'uid-1');
  h.set('Jk-Stream', 'stdout');
  try {
    const ack = await writerConnection.jetstream().publish(logSubject('default', 'web', container), new TextEncoder().encode(text), { headers: h, timeout: 2_000 });
    return ack.seq;
  } catch {
    return undefined;
  }
}

it('hands a backlog larger than its buffer to a slow reader whole and in order', { timeout: 60_000 }, async () => {
  const total = 10_000;
  const js = writerConnection.jetstream();
  const acks = [];
  for (let i = 0; i < total; i++) acks.push(js.publish(logSubject('default', 'web', 'backlog'), new TextEncoder().encode(`line ${i}`)));
  await Promise.all(acks);

  const texts: string[] = [];
  let caughtUp = 0;
  for await (const line of readContainerLog(readerConnection, { namespace: 'default', pod: 'web', container: 'backlog', follow: false }, () => caughtUp++)) {
    texts.push(line.text);
    // Slower than the stream: the tail's buffer fills, it pauses and resumes at its cursor.
    if (texts.length % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(caughtUp, 1, 'caught up once');
  assert.equal(texts.length, total, 'every stored line, once');
  assert.ok(
    texts.every((text, i) => text === `line ${i}`),
    'in the order written',
  );
});

it('follows on after the server holding its consumer is killed and stays down', { timeout: 120_000 }, async () => {
  const seen: StoredLogLine[] = [];
  const acknowledged: number[] = [];
  const controller = new AbortController();
  let caughtUp = false;
  const reading = (async () => {
    for await (const line of readContainerLog(readerConnection, { namespace: 'default', pod: 'web', container: 'main', follow: true, signal: controller.signal }, () => (caughtUp = true))) {
      seen.push(line);
    }
  })();

  let running = true;
  let n = 0;
  const writer = (async () => {
    while (running) {
      const seq = await writeLine('main', `line ${n++}`);
      if (seq !== undefined) acknowledged.push(seq);
    }
  })();

  try {
    await eventually(() => (caughtUp && seen.length >= 100 ? true : undefined), 30_000, 'the follow under way');
    const jsm = await writerConnection.jetstreamManager();
    const consumers = await jsm.consumers.list(LOGS_STREAM).next();
    assert.equal(consumers.length, 1, 'the reader has one consumer');
    const host = consumers[0]!.cluster?.leader;
    assert.ok(host, 'the consumer has a server');
    await cluster.members.find((m) => m.serverName === host)!.kill();

    const countAtKill = acknowledged.length;
    await eventually(() => (acknowledged.length >= countAtKill + 300 ? true : undefined), 60_000, '300 lines written after the kill');
    running = false;
    await writer;
    const last = acknowledged.at(-1)!;
    await eventually(() => (seen.at(-1)?.seq === last ? true : undefined), 45_000, `the reader reaching line ${last} with ${host} down`);
  } finally {
    running = false;
    await writer;
    controller.abort();
    await reading;
  }

  const seqs = seen.map((line) => line.seq);
  assert.ok(
    seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!),
    'each line once, in order',
  );
  const read = new Set(seqs);
  assert.deepEqual(
    acknowledged.filter((seq) => !read.has(seq)),
    [],
    'every acknowledged line was read',
  );
});
