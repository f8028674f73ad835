/**
 * `jetkube up` as `npm start` runs it, on a fresh data dir: it makes the NATS users' keys,
 * starts nats-server with per-component users and permissions, and the cluster serves
 * kubectl (a Deployment reaches its ready replicas on a simulated node). The server
 * admits no anonymous connection, the jetkube CLI connects as the admin with the data
 * dir's credentials, and the server logged no permission violation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, isListening } from '../../src/natsd/server.ts';
import { connectNats } from '../../streams/connection.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { natsUrlFrom } from '../../src/cli/flags.ts';
import { eventually } from '../support/cluster.ts';
import { startJetkubeUp, type RunningUp } from '../support/jetkube-up.ts';

describe('jetkube up with secured NATS', { timeout: 120_000 }, () => {
  let up: RunningUp;
  let dataDir: string;
  let natsPort: number;
  const kubectl = (...args: string[]) => up.kubectl(...args);

  before(async () => {
    natsPort = await freePort();
    up = await startJetkubeUp(
      ['--nats-url', `nats://127.0.0.1:${natsPort}`, '--api-address', '127.0.0.1:0', '--nodes', '0', '--simulated-nodes', '1', '--ingress-address', 'none'],
      { prefix: 'jetkube-up-secured-', timeoutMs: 60_000 },
    );
    dataDir = up.dataDir;
  });

  after(async () => up?.dispose());

  it('made the users\' keys in the data dir, readable by their owner only', async () => {
    assert.equal((await stat(join(dataDir, 'nats-credentials', 'kubelet.nk'))).mode & 0o777, 0o600);
    assert.match(await readFile(join(dataDir, 'nats-users.conf'), 'utf8'), /^APISERVER_NKEY: "U[A-Z0-9]+"$/m);
    assert.match(await readFile(join(dataDir, 'nats-server.conf'), 'utf8'), /include "nats-users.conf"/);
  });

  it('serves kubectl: a Deployment reaches its ready replicas', async () => {
    const namespaces = await kubectl('get', 'namespaces', '-o', 'name');
    assert.match(namespaces.stdout, /namespace\/default/);
    await kubectl('create', 'deployment', 'web', '--image=nginx', '--replicas=2');
    await eventually(async () => {
      const { stdout } = await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}');
      return stdout.trim() === '2' ? true : undefined;
    }, 40_000, 'two ready replicas');
  });

  it('admits no anonymous NATS connection, and the CLI connects as the admin with the data dir\'s credentials', async () => {
    await assert.rejects(connectNats(`nats://127.0.0.1:${natsPort}`, 'anonymous', { maxReconnectAttempts: 0 }), (e: { code?: string }) => e.code === 'AUTHORIZATION_VIOLATION');
    // What every jetkube CLI command does with --nats-url (src/cli/flags.ts), in this process.
    process.env.JETKUBE_NATS_CREDENTIALS = join(dataDir, 'nats-credentials');
    try {
      const url = natsUrlFrom({ 'nats-url': `nats://127.0.0.1:${natsPort}` });
      assert.equal(url, `nats://admin@127.0.0.1:${natsPort}`);
      const client = await ApiClient.connect(url, 'test-cli');
      try {
        const deployment = await client.get('deployments.apps', 'default', 'web');
        assert.equal(deployment.metadata.name, 'web');
      } finally {
        await client.close();
      }
    } finally {
      delete process.env.JETKUBE_NATS_CREDENTIALS;
    }
  });

  it('logged no permission violation, and stops its nats-server on Ctrl-C', async () => {
    const log = await readFile(join(dataDir, 'nats-server.log'), 'utf8');
    assert.deepEqual(log.split('\n').filter((l) => /violation/i.test(l)), []);
    assert.equal(await up.stop(), 0);
    assert.equal(await isListening('127.0.0.1', natsPort), false);
  });
});
