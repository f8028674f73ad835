/**
 * `jetkube audit`, spawned with tsx against a real cluster whose HTTPS face took an
 * allowed create, a 403, a 422, a 409, a 401 and a delete: a table filtered by user, JSON
 * lines filtered on the server (verb, resource, namespace) and here (code class, since),
 * nothing found, and -f following a new write until interrupted.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/audit/event.ts';
import { PROJECT_ROOT } from '../../src/natsd/server.ts';
import { addAlice, call, configMap, makeAuditedWrites } from '../support/audit-writes.ts';
import { eventually } from '../support/cluster.ts';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

let cluster: HttpTestCluster;

function jetkube(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--nats-url', cluster.nats.url], { cwd: PROJECT_ROOT, timeout: 30_000, env: { ...process.env, LOG_LEVEL: 'warn' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('jetkube audit', () => {
  before(async () => {
    cluster = await startHttpTestCluster();
    await addAlice(cluster);
    await makeAuditedWrites(cluster);
  });

  after(async () => {
    await cluster?.dispose();
  });

  it('prints a table of the records, filtered by user', async () => {
    const { code, stdout, stderr } = await eventually(async () => {
      const result = await jetkube('audit', '--user', 'alice');
      return result.stdout.includes('by-alice') ? result : undefined;
    }, 20_000, 'alice in the audit table');
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.match(lines[0]!, /^TIME\s+USER\s+VERB\s+RESOURCE\s+NAME\s+CODE\s+LATENCY$/);
    assert.equal(lines.length, 2, stdout);
    assert.match(lines[1]!, /^\d{4}-\d\d-\d\dT\S+Z\s+alice\s+create\s+configmaps\s+default\/by-alice\s+403\s+[\d.]+m?s$/);
  });

  it('prints JSON lines filtered by code class, verb, resource, namespace and age', async () => {
    const { code, stdout, stderr } = await jetkube('audit', '-o', 'json', '--code', '4xx', '--verb', 'create', '--resource', 'cm', '-n', 'default', '--since', '1h');
    assert.equal(code, 0, stderr);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as AuditEvent);
    assert.deepEqual(events.map((e) => e.responseStatus.code).sort(), [401, 403, 409, 422]);
    assert.ok(events.every((e) => e.kind === 'Event' && e.apiVersion === 'audit.k8s.io/v1'));
  });

  it('says so when nothing matches', async () => {
    const none = await jetkube('audit', '--verb', 'patch');
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /No audit records found/);
  });

  it('follows new records with -f until interrupted', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', '-f', '--resource', 'configmaps', '--user', 'admin', '--nats-url', cluster.nats.url], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await eventually(() => stdout.includes('default/allowed'), 20_000, 'the stored records');
      assert.equal((await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', cluster.pki.adminToken, configMap('followed'))).status, 201);
      await eventually(() => stdout.includes('default/followed'), 10_000, 'the new record');
      assert.match(stdout, /admin\s+create\s+configmaps\s+default\/followed\s+201/);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
  });
});
