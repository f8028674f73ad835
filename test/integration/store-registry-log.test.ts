/**
 * RegistryLog against a real nats-server: the stream is ensured idempotently, appends are
 * compare-and-sets whose conflicts carry the current sequence, msgId retries are applied
 * once, reads end where they should and honour filters, direct gets find last entries,
 * and garbage in the stream is skipped and counted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { SequenceGapError, WrongLastSequenceError } from '../../streams/errors.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { ensureRegistryStream, purgeRegistryStream, REGISTRY_MAX_MSG_SIZE } from '../../streams/registry-stream.ts';
import { REGISTRY, registrySubject, type RegistryNames } from '../../streams/subjects.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { collect } from '../support/collect.ts';

let nats: TestNats;
let nc: NatsConnection;
let n = 0;

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'store-registry-log-test');
});
after(async () => {
  await drainNats(nc);
  await nats.dispose();
});

/** A fresh log (own stream and subject prefix) per test. */
async function freshLog(): Promise<RegistryLog> {
  n++;
  return RegistryLog.open(nc, { stream: `T${n}`, prefix: `t${n}` });
}

function cm(name: string, value = '', namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { value } };
}
const key = (name: string, namespace = 'default', resource = 'configmaps') => ({ resource, namespace, name });

describe('registry stream', () => {
  it('is created with the registry configuration, idempotently, even by two callers at once', async () => {
    const other = await connectNats(nats.url, 'second-process');
    try {
      const [a, b] = await Promise.all([ensureRegistryStream(nc), ensureRegistryStream(other)]);
      assert.equal(a.config.name, 'REGISTRY');
      assert.deepEqual(b.config.subjects, ['registry.>']);
      const info = await ensureRegistryStream(nc);
      assert.equal(info.config.storage, 'file');
      assert.equal(info.config.max_msgs_per_subject, -1);
      assert.equal(info.config.max_msg_size, REGISTRY_MAX_MSG_SIZE);
      assert.equal(info.config.duplicate_window, 120_000_000_000);
      assert.equal(info.config.allow_direct, true);
      assert.equal(info.config.discard, 'old');
    } finally {
      await drainNats(other);
    }
  });

  it('updates a stream whose configuration drifted', async () => {
    const names: RegistryNames = { stream: 'DRIFT', prefix: 'drift' };
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'DRIFT', subjects: ['drift.>'], max_msg_size: 1024 });
    const info = await ensureRegistryStream(nc, names);
    assert.equal(info.config.max_msg_size, REGISTRY_MAX_MSG_SIZE);
    assert.equal(info.config.allow_direct, true);
  });
});

