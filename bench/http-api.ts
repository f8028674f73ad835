/**
 * The Kubernetes HTTPS face next to the NATS face, in one run against one in-process API
 * server (the apiserver machine with its HTTP face, on the caller's nats-server, with a
 * fresh PKI): get of one Pod, list of 1,000 Pods (JSON, and Table as kubectl asks for it),
 * create and merge-patch of Pods, each with 1, 16 and 64 concurrent clients. HTTPS
 * clients share one keep-alive https.Agent (one connection per client) and present the
 * admin client certificate from the generated kubeconfig; NATS clients share one
 * ApiClient, as components do. Every answer is read whole and parsed, on both faces.
 *
 *   npx tsx bench/http-api.ts [--quick]     # alone, with its own nats-server
 *
 * From bench/main.ts: `benchHttpApi(nats.url, quick ? HTTP_BENCH_QUICK : HTTP_BENCH_FULL)`.
 */
import { Agent, request } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createActor, waitFor } from 'xstate';
import { parse as parseYaml } from 'yaml';
import { apiServerMachine } from '../actors/apiserver.machine.ts';
import type { KubeObject } from '../src/api/object.ts';
import { ApiClient } from '../src/client/api-client.ts';
import { untilServing } from '../src/client/until-serving.ts';
import { adminKubeconfig } from '../src/http/kubeconfig.ts';
import { ensurePki } from '../src/http/pki.ts';
import { startNatsServer } from '../src/natsd/server.ts';
import { summarize, type Figure } from './figures.ts';

export interface HttpBenchCounts {
  /** Operations per measurement, by operation. */
  get: number;
  list: number;
  create: number;
  patch: number;
  /** Pods in the listed namespace. */
  listedPods: number;
  clients: number[];
}

export const HTTP_BENCH_FULL: HttpBenchCounts = { get: 3_000, list: 120, create: 2_000, patch: 2_000, listedPods: 1_000, clients: [1, 16, 64] };
export const HTTP_BENCH_QUICK: HttpBenchCounts = { get: 500, list: 24, create: 400, patch: 400, listedPods: 1_000, clients: [1, 16, 64] };

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

function pod(name: string, namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench', tier: 'web', run: name } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, name: 'http' }],
          env: [{ name: 'MODE', value: 'bench' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
        },
      ],
    },
  };
}

