/**
 * --audit-policy-file on a real API server: the trail keeps what the policy keeps. The
 * policy drops ConfigMap writes and records Secret writes; after a ConfigMap create and
 * then a Secret create, the trail holds the Secret's record and no ConfigMap record
 * before it. A policy file that asks for request bodies, or is no Policy, stops the API
 * server's start (and jetkube up's) with its name.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Actor } from 'xstate';
import type { apiServerMachine } from '../../actors/apiserver.machine.ts';
import { connectToLog } from '../../src/apiserver/effects.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { readAuditEvents } from '../../streams/audit-stream.ts';
import { createActor, toPromise } from 'xstate';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT, freePort } from '../../src/natsd/server.ts';
import { startApiServer, stopApiServer } from '../support/cluster.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let dir: string;
let apiserver: Actor<typeof apiServerMachine>;
let client: ApiClient;

before(async () => {
  nats = await startTestNats();
  dir = await mkdtemp(join(tmpdir(), 'jetkube-audit-policy-'));
  const policy = join(dir, 'audit-policy.yaml');
  await writeFile(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: None\n    resources: [{ group: "", resources: ["configmaps"] }]\n  - level: Metadata\n');
  apiserver = await startApiServer(nats.url, 'apiserver', { auditPolicyFile: policy });
  client = await ApiClient.connect(nats.url, 'audit-policy-test');
});

after(async () => {
  await client?.close();
  if (apiserver) await stopApiServer(apiserver);
  await nats?.dispose();
  await rm(dir, { recursive: true, force: true });
});

it('records the writes the policy keeps and none it drops', async () => {
  await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dropped', namespace: 'default' }, data: { a: 'b' } });
  await client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kept', namespace: 'default' }, stringData: { a: 'b' } });
  const seen: string[] = [];
  const controller = new AbortController();
  for await (const { event } of readAuditEvents(client.nc, { follow: true, signal: controller.signal })) {
    seen.push(`${event.verb} ${event.objectRef?.resource}/${event.objectRef?.name}`);
    if (event.objectRef?.name === 'kept') break;
  }
  controller.abort();
  assert.ok(seen.includes('create secrets/kept'), seen.join(', '));
  assert.ok(!seen.some((s) => s.startsWith('create configmaps/')), `no ConfigMap write recorded: ${seen.join(', ')}`);
});

it('refuses to start on a policy that asks for bodies, naming the file', async () => {
  const file = join(dir, 'bodies.yaml');
  await writeFile(file, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: RequestResponse }]\n');
  const connect = createActor(connectToLog, { input: { natsUrl: nats.url, name: 'refused', auditPolicyFile: file } });
  connect.start();
  await assert.rejects(toPromise(connect), (error: Error) => error.message.includes(file) && /level RequestResponse is not supported/.test(error.message));
});

it('jetkube up stops before starting anything on a policy that does not read, naming the file', async () => {
  const file = join(dir, 'not-a-policy.yaml');
  await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\n');
  const port = await freePort();
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src/cli/main.ts'), 'up', '--data-dir', join(dir, 'up'), '--nats-url', `nats://127.0.0.1:${port}`, '--audit-policy-file', file], { timeout: 60_000 });
  await assert.rejects(run, (error: { code?: number; stderr?: string }) => error.code === 1 && String(error.stderr).includes(file) && /expected apiVersion audit.k8s.io\/v1 and kind Policy/.test(String(error.stderr)));
});
