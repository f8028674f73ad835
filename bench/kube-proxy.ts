/**
 * kube-proxy's cost and reaction time (issue 6's yardstick). An API server process on
 * the bench's nats-server, two HTTP backends each in its own process, kube-proxy in this
 * process, and a load generator in another process (so the proxy does not share its
 * event loop with the load it relays): keep-alive HTTP, `connections` requests in
 * flight, straight to a backend and to the same backend through the Service's
 * ClusterIP, in alternating rounds of `durationMs` each, in one run. Then the reaction time: the Service's
 * only ready endpoint is switched to the other backend `shifts` times, and each time the
 * clock runs from the EndpointSlice update request to the first answer from the new
 * backend on a fresh connection (after which no answer comes from the old one).
 */
import { BENCH_ADMISSION } from './bench-admission.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createActor, waitFor } from 'xstate';
import { kubeProxyMachine } from '../actors/kube-proxy.machine.ts';
import type { KubeObject } from '../src/api/object.ts';
import { ApiClient } from '../src/client/api-client.ts';
import { untilServing } from '../src/client/until-serving.ts';
import { PROJECT_ROOT } from '../src/natsd/server.ts';
import { SERVICE_NAME_LABEL } from '../src/proxy/endpoints.ts';
import { percentile, summarize, type Figure } from './figures.ts';

const NS = 'bench-kube-proxy';
const SLICES = 'endpointslices.discovery.k8s.io';
const CLUSTER_IP = '127.96.250.80';
const BACKENDS = [
  { name: 'a', ip: '127.250.0.1', port: 8080 },
  { name: 'b', ip: '127.250.0.2', port: 8080 },
];

/** Figure names, fixed so that bench/main.ts can set one against the other. */
export const KUBE_PROXY_DIRECT_FIGURE = 'http direct to backend, keep-alive (req/s)';
export const KUBE_PROXY_PROXIED_FIGURE = 'http through kube-proxy ClusterIP, keep-alive (req/s)';

export interface KubeProxyBenchOptions {
  /** Per round and path. */
  durationMs: number;
  rounds: number;
  connections: number;
  shifts: number;
}

export const KUBE_PROXY_BENCH_FULL: KubeProxyBenchOptions = { durationMs: 2_500, rounds: 4, connections: 32, shifts: 20 };
export const KUBE_PROXY_BENCH_QUICK: KubeProxyBenchOptions = { durationMs: 1_000, rounds: 2, connections: 16, shifts: 5 };

/** An HTTP server answering its name, as a child process. */
const BACKEND_SOURCE = `
const [ip, port, name] = process.argv.slice(1);
const server = require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => res.end(name)); });
server.keepAliveTimeout = 60000;
server.listen(Number(port), ip, () => process.stdout.write('ready\\n'));
`;

/** Keep-alive HTTP load: prints {errors, elapsedMs, latencies} as JSON. */
const LOAD_SOURCE = `
const http = require('node:http');
const [host, port, durationMs, connections] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies = [];
let errors = 0;
const get = () => new Promise((resolve) => {
  const started = performance.now();
  const req = http.request({ host, port, path: '/', agent }, (res) => {
    res.resume();
    res.on('end', () => { latencies.push(performance.now() - started); resolve(); });
  });
  req.on('error', () => { errors++; resolve(); });
  req.end();
});
(async () => {
  const begin = performance.now();
  const until = begin + durationMs;
  await Promise.all(Array.from({ length: connections }, async () => { while (performance.now() < until) await get(); }));
  const elapsedMs = performance.now() - begin;
  process.stdout.write(JSON.stringify({ errors, elapsedMs, latencies: latencies.map((l) => Math.round(l * 1000) / 1000) }) + '\\n');
  agent.destroy();
})();
`;

interface LoadResult {
  errors: number;
  elapsedMs: number;
  latencies: number[];
}