/** An HTTPS client with the admin credentials of a kubeconfig. */
function httpsClient(kubeconfig: string, maxSockets: number) {
  const config = parseYaml(kubeconfig) as {
    clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
    users: Array<{ user: { 'client-certificate-data': string; 'client-key-data': string } }>;
  };
  const server = new URL(config.clusters[0]!.cluster.server);
  const pem = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    ca: pem(config.clusters[0]!.cluster['certificate-authority-data']),
    cert: pem(config.users[0]!.user['client-certificate-data']),
    key: pem(config.users[0]!.user['client-key-data']),
  });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request(
        { host: server.hostname, port: server.port, method, path, agent, headers: { Accept: 'application/json', ...(payload ? { 'Content-Length': payload.length } : {}), ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`));
            else resolve(JSON.parse(text));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return { call, close: () => agent.destroy() };
}

/** `total` operations spread over `clients` concurrent loops; latency of each. */
async function measure(name: string, total: number, clients: number, op: (i: number) => Promise<unknown>): Promise<Figure> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return summarize(name, total, performance.now() - started, latencies);
}

export async function benchHttpApi(natsUrl: string, counts: HttpBenchCounts = HTTP_BENCH_FULL): Promise<Figure[]> {
  // Namespaces of this run only, so runs can share a nats-server.
  const run = Date.now().toString(36);
  const listedNs = `bench-list-${run}`;
  const writtenNs = `bench-write-${run}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'jetkube-bench-http-'));
  const pki = await ensurePki(join(dataDir, 'pki'));
  const apiserver = createActor(apiServerMachine, { input: { natsUrl, name: 'bench-http-apiserver', admission: { disable: ['ServiceAccount'] }, http: { address: '127.0.0.1:0', pkiDir: pki.dir } } });
  apiserver.start();
  const nats = await ApiClient.connect(natsUrl, 'bench-http-nats-client');
  const maxClients = Math.max(...counts.clients);
  let https: ReturnType<typeof httpsClient> | undefined;
  try {
    const ready = await waitFor(apiserver, (s) => !!s.context.httpUrl || /^HTTP face/.test(s.context.lastError ?? ''), { timeout: 60_000 });
    if (!ready.context.httpUrl) throw new Error(`the HTTP face did not start: ${ready.context.lastError}`);
    https = httpsClient(adminKubeconfig(pki, ready.context.httpUrl), maxClients);
    const { call } = https;
    await untilServing(nats);

    for (const namespace of [listedNs, writtenNs]) await nats.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await measure('seed', counts.listedPods, 64, (i) => nats.create('pods', pod(`listed-${i}`, listedNs)));
    const podPath = (namespace: string, name?: string) => `/api/v1/namespaces/${namespace}/pods${name ? `/${name}` : ''}`;
    const listedName = (i: number) => `listed-${i % counts.listedPods}`;

    const figures: Figure[] = [];
    for (const clients of counts.clients) {
      const at = `${clients} client${clients === 1 ? '' : 's'}`;
      figures.push(await measure(`https get, ${at}`, counts.get, clients, (i) => call('GET', podPath(listedNs, listedName(i)))));
      figures.push(await measure(`nats get, ${at}`, counts.get, clients, (i) => nats.get('pods', listedNs, listedName(i))));
      figures.push(await measure(`https list ${counts.listedPods} json, ${at}`, counts.list, clients, () => call('GET', podPath(listedNs))));
      figures.push(await measure(`https list ${counts.listedPods} table, ${at}`, counts.list, clients, () => call('GET', podPath(listedNs), undefined, { Accept: TABLE_ACCEPT })));
      figures.push(await measure(`nats list ${counts.listedPods}, ${at}`, counts.list, clients, () => nats.list('pods', listedNs)));
      figures.push(await measure(`https create, ${at}`, counts.create, clients, (i) => call('POST', podPath(writtenNs), pod(`h${clients}-${i}`, writtenNs), { 'Content-Type': 'application/json' })));
      figures.push(await measure(`nats create, ${at}`, counts.create, clients, (i) => nats.create('pods', pod(`n${clients}-${i}`, writtenNs))));
      const patch = (i: number) => ({ metadata: { labels: { step: String(i) } } });
      figures.push(
        await measure(`https patch, ${at}`, counts.patch, clients, (i) =>
          call('PATCH', podPath(writtenNs, `h${clients}-${i % counts.create}`), patch(i), { 'Content-Type': 'application/merge-patch+json' }),
        ),
      );
      figures.push(await measure(`nats patch, ${at}`, counts.patch, clients, (i) => nats.patch('pods', writtenNs, `n${clients}-${i % counts.create}`, patch(i), 'merge')));
    }
    printTable(figures, counts);
    return figures;
  } finally {
    https?.close();
    await nats.close();
    if (apiserver.getSnapshot().status === 'active') {
      apiserver.send({ type: 'stop' });
      await waitFor(apiserver, (s) => s.status === 'done', { timeout: 30_000 });
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One row per operation and client count: HTTPS and NATS side by side, and their ratio. */
function printTable(figures: Figure[], counts: HttpBenchCounts): void {
  const byName = new Map(figures.map((f) => [f.name, f]));
  const ops: Array<[string, string, string | undefined]> = [
    ['get', 'get', 'get'],
    [`list ${counts.listedPods} json`, `list ${counts.listedPods} json`, `list ${counts.listedPods}`],
    [`list ${counts.listedPods} table`, `list ${counts.listedPods} table`, undefined],
    ['create', 'create', 'create'],
    ['patch', 'patch', 'patch'],
  ];
  const cell = (f: Figure | undefined) => (f ? [f.opsPerSec.toLocaleString('en-US'), f.p50Ms!.toFixed(2), f.p99Ms!.toFixed(2)] : ['', '', '']);
  const rows: string[][] = [];
  for (const [label, httpsOp, natsOp] of ops) {
    for (const clients of counts.clients) {
      const at = `${clients} client${clients === 1 ? '' : 's'}`;
      const h = byName.get(`https ${httpsOp}, ${at}`);
      const n = natsOp ? byName.get(`nats ${natsOp}, ${at}`) : undefined;
      rows.push([label, String(clients), ...cell(h), ...cell(n), h && n ? `${((h.opsPerSec / n.opsPerSec) * 100).toFixed(0)}%` : '']);
    }
  }
  const header = ['operation', 'clients', 'https ops/s', 'p50 ms', 'p99 ms', 'nats ops/s', 'p50 ms', 'p99 ms', 'https/nats'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`${[header, ...rows].map(line).join('\n')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const storeDir = await mkdtemp(join(tmpdir(), 'jetkube-bench-'));
  const server = await startNatsServer({ storeDir });
  try {
    await benchHttpApi(server.url, process.argv.includes('--quick') ? HTTP_BENCH_QUICK : HTTP_BENCH_FULL);
  } finally {
    await server.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
}