describe('append', () => {
  it('creates with expected 0, and a second create conflicts with the current seq', async () => {
    const log = await freshLog();
    const first = await log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: 0 });
    assert.equal(first.seq, 1);
    assert.equal(first.duplicate, false);
    await log.append(key('b'), { type: 'ADDED', object: cm('b') }, { expectedLastSubjectSeq: 0 });
    await assert.rejects(
      log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: 0 }),
      (error: unknown) => error instanceof WrongLastSequenceError && error.currentSeq === 1 && error.expectedSeq === 0,
    );
  });

  it('an update with a stale seq conflicts and stores nothing', async () => {
    const log = await freshLog();
    const created = await log.append(key('a'), { type: 'ADDED', object: cm('a', '1') }, { expectedLastSubjectSeq: 0 });
    const updated = await log.append(key('a'), { type: 'MODIFIED', object: cm('a', '2') }, { expectedLastSubjectSeq: created.seq });
    await assert.rejects(
      log.append(key('a'), { type: 'MODIFIED', object: cm('a', 'stale') }, { expectedLastSubjectSeq: created.seq }),
      (error: unknown) => error instanceof WrongLastSequenceError && error.currentSeq === updated.seq,
    );
    assert.equal((await log.bounds()).lastSeq, updated.seq);
  });

  it('a create after a delete expects the tombstone seq, not 0', async () => {
    const log = await freshLog();
    const created = await log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: 0 });
    const tombstone = await log.append(key('a'), { type: 'DELETED', object: cm('a') }, { expectedLastSubjectSeq: created.seq });
    await assert.rejects(
      log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: 0 }),
      (error: unknown) => error instanceof WrongLastSequenceError && error.currentSeq === tombstone.seq,
    );
    const again = await log.append(key('a'), { type: 'ADDED', object: cm('a', 'again') }, { expectedLastSubjectSeq: tombstone.seq });
    assert.equal(again.seq, tombstone.seq + 1);
  });

  it('a retry with the same msgId is stored once and answers duplicate with the original seq', async () => {
    const log = await freshLog();
    const first = await log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: 0, msgId: 'req-1' });
    const retry = await log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: 0, msgId: 'req-1' });
    assert.deepEqual(retry, { seq: first.seq, duplicate: true });
    const other = await log.append(key('b'), { type: 'ADDED', object: cm('b') }, { expectedLastSubjectSeq: 0, msgId: 'req-2' });
    assert.equal(other.seq, first.seq + 1);
    assert.equal((await log.bounds()).lastSeq, other.seq);
  });

  it('refuses a negative or fractional expected seq before sending anything', async () => {
    const log = await freshLog();
    await assert.rejects(log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: -1 }));
    await assert.rejects(log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: 0.5 }));
    assert.equal((await log.bounds()).lastSeq, 0);
  });
});

