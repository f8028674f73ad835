/**
 * Kill the API server (SIGKILL, a separate process) while a client creates objects, then
 * start it again: the client retries unanswered writes with the same request id, and in
 * the end every acknowledged create is in the log exactly once, and every object the
 * client meant to create exists once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { untilServing } from '../../src/client/until-serving.ts';
import { PROJECT_ROOT } from '../../src/natsd/server.ts';
import { connectNats, drainNats } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let client: ApiClient;
let server: ChildProcess | undefined;

function startServerProcess(url: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'apiserver', '--nats-url', url, '--name', 'crashy'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
}

before(async () => {
  nats = await startTestNats();
  client = await ApiClient.connect(nats.url, 'crash-client', { timeoutMs: 1_000, writeAttempts: 1 });
  server = startServerProcess(nats.url);
  await untilServing(client);
});

after(async () => {
  server?.kill('SIGKILL');
  await client.close();
  await nats.dispose();
});

it('loses no acknowledged create and applies none twice across a kill -9', async () => {
  const total = 300;
  const killAt = 120;
  const acked = new Set<string>();
  let killed = false;
  for (let i = 0; i < total; i++) {
    const name = `cm-${i}`;
    const requestId = randomUUID();
    for (;;) {
      try {
        await client.send({
          verb: 'create',
          resource: 'configmaps',
          namespace: 'default',
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } },
          requestId,
        });
        acked.add(name);
        break;
      } catch (error) {
        if (!(error instanceof StatusError && (error.code === 503 || error.code === 504))) throw error;
        // No answer: the server is down. The retry carries the same request id.
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (i === killAt && !killed) {
      killed = true;
      // Kill it with the next request in flight, then bring it back.
      const inFlight = client.send({
        verb: 'create',
        resource: 'configmaps',
        namespace: 'default',
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'in-flight' } },
        requestId: 'in-flight-request',
      }).catch((error: unknown) => error);
      server!.kill('SIGKILL');
      await once(server!, 'exit');
      await inFlight;
      server = startServerProcess(nats.url);
      await untilServing(client);
    }
  }
  assert.ok(killed, 'the server was killed mid-run');
  assert.equal(acked.size, total);

  const nc = await connectNats(nats.url, 'crash-verify');
  try {
    const log = new RegistryLog(nc);
    const { lastSeq } = await log.bounds();
    const adds = new Map<string, number>();
    for await (const entry of log.read({ fromSeq: 1, toSeq: lastSeq })) {
      if (entry.key.resource !== 'configmaps' || entry.type !== 'ADDED') continue;
      adds.set(entry.key.name, (adds.get(entry.key.name) ?? 0) + 1);
    }
    for (const name of acked) assert.equal(adds.get(name), 1, `${name} was added ${adds.get(name) ?? 0} times`);
    assert.ok((adds.get('in-flight') ?? 0) <= 1);
  } finally {
    await drainNats(nc);
  }
  const listed = await client.list('configmaps', 'default');
  assert.equal(listed.items.filter((i) => i.metadata.name?.startsWith('cm-')).length, total);
});
