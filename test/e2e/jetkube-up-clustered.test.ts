/**
 * `jetkube up --nats-cluster 3 --api-servers 2`: three nats-servers routed as one cluster
 * on consecutive ports, the log kept at R3, two API servers in one queue group, each on
 * its own HTTPS port behind one front address that kubectl uses. A Deployment reaches its
 * ready replicas through the front; each API server answers alone; losing one
 * nats-server (kill -9) leaves the cluster serving kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, isListening } from '../../src/natsd/server.ts';
import { eventually } from '../support/cluster.ts';
import { startJetkubeUp, type RunningUp } from '../support/jetkube-up.ts';

/** A base port with the two after it free too. */
async function threeFreePorts(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const taken = await Promise.all([0, 1, 2].map((i) => isListening('127.0.0.1', base + i)));
    if (!taken.some(Boolean)) return base;
  }
}

describe('jetkube up with a NATS cluster and two API servers', { timeout: 150_000 }, () => {
  let up: RunningUp;
  let natsPort: number;
  const kubectl = (...args: string[]) => up.kubectl(...args);

  before(async () => {
    natsPort = await threeFreePorts();
    const apiPort = await freePort();
    up = await startJetkubeUp(
      ['--nats-url', `nats://127.0.0.1:${natsPort}`, '--nats-cluster', '3', '--api-servers', '2', '--api-address', `127.0.0.1:${apiPort}`, '--nodes', '0', '--simulated-nodes', '2', '--ingress-address', 'none'],
      { prefix: 'jetkube-up-clustered-' },
    );
  });

  after(async () => up?.dispose());

  it('started three routed nats-servers and prints both API servers behind the front', async () => {
    for (const i of [0, 1, 2]) assert.ok(await isListening('127.0.0.1', natsPort + i), `nats-server on ${natsPort + i}`);
    assert.deepEqual((await readdir(join(up.dataDir, 'nats'))).sort(), ['jetkube-1', 'jetkube-2', 'jetkube-3']);
    assert.match(up.output(), /in front of apiserver-0 https:\/\/127\.0\.0\.1:\d+, apiserver-1 https:\/\/127\.0\.0\.1:\d+/);
  });

  it('serves kubectl through the front, and each API server alone', async () => {
    await kubectl('create', 'deployment', 'web', '--image=nginx', '--replicas=2');
    await eventually(async () => {
      const { stdout } = await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}');
      return stdout.trim() === '2' ? true : undefined;
    }, 60_000, 'two ready replicas');
    const own = [...up.output().matchAll(/apiserver-\d (https:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!);
    assert.equal(own.length, 2);
    for (const server of own) {
      const { stdout } = await kubectl('--server', server, 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}');
      assert.equal(stdout, '2', `${server} answers alone`);
    }
  });

  it('keeps serving after one nats-server is killed', async () => {
    const pids = (await readFile(join(up.dataDir, 'jetkube-2.log'), 'utf8')).match(/^\[(\d+)\]/m);
    assert.ok(pids, 'the second server logged its pid');
    process.kill(Number(pids[1]), 'SIGKILL');
    await eventually(async () => !(await isListening('127.0.0.1', natsPort + 1)) || undefined, 10_000, 'the second nats-server gone');
    await eventually(async () => {
      const created = await kubectl('create', 'configmap', 'after-kill', '--from-literal=k=v').then(() => true, () => undefined);
      return created;
    }, 60_000, 'a write after losing one nats-server');
    // A read right after may answer 504 "Too large resource version" while the API server's
    // log follower moves to a live server (its consumer may have lived on the killed one).
    let lastRefusal = '';
    const value = await eventually(async () => {
      const read = await kubectl('get', 'configmap', 'after-kill', '-o', 'jsonpath={.data.k}').catch((error: { stderr?: string }) => {
        lastRefusal = error.stderr ?? String(error);
        return undefined;
      });
      return read?.stdout || undefined;
    }, 60_000, 'the write readable back').catch((error: Error) => {
      throw new Error(`${error.message}; kubectl last said: ${lastRefusal.trim()}; jetkube up printed: ${up.output().split("\n").filter((l) => /registry-log|follow|replay|restart|rebuild|recover/.test(l)).join("\n").slice(-6000)}`);
    });
    assert.equal(value, 'v');
  });
});