describe('read', () => {
  it('reads ranges in order, stamped with resourceVersion and time, honouring filters', async () => {
    const log = await freshLog();
    const t0 = Date.now();
    const seqOf = new Map<string, number>();
    const write = async (type: LogEntry['type'], name: string, namespace: string, resource = 'configmaps') => {
      const id = `${resource}/${namespace}/${name}`;
      const { seq } = await log.append(key(name, namespace, resource), { type, object: cm(name, type, namespace) }, { expectedLastSubjectSeq: seqOf.get(id) ?? 0 });
      seqOf.set(id, seq);
    };
    await write('ADDED', 'a', 'x');
    await write('ADDED', 'b', 'y');
    await write('ADDED', 'n1', '', 'nodes');
    await write('MODIFIED', 'a', 'x');
    await write('ADDED', 'c', 'x');
    await write('DELETED', 'b', 'y');

    const all = await collect(log.read({ fromSeq: 1 }));
    assert.deepEqual(all.map((e) => e.seq), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(all.map((e) => e.type), ['ADDED', 'ADDED', 'ADDED', 'MODIFIED', 'ADDED', 'DELETED']);
    assert.deepEqual(all[2]!.key, { resource: 'nodes', namespace: '', name: 'n1' });
    for (const e of all) {
      assert.equal(e.object.metadata.resourceVersion, String(e.seq));
      assert.ok(e.time >= t0 - 1000 && e.time <= Date.now() + 1000, 'time comes from the stored timestamp');
    }
    assert.deepEqual((await collect(log.read({ fromSeq: 2, toSeq: 4 }))).map((e) => e.seq), [2, 3, 4]);
    assert.deepEqual((await collect(log.read({ fromSeq: 1, filter: { resource: 'configmaps' } }))).map((e) => e.seq), [1, 2, 4, 5, 6]);
    assert.deepEqual((await collect(log.read({ fromSeq: 1, filter: { resource: 'configmaps', namespace: 'x' } }))).map((e) => e.seq), [1, 4, 5]);
    assert.deepEqual((await collect(log.read({ fromSeq: 2, toSeq: 4, filter: { resource: 'configmaps', namespace: 'x' } }))).map((e) => e.seq), [4]);
    assert.deepEqual(await collect(log.read({ fromSeq: 1, filter: { resource: 'secrets' } })), [], 'nothing matches: ends at once');
    assert.deepEqual(await collect(log.read({ fromSeq: 7 })), [], 'past the end: empty, not waiting');
    assert.deepEqual((await collect(log.read({ fromSeq: 5, toSeq: 100 }))).map((e) => e.seq), [5, 6], 'toSeq beyond the end');
    assert.deepEqual(await collect(log.read({ fromSeq: 4, toSeq: 3 })), []);
    assert.deepEqual(await collect(log.read({ fromSeq: 6, filter: { resource: 'nodes' } })), [], 'the only match is before fromSeq');
  });

  it('ends at the last seq when iteration starts, not at later writes', async () => {
    const log = await freshLog();
    for (let i = 0; i < 5; i++) await log.append(key(`k${i}`), { type: 'ADDED', object: cm(`k${i}`) }, { expectedLastSubjectSeq: 0 });
    const seen: number[] = [];
    for await (const entry of log.read({ fromSeq: 1 })) {
      seen.push(entry.seq);
      if (entry.seq === 1) await log.append(key('late'), { type: 'ADDED', object: cm('late') }, { expectedLastSubjectSeq: 0 });
    }
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  });

  it('a slow reader of a long range gets every entry exactly once (the consumer pauses and resumes)', async () => {
    const log = await freshLog();
    const total = 20_000;
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      batch.push(log.append(key(`p${i}`), { type: 'ADDED', object: cm(`p${i}`) }, { expectedLastSubjectSeq: 0 }));
      if (batch.length === 500) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    let expected = 1;
    for await (const entry of log.read({ fromSeq: 1 })) {
      assert.equal(entry.seq, expected++);
      if (entry.seq % 2000 === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(expected, total + 1);
  });

  it('a reader that stops early releases its consumer', async () => {
    const log = await freshLog();
    for (let i = 0; i < 3; i++) await log.append(key(`k${i}`), { type: 'ADDED', object: cm(`k${i}`) }, { expectedLastSubjectSeq: 0 });
    for await (const entry of log.read({ fromSeq: 1 })) if (entry.seq === 2) break;
    const jsm = await nc.jetstreamManager();
    const deadline = Date.now() + 5_000;
    while ((await jsm.streams.info(log.names.stream)).state.consumer_count > 0) {
      assert.ok(Date.now() < deadline, 'the consumer was not deleted');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});

describe('direct reads', () => {
  it('lastEntry finds a subject\'s newest message, tombstones included; entryAt finds a seq', async () => {
    const log = await freshLog();
    assert.equal(await log.lastEntry(key('a')), undefined);
    const created = await log.append(key('a'), { type: 'ADDED', object: cm('a', '1') }, { expectedLastSubjectSeq: 0 });
    await log.append(key('b'), { type: 'ADDED', object: cm('b') }, { expectedLastSubjectSeq: 0 });
    const updated = await log.append(key('a'), { type: 'MODIFIED', object: cm('a', '2') }, { expectedLastSubjectSeq: created.seq });
    const last = await log.lastEntry(key('a'));
    assert.equal(last?.seq, updated.seq);
    assert.equal(last?.type, 'MODIFIED');
    assert.deepEqual(last?.key, key('a'));
    assert.equal(last?.object.metadata.resourceVersion, String(updated.seq));
    assert.ok(Math.abs(last!.time - Date.now()) < 60_000);
    const gone = await log.append(key('a'), { type: 'DELETED', object: cm('a', '2') }, { expectedLastSubjectSeq: updated.seq });
    assert.equal((await log.lastEntry(key('a')))?.type, 'DELETED');
    assert.equal((await log.lastEntry(key('a')))?.seq, gone.seq);
    assert.equal((await log.entryAt(2))?.key.name, 'b');
    assert.equal(await log.entryAt(99), undefined);
  });
});

describe('garbage in the log', () => {
  it('is skipped and counted by read, follow and lastEntry, never crashing them', async () => {
    const log = await freshLog();
    await log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: 0 });
    const js = nc.jetstream();
    await js.publish(registrySubject(key('junk'), log.names), new TextEncoder().encode('not msgpack at all'));
    await js.publish(`${log.names.prefix}.configmaps.default.bad~zz`, new Uint8Array([0x80]));
    await js.publish(`${log.names.prefix}.too.few`, new Uint8Array([0x80]));
    await log.append(key('b'), { type: 'ADDED', object: cm('b') }, { expectedLastSubjectSeq: 0 });
    const read = await collect(log.read({ fromSeq: 1 }));
    assert.deepEqual(read.map((e) => e.seq), [1, 5]);
    assert.equal(log.stats.malformed, 3);
    assert.equal(await log.lastEntry(key('junk')), undefined);
    assert.equal(log.stats.malformed, 4);

    const followed: number[] = [];
    const errors: Error[] = [];
    const handle = log.follow({ fromSeq: 1 }, (e) => followed.push(e.seq), (e) => errors.push(e));
    const deadline = Date.now() + 5_000;
    while (handle.lastSeq < 5) {
      assert.ok(Date.now() < deadline, 'follow did not get past the garbage');
      await new Promise((r) => setTimeout(r, 10));
    }
    await handle.stop();
    assert.deepEqual(followed, [1, 5]);
    assert.deepEqual(errors, []);
  });
});

describe('follow', () => {
  it('tails from a seq, in order, through later writes, and stops', async () => {
    const log = await freshLog();
    await log.append(key('a'), { type: 'ADDED', object: cm('a') }, { expectedLastSubjectSeq: 0 });
    await log.append(key('b'), { type: 'ADDED', object: cm('b') }, { expectedLastSubjectSeq: 0 });
    const seen: LogEntry[] = [];
    const errors: Error[] = [];
    let wake: (() => void) | undefined;
    const handle = log.follow({ fromSeq: 2, filter: { resource: 'configmaps' } }, (e) => {
      seen.push(e);
      wake?.();
    }, (e) => errors.push(e));
    const waitFor = async (count: number) => {
      while (seen.length < count) await new Promise<void>((resolve) => (wake = resolve));
    };
    await log.append(key('c'), { type: 'ADDED', object: cm('c') }, { expectedLastSubjectSeq: 0 });
    await log.append(key('n', '', 'nodes'), { type: 'ADDED', object: cm('n', '', '') }, { expectedLastSubjectSeq: 0 });
    await log.append(key('d'), { type: 'ADDED', object: cm('d') }, { expectedLastSubjectSeq: 0 });
    await waitFor(3);
    assert.deepEqual(seen.map((e) => [e.seq, e.key.name]), [[2, 'b'], [3, 'c'], [5, 'd']]);
    await handle.stop();
    await log.append(key('e'), { type: 'ADDED', object: cm('e') }, { expectedLastSubjectSeq: 0 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.length, 3, 'nothing after stop');
    assert.deepEqual(errors, []);
    assert.equal(handle.lastSeq, 5);
  });

  it('reports a jump in sequences on an unfiltered follow (a purged prefix it should have had)', async () => {
    const log = await freshLog();
    for (let i = 0; i < 3; i++) await log.append(key(`k${i}`), { type: 'ADDED', object: cm(`k${i}`) }, { expectedLastSubjectSeq: 0 });
    await purgeRegistryStream(nc, log.names);
    const seen: number[] = [];
    const errors: Error[] = [];
    const handle = log.follow({ fromSeq: 2 }, (e) => seen.push(e.seq), (e) => errors.push(e));
    await log.append(key('k9'), { type: 'ADDED', object: cm('k9') }, { expectedLastSubjectSeq: 0 });
    const deadline = Date.now() + 5_000;
    while (seen.length < 1) {
      assert.ok(Date.now() < deadline, 'the entry after the purge never came');
      await new Promise((r) => setTimeout(r, 10));
    }
    await handle.stop();
    assert.deepEqual(seen, [4]);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof SequenceGapError);
    assert.equal(errors[0].expectedSeq, 2);
    assert.equal(errors[0].gotSeq, 4);
  });

  it('the default names are the registry\'s', () => {
    assert.equal(new RegistryLog(nc).names, REGISTRY);
  });
});
