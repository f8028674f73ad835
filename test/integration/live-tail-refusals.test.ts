/**
 * A live tail refused for good ends with that refusal instead of retrying forever.
 * Expected: reading a stream that does not exist fails with what to do next; a
 * connection whose user may not touch JetStream (a kubelet's, on a secured server) gets
 * the permissions violation; and a "since" read starts at the first record stored at or
 * after that time.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { auditEvent } from '../../src/audit/event.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { auditPublisher, ensureAuditStream, readAuditEvents } from '../../streams/audit-stream.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let admin: NatsConnection;
let kubelet: NatsConnection;

before(async () => {
  nats = await startTestNats({ secured: true });
  admin = await connectNats(nats.urlAs('admin'), 'refusal-admin', { credentialsDir: nats.credentialsDir });
  kubelet = await connectNats(nats.urlAs('kubelet'), 'refusal-kubelet', { credentialsDir: nats.credentialsDir });
});

after(async () => {
  for (const nc of [admin, kubelet]) if (nc) await drainNats(nc).catch(() => {});
  await nats?.dispose();
});

async function readAll(nc: NatsConnection, since?: Date): Promise<string[]> {
  const names: string[] = [];
  for await (const { event } of readAuditEvents(nc, { follow: false, ...(since ? { since } : {}) })) names.push(event.objectRef?.name ?? '');
  return names;
}

it('fails a read of a stream that does not exist, saying what creates it', { timeout: 20_000 }, async () => {
  await assert.rejects(readAll(admin), /no AUDIT stream on this NATS server yet/);
});

it('fails a read the connection may not make with the permissions violation', { timeout: 20_000 }, async () => {
  await ensureAuditStream(admin);
  await assert.rejects(readAll(kubelet), /permission/i);
});

it('starts a read since a time at the first record stored then', { timeout: 20_000 }, async () => {
  const publisher = auditPublisher(admin);
  const publish = (name: string) =>
    new Promise<void>((resolve, reject) => {
      const at = new Date();
      const event = auditEvent({ auditID: name, request: { verb: 'create', resource: 'pods', namespace: 'default', name }, outcome: { reply: { ok: true, code: 201, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name } } } }, receivedAt: at, completedAt: at });
      publisher.publish(event, 'pods', (error) => (error ? reject(error) : resolve()));
    });
  try {
    await publish('before');
    await new Promise((resolve) => setTimeout(resolve, 20)); // stored times are the server's clock, to the millisecond or finer
    const since = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await publish('after-1');
    await publish('after-2');
    assert.deepEqual(await readAll(admin, since), ['after-1', 'after-2']);
    assert.deepEqual(await readAll(admin), ['before', 'after-1', 'after-2']);
  } finally {
    publisher.close();
  }
});
