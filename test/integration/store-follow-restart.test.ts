/**
 * A follower of the log survives its nats-server going away (a clean stop, and a kill -9)
 * and coming back on the same port and store dir: it sees every entry exactly once, in
 * order, with no gap, and needs no help from its owner.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { LogError } from '../../streams/errors.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let nc: NatsConnection;

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'store-follow-restart-test');
});
after(async () => {
  await drainNats(nc);
  await nats.dispose();
});

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Append one new object, retrying through the outage with the same msgId so it is stored once. */
async function appendThrough(log: RegistryLog, name: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { seq } = await log.append(
        { resource: 'configmaps', namespace: 'default', name },
        { type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } } },
        { expectedLastSubjectSeq: 0, msgId: `create-${name}`, timeoutMs: 1_000 },
      );
      return seq;
    } catch (error) {
      if (!(error instanceof LogError) || attempt > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

for (const how of ['stop', 'kill'] as const) {
  it(`follow survives a nats-server ${how} and restart without gap or duplicate`, async () => {
    const log = await RegistryLog.open(nc, { stream: `RESTART_${how.toUpperCase()}`, prefix: `restart${how}` });
    const seen: LogEntry[] = [];
    const errors: Error[] = [];
    const handle = log.follow({ fromSeq: 1 }, (e) => seen.push(e), (e) => errors.push(e));
    try {
      for (let i = 0; i < 30; i++) await appendThrough(log, `before-${i}`);
      await until(() => seen.length === 30, 'the first 30 entries');

      if (how === 'stop') await nats.stop();
      else await nats.kill();
      // Writes while the server is down wait in appendThrough; start them now.
      const during = (async () => {
        for (let i = 0; i < 5; i++) await appendThrough(log, `during-${i}`);
      })();
      nats = await nats.restart();
      await during;
      for (let i = 0; i < 30; i++) await appendThrough(log, `after-${i}`);

      const { lastSeq } = await log.bounds();
      assert.equal(lastSeq, 65, 'each write stored once');
      await until(() => handle.lastSeq === lastSeq, `the follower to reach ${lastSeq}`);
      assert.deepEqual(seen.map((e) => e.seq), Array.from({ length: 65 }, (_, i) => i + 1));
      assert.deepEqual(
        seen.map((e) => e.key.name),
        [...Array.from({ length: 30 }, (_, i) => `before-${i}`), ...Array.from({ length: 5 }, (_, i) => `during-${i}`), ...Array.from({ length: 30 }, (_, i) => `after-${i}`)],
      );
      assert.equal(log.stats.gaps, 0);
      assert.deepEqual(errors, []);
    } finally {
      await handle.stop();
    }
  });
}
