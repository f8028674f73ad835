// The past, browsed with the real kubectl: record objects on a real cluster, export the
// log with `jetkube export`, serve the file at a middle revision with `jetkube replay
// --serve` (a child process, as a user runs it), and check kubectl sees that revision's
// state (get, -o yaml, describe), that writes are refused, and that the HTTPS variant
// works with a cluster's PKI.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { exportCommand } from '../../src/cli/export-import.ts';
import { ensurePki } from '../../src/http/pki.ts';
import { memoryIo } from '../../src/present/io.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { KUBECTL } from '../support/http-cluster.ts';

const NS = 'default';
const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

const deployment = (name: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
});

interface Served {
  child: ChildProcess;
  kubeconfig: string;
  stdout: string;
}

/** Starts `jetkube replay --serve ...` and waits for the kubeconfig line. */
function startServe(args: string[]): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'replay', '--serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`replay --serve did not start: ${stderr}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /^kubeconfig: (.+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, kubeconfig: match[1]!.trim(), stdout });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replay --serve exited ${code}: ${stderr}`));
    });
  });
}

function stop(served: Served | undefined): Promise<void> {
  if (!served || served.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    served.child.once('exit', () => resolve());
    served.child.kill('SIGTERM');
  });
}

describe('kubectl browses a replayed revision', { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  let dir: string;
  let file: string;
  let middle: number;
  let served: Served | undefined;
  let home: string;

  const kubectl = (kubeconfig: string, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(home, 'cache'), ...args], { timeout: 30_000, env: { ...process.env, HOME: home } }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jetkube-replay-e2e-'));
    home = dir;
    file = join(dir, 'cluster.log');
    cluster = await startTestCluster();
    const { client } = cluster;
    // Revision "middle": web with one ReplicaSet and two pods.
    const web = await client.create('deployments.apps', deployment('web', 2));
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: web.metadata.uid!, controller: true, blockOwnerDeletion: true };
    const rs = await client.create('replicasets.apps', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-6f7c', namespace: NS, ownerReferences: [ref], labels: { app: 'web' } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: (web.spec as { template: unknown }).template },
    });
    const rsRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6f7c', uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true };
    for (const name of ['web-6f7c-aaaaa', 'web-6f7c-bbbbb']) {
      await client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels: { app: 'web' }, ownerReferences: [rsRef] }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
    }
    middle = Number((await client.list('pods', NS)).metadata.resourceVersion);
    // After it: scaled to 3, one pod gone, another Deployment.
    await client.patch('deployments.apps', NS, 'web', { spec: { replicas: 3 } }, 'merge');
    await client.delete('pods', NS, 'web-6f7c-aaaaa', { gracePeriodSeconds: 0 });
    await client.create('deployments.apps', deployment('later', 1));
    const io = memoryIo();
    assert.equal(await exportCommand(['-o', file, '--nats-url', cluster.nats.url], io), 0);
    assert.match(io.stdout, /^wrote \d+ events to /);
  });

  after(async () => {
    await stop(served);
    await cluster?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the middle revision over plain HTTP: get, -o yaml and describe show that state', async () => {
    served = await startServe(['--file', file, '--at', String(middle)]);
    assert.match(served.stdout, new RegExp(`serving revision ${middle} .*read-only at http://127\\.0\\.0\\.1:\\d+`));
    const all = await kubectl(served.kubeconfig, 'get', 'deploy,rs,pods', '-A');
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /deployment\.apps\/web\s+0\/2/);
    assert.doesNotMatch(all.stdout, /later/, 'the Deployment made after the revision is absent');
    assert.match(all.stdout, /replicaset\.apps\/web-6f7c\s+2\s+/);
    assert.match(all.stdout, /pod\/web-6f7c-aaaaa/, 'the pod deleted later is still there');
    assert.match(all.stdout, /pod\/web-6f7c-bbbbb/);

    const yaml = await kubectl(served.kubeconfig, 'get', 'deploy', 'web', '-o', 'yaml');
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^ {2}replicas: 2$/m, 'spec.replicas as it was (2, not the later 3)');

    const describe = await kubectl(served.kubeconfig, 'describe', 'deploy', 'web');
    assert.equal(describe.code, 0, describe.stderr);
    assert.match(describe.stdout, /^Name:\s+web$/m);
    assert.match(describe.stdout, /^Replicas:\s+2 desired/m);
  });

  it('refuses writes with 405 naming the revision', async () => {
    assert.ok(served);
    const deleted = await kubectl(served.kubeconfig, 'delete', 'deploy', 'web');
    assert.notEqual(deleted.code, 0);
    assert.match(deleted.stderr, new RegExp(`MethodNotAllowed.*this is a replay of revision ${middle}: read-only`));
    const scaled = await kubectl(served.kubeconfig, 'scale', 'deploy', 'web', '--replicas', '5');
    assert.notEqual(scaled.code, 0);
    const still = await kubectl(served.kubeconfig, 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}');
    assert.equal(still.stdout, '2');
    await stop(served);
    served = undefined;
  });

  it('serves HTTPS with the PKI of a data dir, by time', async () => {
    const dataDir = join(dir, 'data');
    await ensurePki(join(dataDir, 'pki'));
    // A time after every write: the newest state.
    served = await startServe(['--file', file, '--at', new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), '--data-dir', dataDir]);
    assert.match(served.stdout, /read-only at https:\/\/127\.0\.0\.1:\d+/);
    const deploys = await kubectl(served.kubeconfig, 'get', 'deploy');
    assert.equal(deploys.code, 0, deploys.stderr);
    assert.match(deploys.stdout, /^later\s/m);
    assert.match(deploys.stdout, /^web\s/m);
    const pods = await kubectl(served.kubeconfig, 'get', 'pods', '-o', 'name');
    assert.equal(pods.stdout.trim(), 'pod/web-6f7c-bbbbb');
  });
});