async function output(child: ChildProcess): Promise<string> {
  let text = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => (text += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return text;
}

async function load(host: string, port: number, options: KubeProxyBenchOptions): Promise<LoadResult> {
  const child = spawn(process.execPath, ['-e', LOAD_SOURCE, host, String(port), String(options.durationMs), String(options.connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(await output(child)) as LoadResult;
}

/** The rounds of one path, as one figure: all requests over all elapsed time. */
function figure(name: string, rounds: LoadResult[]): Figure {
  const errors = rounds.reduce((n, r) => n + r.errors, 0);
  if (errors > 0) process.stderr.write(`  ${name}: ${errors} failed requests\n`);
  const latencies = rounds.flatMap((r) => r.latencies);
  return summarize(name, latencies.length, rounds.reduce((t, r) => t + r.elapsedMs, 0), latencies);
}

/** One GET on a fresh connection; the answering backend's name, or '' on error. */
function answerOf(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.setTimeout(2_000, () => req.destroy());
    req.on('error', () => resolve(''));
    req.end();
  });
}

function sliceFor(ready: (typeof BACKENDS)[number]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-bench', namespace: NS, labels: { [SERVICE_NAME_LABEL]: 'web' } },
    addressType: 'IPv4',
    ports: [{ name: '', protocol: 'TCP', port: 8080 }],
    endpoints: BACKENDS.map((b) => ({ addresses: [b.ip], conditions: { ready: b === ready, serving: b === ready, terminating: false } })),
  };
}

export async function benchKubeProxy(natsUrl: string, options: KubeProxyBenchOptions = KUBE_PROXY_BENCH_FULL): Promise<Figure[]> {
  const apiserver = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'apiserver', '--nats-url', natsUrl, '--name', 'bench-kube-proxy-apiserver', ...BENCH_ADMISSION], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const backends = BACKENDS.map((b) => spawn(process.execPath, ['-e', BACKEND_SOURCE, b.ip, String(b.port), b.name], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const client = await ApiClient.connect(natsUrl, 'bench-kube-proxy');
  const proxy = createActor(kubeProxyMachine, { input: { natsUrl, hostname: 'bench-host' } });
  try {
    await Promise.all(backends.map((child) => once(child.stdout!, 'data')));
    await untilServing(client);
    await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await client.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { clusterIP: CLUSTER_IP, ports: [{ port: 80, targetPort: 8080 }] } });
    let slice = await client.create(SLICES, sliceFor(BACKENDS[0]!));
    proxy.start();
    await waitFor(proxy, (s) => s.matches({ online: 'idle' }) && s.context.lastSync !== undefined, { timeout: 30_000 });
    for (;;) if ((await answerOf(CLUSTER_IP, 80)) === 'a') break;

    // Alternating rounds (direct, proxied, proxied, direct, ...) so that a noisy neighbour
    // on this machine weighs on both paths alike.
    const a = BACKENDS[0]!;
    const direct: LoadResult[] = [];
    const proxied: LoadResult[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? ['direct', 'proxied'] : ['proxied', 'direct'];
      for (const path of order) {
        if (path === 'direct') direct.push(await load(a.ip, a.port, options));
        else proxied.push(await load(CLUSTER_IP, 80, options));
      }
    }

    const shiftsMs: number[] = [];
    for (let i = 0; i < options.shifts; i++) {
      const to = BACKENDS[(i + 1) % 2]!;
      const started = performance.now();
      slice = await client.update(SLICES, { ...sliceFor(to), metadata: { ...sliceFor(to).metadata, resourceVersion: slice.metadata.resourceVersion } });
      for (;;) {
        if ((await answerOf(CLUSTER_IP, 80)) === to.name) break;
        if (performance.now() - started > 10_000) throw new Error('traffic did not shift within 10 s');
      }
      shiftsMs.push(performance.now() - started);
    }
    shiftsMs.sort((x, y) => x - y);
    const mean = shiftsMs.reduce((s, v) => s + v, 0) / shiftsMs.length;
    return [
      figure(KUBE_PROXY_DIRECT_FIGURE, direct),
      figure(KUBE_PROXY_PROXIED_FIGURE, proxied),
      { name: 'kube-proxy EndpointSlice change to traffic shift (shifts/s, sequential)', opsPerSec: Math.round(1000 / mean), p50Ms: Number(percentile(shiftsMs, 50).toFixed(3)), p99Ms: Number(percentile(shiftsMs, 99).toFixed(3)) },
    ];
  } finally {
    if (proxy.getSnapshot().status === 'active') {
      proxy.send({ type: 'stop' });
      await waitFor(proxy, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    }
    await client.close();
    for (const child of [apiserver, ...backends]) {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
  }
}
