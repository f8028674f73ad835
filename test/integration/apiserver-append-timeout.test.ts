/**
 * The log does not answer in time: nats-server is paused (SIGSTOP) while the API server
 * waits on it. A write answers 504 Timeout (clients retry it), not 500; the append, still
 * in the socket, is stored when the server resumes, and the retry with the same request id
 * is recognised as the same write: one entry in the log. A consistent read whose question
 * to the log times out is a 504 through the whole pipeline too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { StatusError } from '../../src/api/errors.ts';
import { createApiDeps } from '../../src/apiserver/deps.ts';
import { OwnWrites } from '../../src/apiserver/own-writes.ts';
import { createPipeline } from '../../src/apiserver/pipeline.ts';
import { appendChange } from '../../src/apiserver/write.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { WatchCache } from '../../src/store/watch-cache.ts';
import { componentLogger } from '../../src/log.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { ensureRegistryStream } from '../../streams/registry-stream.ts';
import { REGISTRY } from '../../streams/subjects.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { pauseProcess, resumeProcess } from '../support/pause-process.ts';
import { collect } from '../support/collect.ts';

let nats: TestNats;
let nc: NatsConnection;

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'append-timeout-test');
});
after(async () => {
  await drainNats(nc);
  await nats.dispose();
});

const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { a: '1' } };
const key = { resource: 'configmaps', namespace: 'default', name: 'settings' };

/** A log that waits 0.4 s for nats-server's answers (20 s in service). */
async function pausable(): Promise<RegistryLog> {
  await ensureRegistryStream(nc);
  return new RegistryLog(nc, REGISTRY, undefined, { answerTimeoutMs: 400 });
}

/** What `call` settles with (its error, or an assertion failure if it succeeds) while nats-server is paused. */
async function refusedWhilePaused(call: () => Promise<unknown>, what: string): Promise<unknown> {
  await pauseProcess(nats.process.pid!);
  try {
    await call();
  } catch (error) {
    return error;
  } finally {
    resumeProcess(nats.process.pid!);
  }
  return assert.fail(`${what} was answered while nats-server was paused`);
}

describe('a write the log does not acknowledge in time', () => {
  it('is a 504 Timeout, and its retry with the same request id is stored once', async () => {
    const log = await pausable();
    const deps = { log, ownWrites: new OwnWrites(() => 0) };

    const refused = await refusedWhilePaused(() => appendChange(deps, key, 'ADDED', configMap, 0, 'request-1'), 'the append');

    assert.ok(refused instanceof StatusError, `expected a StatusError, got ${String(refused)}`);
    assert.equal(refused.code, 504);
    assert.equal(refused.reason, 'Timeout');
    assert.match(refused.message, /ConfigMap "settings" in time; it may have been stored\. A retry of the same request is applied at most once/);

    const retried = await appendChange(deps, key, 'ADDED', configMap, 0, 'request-1');
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
    const log = await pausable();
    const other = { ...configMap, metadata: { name: 'other', namespace: 'default' } };
    const refused = await refusedWhilePaused(() => appendChange({ log, ownWrites: new OwnWrites(() => 0) }, { ...key, name: 'other' }, 'ADDED', other, 0), 'the append');
    assert.ok(refused instanceof StatusError);
    assert.equal(refused.code, 504);
    assert.match(refused.message, /Read the object back before writing it again/);
  });

  it('is a 504 Timeout for a consistent read too (the question to the log), through the pipeline', async () => {
    const store = new ObjectStore();
    const pipeline = createPipeline(createApiDeps({ log: await pausable(), store, watchCache: new WatchCache(store), logger: componentLogger('append-timeout-test') }));
    const refused = await refusedWhilePaused(() => pipeline.handle({ verb: 'list', resource: 'configmaps', namespace: 'default' }), 'a consistent list');
    assert.ok(refused instanceof StatusError, `expected a StatusError, got ${String(refused)}`);
    assert.equal(refused.code, 504);
    // The log's first question is nats.js's JetStream API check, then the stream info.
    assert.match(refused.message, /^Timeout: the log did not answer in time \((JetStream API check|stream info REGISTRY)\)/);
  });
});
