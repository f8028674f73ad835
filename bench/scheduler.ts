/**
 * The scheduler at scale: `nodes` simulated Nodes (no kubelet, nobody runs the pods) and
 * `pods` pending pods are created through the API first, then the scheduler starts (no
 * leader election) and the clock runs until the informer shows every pod bound.
 * Throughput is pods / (start -> last binding confirmed); per-pod latency is from the
 * moment the scheduler first saw the pod to the informer showing it bound. The pods name
 * a scheduler of their own, so pods left pending by other benches are not touched.
 * Compared with kube-scheduler's scheduler_perf SchedulingBasic thresholds (pods/s).
 */
import { BENCH_ADMISSION } from './bench-admission.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActor, waitFor } from 'xstate';
import { schedulerMachine } from '../actors/scheduler.machine.ts';
import { StatusError } from '../src/api/errors.ts';
import type { KubeObject } from '../src/api/object.ts';
import { ApiClient } from '../src/client/api-client.ts';
import { untilServing } from '../src/client/until-serving.ts';
import { PROJECT_ROOT, startNatsServer } from '../src/natsd/server.ts';
import { makeNode, makePod } from '../src/scheduler/fixtures.ts';
import { percentile } from './figures.ts';

const NS = 'bench-scheduler';
const SCHEDULER_NAME = 'bench-scheduler';
const CREATE_CONCURRENCY = 64;

/**
 * kube-scheduler's own bar: scheduler_perf misc/performance-config.yaml (kubernetes
 * master as read for this bench), SchedulingBasic, the average SchedulingThroughput in
 * pods/s its CI requires. Its pods are pod-default.yaml (cpu 100m, memory 500Mi) on
 * node-default.yaml nodes (4 cpu, 32Gi, 110 pods), as this bench's; it also places
 * 1,000 (or 5,000) pods before measuring, which this bench does not.
 */
export const SCHEDULER_PERF_THRESHOLDS = [
  { workload: 'SchedulingBasic/5000Nodes_10000Pods', podsPerSecond: 680 },
  { workload: 'SchedulingBasic/5000Nodes_50000Pods', podsPerSecond: 810 },
];

export interface SchedulerBenchResult {
  podsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function inBatches<T>(items: T[], concurrency: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

export async function benchScheduler(options: { nodes: number; pods: number; natsUrl?: string }): Promise<SchedulerBenchResult> {
  let storeDir: string | undefined;
  let stopNats: (() => Promise<void>) | undefined;
  let natsUrl = options.natsUrl;
  if (!natsUrl) {
    storeDir = await mkdtemp(join(tmpdir(), 'jetkube-bench-scheduler-'));
    const nats = await startNatsServer({ storeDir });
    natsUrl = nats.url;
    stopNats = () => nats.stop();
  }
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'apiserver', '--nats-url', natsUrl, '--name', 'bench-scheduler-apiserver', ...BENCH_ADMISSION], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const client = await ApiClient.connect(natsUrl, 'bench-scheduler', { timeoutMs: 30_000 });
  const latencies: number[] = [];
  let scheduler: ReturnType<typeof createActor<typeof schedulerMachine>> | undefined;
  try {
    await untilServing(client);
    await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }).catch((e: unknown) => {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    });
    const setupStart = performance.now();
    const nodes = Array.from({ length: options.nodes }, (_, i) => makeNode(`bench-node-${i}`, { cpu: '4', memory: '32Gi', pods: 110 }));
    await inBatches(nodes, CREATE_CONCURRENCY, (n) => client.create('nodes', n));
    const pods = Array.from({ length: options.pods }, (_, i) => makePod(`bench-pod-${i}`, { namespace: NS, cpu: '100m', memory: '500Mi', schedulerName: SCHEDULER_NAME }));
    await inBatches(pods, CREATE_CONCURRENCY, (p) => client.create('pods', p));
    process.stderr.write(`  scheduler: created ${options.nodes} nodes and ${options.pods} pods in ${((performance.now() - setupStart) / 1000).toFixed(1)} s\n`);

    let bound = 0;
    let allBound!: () => void;
    const done = new Promise<void>((resolve) => (allBound = resolve));
    const onBound = (pod: KubeObject, latencyMs: number) => {
      if (pod.metadata.namespace !== NS) return;
      latencies.push(latencyMs);
      if (++bound === options.pods) allBound();
    };
    const start = performance.now();
    scheduler = createActor(schedulerMachine, { input: { natsUrl, leaderElect: false, schedulerName: SCHEDULER_NAME, onBound } });
    let syncedAt: number | undefined;
    scheduler.subscribe((snapshot) => {
      if (syncedAt === undefined && snapshot.matches({ running: 'scheduling' })) syncedAt = performance.now();
    });
    scheduler.start();
    const timeout = setTimeout(() => allBound(), Math.max(120_000, options.pods * 20));
    await done;
    clearTimeout(timeout);
    const seconds = (performance.now() - start) / 1000;
    if (syncedAt !== undefined) process.stderr.write(`  scheduler: caches synced ${((syncedAt - start) / 1000).toFixed(1)} s after start; all bound after ${seconds.toFixed(1)} s\n`);
    if (bound < options.pods) process.stderr.write(`  scheduler: only ${bound}/${options.pods} pods bound before the bench gave up\n`);
    latencies.sort((a, b) => a - b);
    return { podsPerSecond: Math.round(bound / seconds), p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)) };
  } finally {
    if (scheduler) {
      scheduler.send({ type: 'stop' });
      await waitFor(scheduler, (s) => s.status === 'done', { timeout: 60_000 }).catch(() => undefined);
    }
    await client.close();
    server.kill('SIGTERM');
    await once(server, 'exit');
    await stopNats?.();
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
  }
}

export function formatSchedulerBench(nodes: number, pods: number, r: SchedulerBenchResult): string {
  const lines = [
    `scheduler: ${pods.toLocaleString('en-US')} pods on ${nodes.toLocaleString('en-US')} nodes: ${r.podsPerSecond} pods/s, latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (first seen -> binding confirmed)`,
    ...SCHEDULER_PERF_THRESHOLDS.map((t) => `  kube-scheduler scheduler_perf ${t.workload} threshold: ${t.podsPerSecond} pods/s (jetkube ${(r.podsPerSecond / t.podsPerSecond).toFixed(2)}x)`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string, fallback: number) => {
    const at = args.indexOf(flag);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const nodes = value('--nodes', 1_000);
  const pods = value('--pods', 10_000);
  const result = await benchScheduler({ nodes, pods });
  process.stdout.write(`${formatSchedulerBench(nodes, pods, result)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
