/**
 * A write the log does not acknowledge in time: nats-server is paused (SIGSTOP) while the
 * API server's append is in flight. The API server answers 504 Timeout (clients retry it),
 * not 500; the append, still in the socket, is stored when the server resumes, and the
 * retry with the same request id is recognised as the same write: one entry in the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { StatusError } from '../../src/api/errors.ts';
import { OwnWrites } from '../../src/apiserver/own-writes.ts';
import { appendChange } from '../../src/apiserver/write.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let nc: NatsConnection;

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'append-timeout-test');
});
after(async () => {
  nats.process.kill('SIGCONT');
  await drainNats(nc);
  await nats.dispose();
});

const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { a: '1' } };
const key = { resource: 'configmaps', namespace: 'default', name: 'settings' };

async function collect(iterable: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

describe('a write the log does not acknowledge in time', () => {
  it('is a 504 Timeout, and its retry with the same request id is stored once', async () => {
    const log = await RegistryLog.open(nc);
    const deps = { log, ownWrites: new OwnWrites(() => 0), appendTimeoutMs: 400 };

    nats.process.kill('SIGSTOP');
    const refused = await appendChange(deps, key, 'ADDED', configMap, 0, 'request-1').then(
      () => assert.fail('the append was acknowledged by a paused server'),
      (error: unknown) => error,
    );
    nats.process.kill('SIGCONT');

    assert.ok(refused instanceof StatusError, `expected a StatusError, got ${String(refused)}`);
    assert.equal(refused.code, 504);
    assert.equal(refused.reason, 'Timeout');
    assert.match(refused.message, /ConfigMap "settings" within 0.4 s; it may have been stored\. A retry of the same request is applied at most once/);

    const retried = await appendChange({ ...deps, appendTimeoutMs: 10_000 }, key, 'ADDED', configMap, 0, 'request-1');
    assert.ok(retried.written);
    assert.equal(retried.duplicate, true, 'the paused append was stored on resume; the retry must be recognised as it');

    const { lastSeq } = await log.bounds();
    const entries = await collect(log.read({ fromSeq: 1, toSeq: lastSeq }));
    assert.deepEqual(
      entries.map((e) => [e.seq, e.type, e.object.metadata.name]),
      [[retried.seq, 'ADDED', 'settings']],
    );
  });

  it('without a request id says to read the object back rather than promising a safe retry', async () => {
    const log = await RegistryLog.open(nc);
    nats.process.kill('SIGSTOP');
    const refused = await appendChange({ log, ownWrites: new OwnWrites(() => 0), appendTimeoutMs: 400 }, { ...key, name: 'other' }, 'ADDED', { ...configMap, metadata: { name: 'other', namespace: 'default' } }, 0).then(
      () => assert.fail('the append was acknowledged by a paused server'),
      (error: unknown) => error,
    );
    nats.process.kill('SIGCONT');
    assert.ok(refused instanceof StatusError);
    assert.equal(refused.code, 504);
    assert.match(refused.message, /Read the object back before writing it again/);
  });
});
