/**
 * A real cluster with its Kubernetes HTTPS face, for end-to-end tests with the real
 * kubectl: its own nats-server, the API server machine with the HTTP face on a free port,
 * a temporary data dir with the PKI and the admin kubeconfig, a NATS client to seed what
 * kubectl cannot create yet, and `kubectl(...)` running /usr/bin/kubectl with that
 * kubeconfig and a private discovery cache. dispose() stops all and removes the dirs.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, waitFor, type Actor } from 'xstate';
import { apiServerMachine, type ApiServerInput } from '../../actors/apiserver.machine.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { adminKubeconfig, writeKubeconfig } from '../../src/http/kubeconfig.ts';
import { ensurePki, type Pki } from '../../src/http/pki.ts';
import { startTestNats, type TestNats } from './nats.ts';

export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HttpTestCluster {
  nats: TestNats;
  apiserver: Actor<typeof apiServerMachine>;
  client: ApiClient;
  pki: Pki;
  /** "https://127.0.0.1:<port>" */
  url: string;
  /** "http://127.0.0.1:<port>", no authentication, when asked for. */
  insecureUrl?: string;
  kubeconfig: string;
  dataDir: string;
  kubectl(...args: string[]): Promise<KubectlResult>;
  /** kubectl with extra environment variables (KUBE_EDITOR for `kubectl edit`). */
  kubectlWithEnv(env: Record<string, string>, ...args: string[]): Promise<KubectlResult>;
  /** A long-running kubectl (get -w): its output as it comes, and a way to stop it. */
  spawnKubectl(...args: string[]): ChildProcess;
  dispose(): Promise<void>;
}

function runKubectl(args: string[], env: Record<string, string>): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(KUBECTL, args, { timeout: 30_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface HttpTestClusterOptions {
  insecure?: boolean;
  /** More of the API server's input (watch cache limits, admission plugins, ...). */
  apiServer?: Partial<Omit<ApiServerInput, 'natsUrl' | 'name' | 'http'>>;
}

export async function startHttpTestCluster(options: HttpTestClusterOptions = {}): Promise<HttpTestCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'jetkube-test-http-'));
  const pki = await ensurePki(join(dataDir, 'pki'));
  const nats = await startTestNats();
  const apiserver = createActor(apiServerMachine, {
    input: {
      // No ServiceAccounts controller unless the test starts one: the ServiceAccount plugin only when asked.
      admission: { disable: ['ServiceAccount'] },
      ...options.apiServer,
      natsUrl: nats.url,
      name: 'apiserver',
      http: { address: '127.0.0.1:0', pkiDir: pki.dir, ...(options.insecure ? { insecureAddress: '127.0.0.1:0' } : {}) },
    },
  });
  apiserver.start();
  const ready = await waitFor(apiserver, (s) => !!s.context.httpUrl || /^HTTP face/.test(s.context.lastError ?? ''), { timeout: 30_000 });
  const url = ready.context.httpUrl;
  if (!url) throw new Error(`the HTTP face did not start: ${ready.context.lastError}`);
  const kubeconfig = join(dataDir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, adminKubeconfig(pki, url));
  const client = await ApiClient.connect(nats.url, 'test-client', { timeoutMs: 10_000 });
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', join(dataDir, 'kube-cache')];
  const children = new Set<ChildProcess>();

  return {
    nats,
    apiserver,
    client,
    pki,
    url,
    ...(ready.context.insecureHttpUrl ? { insecureUrl: ready.context.insecureHttpUrl } : {}),
    kubeconfig,
    dataDir,
    kubectl: (...args) => runKubectl([...base, ...args], { HOME: dataDir }),
    kubectlWithEnv: (env, ...args) => runKubectl([...base, ...args], { ...env, HOME: dataDir }),
    spawnKubectl: (...args) => {
      const child = spawn(KUBECTL, [...base, ...args], { env: { ...process.env, HOME: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    async dispose() {
      for (const child of children) child.kill();
      await client.close();
      if (apiserver.getSnapshot().status === 'active') {
        apiserver.send({ type: 'stop' });
        await waitFor(apiserver, (s) => s.status === 'done', { timeout: 30_000 });
      }
      await nats.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs kubectl and fails the test, with kubectl's stderr, unless it exits 0. */
export async function kubectlOk(cluster: HttpTestCluster, ...args: string[]): Promise<KubectlResult> {
  const result = await cluster.kubectl(...args);
  assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result;
}

/** Writes a manifest into the cluster's data dir and returns its path. */
export async function writeManifest(cluster: HttpTestCluster, name: string, text: string): Promise<string> {
  const path = join(cluster.dataDir, name);
  await writeFile(path, text);
  return path;
}
