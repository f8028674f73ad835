/**
 * `npm run bench`: jetkube's rates next to the raw NATS rates, measured against one
 * nats-server in one run (these machines are noisy; only same-run ratios mean much).
 * Prints a table with each figure's ratio to its raw counterpart and to the previous
 * run's figure, and writes bench/results.json for the next run to compare with.
 *
 *   npm run bench                # everything (1M-event rebuild included: a few minutes)
 *   npm run bench -- --quick     # smaller counts (a 200-replica Deployment), for a smoke run
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, startNatsServer } from '../src/natsd/server.ts';
import { benchApiCreates } from './api-create.ts';
import { benchControllers } from './controllers.ts';
import { benchHttpApi, HTTP_BENCH_FULL, HTTP_BENCH_QUICK } from './http-api.ts';
import { benchPodStartup } from './pod-startup.ts';
import { benchSnapshot } from './snapshot.ts';
import { benchKubeProxy, KUBE_PROXY_BENCH_FULL, KUBE_PROXY_BENCH_QUICK, KUBE_PROXY_DIRECT_FIGURE, KUBE_PROXY_PROXIED_FIGURE } from './kube-proxy.ts';
import type { Figure } from './figures.ts';
import { benchRawNats } from './raw-nats.ts';
import { benchScheduler, formatSchedulerBench } from './scheduler.ts';
import { benchStoreRebuild } from './store-rebuild.ts';

const RESULTS = join(PROJECT_ROOT, 'bench', 'results.json');

interface Comparison {
  figure: string;
  /** The raw figure this one is measured against. */
  raw: string;
  target?: number;
}

/** Which raw rate each jetkube figure is a fraction of, and the target ratio from the issue. */
const COMPARISONS: Comparison[] = [
  { figure: 'api create, sequential', raw: 'raw acked publish, sequential' },
  { figure: 'api create, 64 concurrent', raw: 'raw acked publish, 256 in flight', target: 0.5 },
  { figure: 'store rebuild, 100k events', raw: 'raw replay with msgpack decode', target: 0.8 },
  { figure: 'store rebuild, 1M events', raw: 'raw replay with msgpack decode', target: 0.8 },
  { figure: 'informer pod events during rollout', raw: 'raw replay with msgpack decode' },
  { figure: 'informer initial sync', raw: 'raw replay with msgpack decode' },
  { figure: KUBE_PROXY_PROXIED_FIGURE, raw: KUBE_PROXY_DIRECT_FIGURE },
];

async function main() {
  const quick = process.argv.includes('--quick');
  const storeDir = await mkdtemp(join(tmpdir(), 'jetkube-bench-'));
  const nats = await startNatsServer({ storeDir });
  const figures: Figure[] = [];
  const note = (f: Figure[]) => {
    for (const figure of f) {
      figures.push(figure);
      process.stderr.write(`  ${figure.name}: ${figure.opsPerSec.toLocaleString('en-US')}/s\n`);
    }
  };
  try {
    process.stderr.write(`bench: nats-server on ${nats.url}, store ${storeDir}\n`);
    note(await benchRawNats(nats.url, quick ? { publishes: 5_000, replay: 50_000 } : undefined));
    note(await benchApiCreates(nats.url, quick ? { sequential: 500, concurrent: 5_000, clients: 64 } : undefined));
    note(await benchStoreRebuild(nats.url, quick ? [20_000] : [100_000, 1_000_000]));
    note(await benchControllers(nats.url, quick ? 200 : 1_000));
    note(await benchHttpApi(nats.url, quick ? HTTP_BENCH_QUICK : HTTP_BENCH_FULL));
    note(await benchPodStartup(nats.url, quick ? 20 : 100));
    note(await benchSnapshot(nats.url, quick ? { events: 50_000, subjects: 20_000, tail: 5_000 } : undefined));
    note(await benchKubeProxy(nats.url, quick ? KUBE_PROXY_BENCH_QUICK : KUBE_PROXY_BENCH_FULL));
    const [nodes, pods] = quick ? [100, 1_000] : [1_000, 10_000];
    const scheduled = await benchScheduler({ nodes, pods, natsUrl: nats.url });
    process.stderr.write(`${formatSchedulerBench(nodes, pods, scheduled)}\n`);
    note([{ name: `scheduler, ${pods.toLocaleString('en-US')} pods on ${nodes.toLocaleString('en-US')} nodes (pods/s)`, opsPerSec: scheduled.podsPerSecond, p50Ms: scheduled.p50Ms, p99Ms: scheduled.p99Ms }]);
  } finally {
    await nats.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
  const previous = await readPrevious();
  printReport(figures, previous);
  await writeFile(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), quick, figures }, null, 2)}\n`);
  process.stderr.write(`bench: results written to ${RESULTS}\n`);
}

async function readPrevious(): Promise<Figure[]> {
  try {
    return (JSON.parse(await readFile(RESULTS, 'utf8')) as { figures: Figure[] }).figures;
  } catch {
    return [];
  }
}

function printReport(figures: Figure[], previous: Figure[]) {
  const byName = new Map(figures.map((f) => [f.name, f]));
  const before = new Map(previous.map((f) => [f.name, f]));
  const rows = figures.map((f) => {
    const comparison = COMPARISONS.find((c) => f.name.startsWith(c.figure));
    const raw = comparison ? byName.get(comparison.raw) : undefined;
    const ratio = raw ? f.opsPerSec / raw.opsPerSec : undefined;
    const last = before.get(f.name);
    return [
      f.name,
      f.opsPerSec.toLocaleString('en-US'),
      f.p50Ms === undefined ? '' : f.p50Ms.toFixed(3),
      f.p99Ms === undefined ? '' : f.p99Ms.toFixed(3),
      ratio === undefined ? '' : `${(ratio * 100).toFixed(0)}% of raw`,
      comparison?.target === undefined || ratio === undefined ? '' : ratio >= comparison.target ? `>= ${comparison.target * 100}% ok` : `< ${comparison.target * 100}% MISSED`,
      last ? `${((f.opsPerSec / last.opsPerSec - 1) * 100).toFixed(0)}% vs last run` : '',
    ];
  });
  const header = ['figure', 'ops/s', 'p50 ms', 'p99 ms', 'ratio', 'target', 'change'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${[header, ...rows].map(line).join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
