/**
 * `npm run bench:scale`: the 5,000-node envelope on the simulated runtime (issue 11).
 * Starts its own nats-server, then each component as its own process (so both cores are
 * used and each one's peak memory is its own): two API servers in the queue group, controller manager,
 * scheduler, and the simulated fleet in processes of --nodes-per-fleet kubelets each.
 * Then, in phases:
 *   nodes      the fleet starts: time until every Node is Ready;
 *   idle       30 s of heartbeats alone: Lease writes/s handled against nodes/10 s;
 *   pods       Deployments of 30 replicas (ClusterLoader2's density shape) created at
 *              once: time until every pod is Running, pods/s, each pod's startup
 *              latency under saturation (first seen by a watch -> seen Running);
 *   settle     until every node is Ready, the controllers' queues are empty and the
 *              scheduler holds nothing (at most 10 min): time to come to rest;
 *   latency    with the cluster full, pods created one at a time at 5/s: pod startup
 *              latency as the SLO measures it (p99 <= 5 s);
 * while a probe client (bench/scale/latency-probe.ts) times mutating and read calls
 * (SLO p99 <= 1 s). Figures: peak RSS and CPU seconds per component (/proc), NATS store
 * size (du), the raw NATS acked-publish rate of this run and the ratios to it. Results
 * are appended to bench/results-scale.json; docs/performance.md summarises them.
 *
 *   npm run bench:scale                          # 1,000/30,000, then 5,000/150,000
 *   npm run bench:scale -- --nodes 1000 --pods 30000
 *   npm run bench:scale -- --quick               # 100 nodes, 3,000 pods
 *   flags: --max-minutes M (stop waiting for pods after M minutes; figures are partial),
 *          --nodes-per-fleet N (default 1000), --api-servers N (default 2: one process cannot
 *          use both cores), --latency-pods N, --cpu-prof DIR (V8 CPU profiles in DIR/<component>/),
 *          --audit-policy FILE (the API servers' --audit-policy-file, e.g.
 *          bench/scale/audit-policy-heartbeats.yaml; default: every write recorded),
 *          --keep-logs (keep each component's log in the work dir; the controller manager logs at info)
 * Ctrl-C stops the waiting: what was measured is reported and appended (complete: false),
 * and every process the run started is stopped; a second Ctrl-C kills them at once.
 * Every 15 s a progress line: nodes Ready, pods seen/bound/Running, Lease writes/s, the probe's
 * p99, each component's RSS and CPU share over the interval, the controller manager's deepest
 * work queues and the scheduler's pending pods (both read from their /metrics).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile, open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { KubeObject } from '../src/api/object.ts';
import { ApiClient } from '../src/client/api-client.ts';
import { untilServing } from '../src/client/until-serving.ts';
import { freePort, PROJECT_ROOT, startNatsServer, type NatsServerProcess } from '../src/natsd/server.ts';
import { BENCH_ADMISSION } from './bench-admission.ts';
import { percentile } from './figures.ts';
import { benchRawNats } from './raw-nats.ts';
import { follow, type Followed } from './scale/follow.ts';
import { LatencyProbe, type LatencySummary, type SlowCall } from './scale/latency-probe.ts';
import { processStats, type ProcessStats } from './scale/process-stats.ts';
import { controlPlaneAtRest, cpuShares, deepestQueues, fetchMetrics, loopLagMax, metricByLabel, sampleUsage } from './scale/component-usage.ts';

const RESULTS = join(PROJECT_ROOT, 'bench', 'results-scale.json');
const PODS_PER_DEPLOYMENT = 30;
const DEPLOYMENTS_PER_NAMESPACE = 100;
const CREATE_CONCURRENCY = 8;
const LEASE_RENEW_SECONDS = 10;
const PROGRESS_EVERY_MS = 15_000;
/** The longest wait for the control plane to come to rest before the latency phase. */
const SETTLE_LIMIT_MS = 10 * 60_000;
const LATENCY_NAMESPACE = 'scale-latency';

interface ScaleSize {
  nodes: number;
  pods: number;
}

interface Component {
  name: string;
  child: ChildProcess;
  log: FileHandle;
}

interface StartupLatency {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The scheduling part: first seen -> seen bound. */
  scheduleP50Ms: number;
  scheduleP99Ms: number;
}

export interface ScaleResult {
  date: string;
  machine: { cpus: number; note: string };
  nodes: number;
  /** Simulated kubelets per fleet process (--nodes-per-fleet). */
  nodesPerFleet?: number;
  pods: number;
  complete: boolean;
  /** settleSeconds: from the last saturation pod Running until the control plane was at rest (settled) or the limit. */
  durations: { nodesReadySeconds: number; podsRunningSeconds: number; settleSeconds?: number; settled?: boolean; totalSeconds: number };
  podsRunning: number;
  podsPerSecond: number;
  podStartupSaturation: StartupLatency;
  podStartupSLO: StartupLatency;
  api: Record<string, { mutating: LatencySummary; read: LatencySummary }>;
  heartbeats: { expectedLeaseWritesPerSecond: number; idleLeaseWritesPerSecond: number; podsPhaseLeaseWritesPerSecond: number; nodeStatusWrites: number };
  components: Record<string, ProcessStats | undefined>;
  natsStoreMiB: number;
  registryMessages?: number;
  /** The API servers' --audit-policy-file, when one was given. */
  auditPolicy?: string;
  raw: { ackedPublish256PerSecond: number; ackedPublishSequentialPerSecond: number };
  ratios: { podsPerSecondToRawPublish: number };
  watchRestarts: number;
  /** The probe's calls over 1 s, with when they began (the first 50 of each phase). */
  slowCalls?: readonly SlowCall[];
}

const { values } = parseArgs({
  options: {
    nodes: { type: 'string' },
    pods: { type: 'string' },
    quick: { type: 'boolean' },
    'max-minutes': { type: 'string' },
    'nodes-per-fleet': { type: 'string' },
    'api-servers': { type: 'string' },
    'latency-pods': { type: 'string' },
    'cpu-prof': { type: 'string' },
    'audit-policy': { type: 'string' },
    'keep-logs': { type: 'boolean' },
  },
});

function sizes(): ScaleSize[] {
  if (values.nodes || values.pods) return [{ nodes: Number(values.nodes ?? 1000), pods: Number(values.pods ?? 30 * Number(values.nodes ?? 1000)) }];
  if (values.quick) return [{ nodes: 100, pods: 3_000 }];
  return [
    { nodes: 1_000, pods: 30_000 },
    { nodes: 5_000, pods: 150_000 },
  ];
}

const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} scale: ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Ctrl-C (or SIGTERM) stops the waiting: the run reports what it measured so far (as
 * --max-minutes does) and stops every process it started. A second one kills them at
 * once and exits, so an interrupted run never leaves components or nats-server behind.
 */
const interrupted = new AbortController();
const started = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!interrupted.signal.aborted) {
      say(`${signal}: reporting what was measured and stopping every process (again to kill them now)`);
      interrupted.abort();
      return;
    }
    for (const child of started) child.kill('SIGKILL');
    process.exit(130);
  });
}

async function spawnComponent(name: string, script: string, args: string[], logDir: string, logLevel = 'warn'): Promise<Component> {
  const log = await open(join(logDir, `${name}.log`), 'w');
  // A big heap: at 150,000 pods an API server holds every object and its watch cache (kube-apiserver at 5,000 nodes takes tens of GB).
  // --cpu-prof DIR: each component writes V8 CPU profiles into DIR/<component> when it stops (open them in
  // Chrome DevTools). One per thread, named by Node (CPU.<date>.<pid>.<thread>...): with --import tsx the
  // module hooks run on a thread of their own, and under one fixed name its idle profile overwrote the
  // main thread's. The main thread's is thread 0's.
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(resolve(values['cpu-prof']), name)}`] : [];
  // A larger young generation (64 MiB semi-spaces, 16 by default): each request's short-lived objects die
  // there instead of being promoted and collected by full GCs of a heap of gigabytes.
  const child = spawn(process.execPath, ['--max-old-space-size=12288', '--max-semi-space-size=64', ...profile, '--import', 'tsx', script, ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', log.fd],
    detached: true,
    // An open nats-server: no seed lookups, no users.
    env: { ...process.env, LOG_LEVEL: logLevel, JETKUBE_NATS_CREDENTIALS: join(logDir, 'no-credentials') },
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return { name, child, log };
}

async function stopComponent(component: Component): Promise<void> {
  const { child } = component;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const exited = once(child, 'exit');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  await component.log.close();
}

function startupSummary(latencies: number[], scheduling: number[]): StartupLatency {
  const sorted = [...latencies].sort((a, b) => a - b);
  const sched = [...scheduling].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: Math.round(percentile(sorted, 50)),
    p99Ms: Math.round(percentile(sorted, 99)),
    maxMs: Math.round(sorted.at(-1) ?? 0),
    scheduleP50Ms: Math.round(percentile(sched, 50)),
    scheduleP99Ms: Math.round(percentile(sched, 99)),
  };
}

/**
 * Pod startup as a watch sees it: first seen (created) -> bound -> Running, per pod, keyed
 * by uid. The latency phase's pods (namespace LATENCY_NAMESPACE) count apart: a Deployment's
 * pod that starts late, during that phase, is still a saturation figure.
 */
class PodTracker {
  private readonly seenAt = new Map<string, number>();
  private readonly boundAt = new Set<string>();
  private readonly done = new Set<string>();
  readonly latencies = new Map<string, number[]>();
  readonly scheduling = new Map<string, number[]>();
  seen = 0;
  bound = 0;
  running = 0;

  onPod = (type: string, pod: KubeObject): void => {
    const uid = pod.metadata.uid ?? '';
    if (type === 'DELETED' || this.done.has(uid)) return;
    const now = performance.now();
    let seen = this.seenAt.get(uid);
    if (seen === undefined) {
      seen = now;
      this.seenAt.set(uid, now);
      this.seen++;
    }
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName && !this.boundAt.has(uid)) {
      this.boundAt.add(uid);
      this.bound++;
      this.push(this.scheduling, pod, now - seen);
    }
    if ((pod.status as { phase?: string } | undefined)?.phase === 'Running') {
      this.done.add(uid);
      this.seenAt.delete(uid);
      this.boundAt.delete(uid);
      this.running++;
      this.push(this.latencies, pod, now - seen);
    }
  };

  private push(into: Map<string, number[]>, pod: KubeObject, value: number): void {
    const group = pod.metadata.namespace === LATENCY_NAMESPACE ? 'latency' : 'saturation';
    const list = into.get(group) ?? [];
    list.push(value);
    into.set(group, list);
  }
}

function deployment(namespace: string, name: string): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: PODS_PER_DEPLOYMENT,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'pause', image: 'pause' }] } },
    },
  } as KubeObject;
}

async function inParallel<T>(items: T[], concurrency: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if ((error as { code?: number }).code === 409 || attempt >= 10) throw error;
      await sleep(500 * attempt);
    }
  }
}

async function duMiB(dir: string): Promise<number> {
  const { stdout } = await promisify(execFile)('du', ['-sb', dir]);
  return Math.round(Number(stdout.split('\t')[0]) / 1024 / 1024);
}

async function runSize(size: ScaleSize): Promise<ScaleResult> {
  const began = performance.now();
  const maxMs = Number(values['max-minutes'] ?? 90) * 60_000;
  const nodesPerFleet = Number(values['nodes-per-fleet'] ?? 1000);
  const apiServers = Number(values['api-servers'] ?? 2);
  const latencyPods = Number(values['latency-pods'] ?? (size.nodes >= 1000 ? 300 : 100));
  const workDir = await mkdtemp(join(tmpdir(), 'jetkube-scale-'));
  const storeDir = join(workDir, 'nats');
  // Each process the run starts leads its own process group (detached): a Ctrl-C in the
  // terminal reaches the bench alone, which then stops them in order (nats-server last).
  const nats: NatsServerProcess = await startNatsServer({ storeDir, logFile: join(workDir, 'nats-server.log'), detached: true });
  started.add(nats.process);
  say(`${size.nodes.toLocaleString('en-US')} nodes, ${size.pods.toLocaleString('en-US')} pods; nats-server ${nats.url}, work dir ${workDir}`);
  const components: Component[] = [];
  const followers: Followed[] = [];
  let client: ApiClient | undefined;
  let probeClient: ApiClient | undefined;
  let probe: LatencyProbe | undefined;
  try {
    const raw = await benchRawNats(nats.url, { publishes: 2_000, replay: 10_000 });
    const rawRate = (name: string) => raw.find((f) => f.name === name)?.opsPerSec ?? 0;
    say(`raw NATS: acked publish ${rawRate('raw acked publish, sequential')}/s sequential, ${rawRate('raw acked publish, 256 in flight')}/s with 256 in flight`);

    for (let i = 0; i < apiServers; i++) {
      components.push(await spawnComponent(`apiserver-${i}`, 'src/cli/main.ts', ['run', 'apiserver', '--nats-url', nats.url, '--name', `scale-apiserver-${i}`, ...BENCH_ADMISSION, ...(values['audit-policy'] ? ['--audit-policy-file', resolve(values['audit-policy'])] : [])], workDir));
    }
    client = await ApiClient.connect(nats.url, 'bench-scale', { timeoutMs: 30_000 });
    probeClient = await ApiClient.connect(nats.url, 'bench-scale-probe');
    await untilServing(client);
    const managerMetrics = `127.0.0.1:${await freePort()}`;
    const schedulerMetrics = `127.0.0.1:${await freePort()}`;
    // The controller manager at info: a node marked NotReady, a lost leader lease, a re-list are each one line.
    components.push(await spawnComponent('controller-manager', 'src/cli/main.ts', ['run', 'controller-manager', '--nats-url', nats.url, '--metrics-address', managerMetrics], workDir, 'info'));
    components.push(await spawnComponent('scheduler', 'src/cli/main.ts', ['run', 'scheduler', '--nats-url', nats.url, '--metrics-address', schedulerMetrics], workDir));

    const namespaces = Math.ceil(size.pods / PODS_PER_DEPLOYMENT / DEPLOYMENTS_PER_NAMESPACE);
    for (const name of ['scale-probe', LATENCY_NAMESPACE, ...Array.from({ length: namespaces }, (_, i) => `scale-${i}`)]) {
      await retrying(() => client!.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    }

    // Counters, all fed by watches of this process.
    const readyNodes = new Set<string>();
    let nodeStatusWrites = 0;
    let leaseWrites = 0;
    followers.push(
      await follow(client, 'nodes', undefined, (type, node) => {
        if (type === 'MODIFIED') nodeStatusWrites++;
        const ready = ((node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
        if (ready && type !== 'DELETED') readyNodes.add(node.metadata.name!);
        else readyNodes.delete(node.metadata.name!);
      }),
    );
    followers.push(
      await follow(client, 'leases.coordination.k8s.io', 'kube-node-lease', (type) => {
        if (type === 'MODIFIED') leaseWrites++;
      }),
    );
    const pods = new PodTracker();
    followers.push(await follow(client, 'pods', undefined, pods.onPod));

    probe = new LatencyProbe(probeClient, 'scale-probe');
    probe.start();
    let phase = 'nodes';
    probe.setPhase(phase);
    let lastLeaseWrites = 0;
    const natsPid = nats.process.pid!;
    const pids = () => new Map([['nats', natsPid], ...components.map((c) => [c.name, c.child.pid!] as [string, number])]);
    let lastUsage = await sampleUsage(pids());
    const progress = setInterval(() => {
      void (async () => {
        const stats = await Promise.all(components.map(async (c) => `${c.name} ${(await processStats(c.child.pid!))?.rssMiB ?? '?'}M`));
        const nats = (await processStats(natsPid))?.rssMiB ?? '?';
        const usage = await sampleUsage(pids());
        const cpu = cpuShares(lastUsage, usage);
        lastUsage = usage;
        const [managerText, schedulerText] = await Promise.all([fetchMetrics(`http://${managerMetrics}`), fetchMetrics(`http://${schedulerMetrics}`)]);
        const queues = deepestQueues(managerText) || 'empty';
        const pending = metricByLabel(schedulerText, 'scheduler_pending_pods', 'queue');
        const m = probe!.summary('mutating', phase);
        const leaseRate = ((leaseWrites - lastLeaseWrites) * 1000) / PROGRESS_EVERY_MS;
        lastLeaseWrites = leaseWrites;
        say(
          `[${phase} ${Math.round((performance.now() - began) / 1000)} s] nodes Ready ${readyNodes.size}/${size.nodes}, pods seen ${pods.seen} bound ${pods.bound} Running ${pods.running}/${size.pods}, ` +
            `lease writes ${leaseRate.toFixed(0)}/s, probe mutating p99 ${m.p99Ms} ms (${m.count}, ${m.errors} errors); RSS ${stats.join(', ')}, nats ${nats}M; ` +
            `CPU ${cpu}; event-loop stall max controller-manager ${loopLagMax(managerText)}, scheduler ${loopLagMax(schedulerText)}; controller queues ${queues}; scheduler pending active ${pending.get('active') ?? '?'} backoff ${pending.get('backoff') ?? '?'} unschedulable ${pending.get('unschedulable') ?? '?'}`,
        );
      })();
    }, PROGRESS_EVERY_MS);

    /** Waits for `done` (true) until the limit or an interrupt (false). */
    const until = async (done: () => boolean, limitMs: number): Promise<boolean> => {
      const deadline = performance.now() + limitMs;
      while (!done()) {
        if (performance.now() > deadline || interrupted.signal.aborted) return false;
        await sleep(200);
      }
      return true;
    };
    const pause = (ms: number) => until(() => false, ms);

    // Phase 1: nodes.
    const nodesBegin = performance.now();
    for (let from = 0; from < size.nodes; from += nodesPerFleet) {
      const count = Math.min(nodesPerFleet, size.nodes - from);
      components.push(await spawnComponent(`fleet-${from / nodesPerFleet}`, 'bench/scale/fleet-process.ts', ['--nats-url', nats.url, '--from', String(from), '--count', String(count)], workDir));
    }
    const nodesComplete = await until(() => readyNodes.size >= size.nodes, maxMs);
    const nodesReadySeconds = (performance.now() - nodesBegin) / 1000;
    say(`${readyNodes.size} nodes Ready in ${nodesReadySeconds.toFixed(1)} s`);

    // Phase 2: heartbeats alone.
    phase = 'idle';
    probe.setPhase(phase);
    // Whole renewal periods, so the bursts of leases renewed together count evenly.
    const idleMs = values.quick ? 20_000 : 30_000;
    // A Lease is created at registration and renewed from 10 s on: measure once every node renews.
    await pause(LEASE_RENEW_SECONDS * 1000);
    const idleLeaseBefore = leaseWrites;
    await pause(idleMs);
    const idleLeaseWritesPerSecond = ((leaseWrites - idleLeaseBefore) * 1000) / idleMs;

    // Phase 3: the pods, as Deployments of 30.
    phase = 'pods';
    probe.setPhase(phase);
    const podsBegin = performance.now();
    const podsLeaseBefore = leaseWrites;
    const deployments = Array.from({ length: Math.ceil(size.pods / PODS_PER_DEPLOYMENT) }, (_, i) => ({ namespace: `scale-${Math.floor(i / DEPLOYMENTS_PER_NAMESPACE)}`, name: `density-${i}` }));
    await inParallel(deployments, CREATE_CONCURRENCY, (d) => (interrupted.signal.aborted ? Promise.resolve() : retrying(() => client!.create('deployments.apps', deployment(d.namespace, d.name)))));
    say(`${deployments.length} Deployments created in ${((performance.now() - podsBegin) / 1000).toFixed(1)} s`);
    const podsComplete = await until(() => pods.running >= size.pods, Math.max(0, maxMs - (performance.now() - began)));
    const podsRunningSeconds = (performance.now() - podsBegin) / 1000;
    const podsPhaseLeaseWritesPerSecond = (leaseWrites - podsLeaseBefore) / podsRunningSeconds;
    const saturationRunning = pods.running;
    say(`${pods.running} pods Running in ${podsRunningSeconds.toFixed(1)} s (${(pods.running / podsRunningSeconds).toFixed(0)} pods/s)`);

    // Between the phases: the startup SLO is about a pod created on a busy cluster, not
    // behind the saturation phase's backlog (status syncs, node re-syncs). Wait, at most
    // SETTLE_LIMIT_MS, until every node is Ready, the controllers' queues are empty and
    // the scheduler holds nothing; how long that took is a figure of its own.
    phase = 'settle';
    probe.setPhase(phase);
    const settleBegin = performance.now();
    let settled = false;
    while (podsComplete && !settled && performance.now() - settleBegin < SETTLE_LIMIT_MS && !interrupted.signal.aborted) {
      const [managerText, schedulerText] = await Promise.all([fetchMetrics(`http://${managerMetrics}`), fetchMetrics(`http://${schedulerMetrics}`)]);
      settled = readyNodes.size >= size.nodes && controlPlaneAtRest(managerText, schedulerText);
      if (!settled) await pause(1_000);
    }
    const settleSeconds = podsComplete ? Number(((performance.now() - settleBegin) / 1000).toFixed(1)) : 0;
    say(settled ? `the control plane was at rest ${settleSeconds} s after the last pod ran` : `the control plane was not at rest after ${settleSeconds} s; measuring startup anyway`);

    // Phase 4: pod startup latency with the cluster full, pods created one by one at 5/s.
    phase = 'latency';
    probe.setPhase(phase);
    if (podsComplete) {
      for (let i = 0; i < latencyPods && !interrupted.signal.aborted; i++) {
        const next = performance.now() + 200;
        await retrying(() => client!.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `latency-${i}`, namespace: LATENCY_NAMESPACE }, spec: { containers: [{ name: 'pause', image: 'pause' }] } }));
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
      }
      await until(() => (pods.latencies.get('latency')?.length ?? 0) >= latencyPods, 120_000);
    }
    clearInterval(progress);
    await probe.stop();

    const componentStats: Record<string, ProcessStats | undefined> = { 'nats-server': await processStats(natsPid), bench: { rssMiB: Math.round(process.memoryUsage.rss() / 1048576), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), cpuSeconds: Number((process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6).toFixed(1)) } };
    for (const c of components) componentStats[c.name] = await processStats(c.child.pid!);
    const natsStoreMiB = await duMiB(storeDir);
    const api: ScaleResult['api'] = {};
    for (const p of ['nodes', 'idle', 'pods', 'settle', 'latency']) api[p] = { mutating: probe.summary('mutating', p), read: probe.summary('read', p) };
    api.all = { mutating: probe.summary('mutating'), read: probe.summary('read') };
    const rawPublish = rawRate('raw acked publish, 256 in flight');
    const podsPerSecond = Math.round(saturationRunning / podsRunningSeconds);
    return {
      date: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, note: 'shared 2-core VM; every component on it' },
      nodes: size.nodes,
      nodesPerFleet,
      ...(values['audit-policy'] ? { auditPolicy: values['audit-policy'] } : {}),
      pods: size.pods,
      complete: nodesComplete && podsComplete,
      durations: { nodesReadySeconds: Number(nodesReadySeconds.toFixed(1)), podsRunningSeconds: Number(podsRunningSeconds.toFixed(1)), settleSeconds, settled, totalSeconds: Math.round((performance.now() - began) / 1000) },
      podsRunning: saturationRunning,
      podsPerSecond,
      podStartupSaturation: startupSummary(pods.latencies.get('saturation') ?? [], pods.scheduling.get('saturation') ?? []),
      podStartupSLO: startupSummary(pods.latencies.get('latency') ?? [], pods.scheduling.get('latency') ?? []),
      api,
      heartbeats: {
        expectedLeaseWritesPerSecond: size.nodes / LEASE_RENEW_SECONDS,
        idleLeaseWritesPerSecond: Number(idleLeaseWritesPerSecond.toFixed(1)),
        podsPhaseLeaseWritesPerSecond: Number(podsPhaseLeaseWritesPerSecond.toFixed(1)),
        nodeStatusWrites,
      },
      components: componentStats,
      natsStoreMiB,
      raw: { ackedPublish256PerSecond: rawPublish, ackedPublishSequentialPerSecond: rawRate('raw acked publish, sequential') },
      ratios: { podsPerSecondToRawPublish: Number((podsPerSecond / Math.max(1, rawPublish)).toFixed(4)) },
      watchRestarts: followers.reduce((n, f) => n + f.restarts, 0),
      slowCalls: probe.slowCalls(),
    };
  } finally {
    await probe?.stop();
    for (const f of followers) f.stop();
    await Promise.all(components.filter((c) => c.name.startsWith('fleet')).map(stopComponent));
    await Promise.all(components.filter((c) => !c.name.startsWith('fleet')).map(stopComponent));
    await probeClient?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    await nats.stop();
    if (values['keep-logs']) {
      await rm(storeDir, { recursive: true, force: true });
      say(`component logs kept in ${workDir}`);
    } else {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}

function report(r: ScaleResult): string {
  const a = r.api.all!;
  const rows = [
    ['nodes Ready', `${r.durations.nodesReadySeconds} s`],
    ['pods Running', `${r.podsRunning.toLocaleString('en-US')}/${r.pods.toLocaleString('en-US')} in ${r.durations.podsRunningSeconds} s (${r.podsPerSecond} pods/s)${r.complete ? '' : ' INCOMPLETE'}`],
    ['pod startup, saturated p50/p99', `${r.podStartupSaturation.p50Ms} / ${r.podStartupSaturation.p99Ms} ms`],
    ['pod startup, 5 pods/s p50/p99 (SLO p99 <= 5 s)', `${r.podStartupSLO.p50Ms} / ${r.podStartupSLO.p99Ms} ms (${r.podStartupSLO.count} pods) ${r.podStartupSLO.count > 0 && r.podStartupSLO.p99Ms <= 5000 ? 'ok' : 'MISSED'}`],
    ['API mutating p50/p99 (SLO p99 <= 1 s)', `${a.mutating.p50Ms} / ${a.mutating.p99Ms} ms (${a.mutating.count} calls, ${a.mutating.errors} errors) ${a.mutating.p99Ms <= 1000 ? 'ok' : 'MISSED'}`],
    ['API read p50/p99 (SLO p99 <= 1 s)', `${a.read.p50Ms} / ${a.read.p99Ms} ms (${a.read.count} calls, ${a.read.errors} errors) ${a.read.p99Ms <= 1000 ? 'ok' : 'MISSED'}`],
    ['lease writes/s idle, during pods (expected)', `${r.heartbeats.idleLeaseWritesPerSecond}, ${r.heartbeats.podsPhaseLeaseWritesPerSecond} (${r.heartbeats.expectedLeaseWritesPerSecond})`],
    ['NATS store', `${r.natsStoreMiB} MiB`],
    ['raw acked publish, 256 in flight', `${r.raw.ackedPublish256PerSecond}/s (pods/s is ${(r.ratios.podsPerSecondToRawPublish * 100).toFixed(2)}% of it)`],
    ...Object.entries(r.components).map(([name, s]) => [`${name} peak RSS, CPU`, s ? `${s.peakRssMiB} MiB, ${s.cpuSeconds} s` : '?']),
  ];
  const width = Math.max(...rows.map((row) => row[0]!.length));
  return `${r.nodes.toLocaleString('en-US')} nodes, ${r.pods.toLocaleString('en-US')} pods (${r.durations.totalSeconds} s)\n${rows.map(([k, v]) => `  ${k!.padEnd(width)}  ${v}`).join('\n')}\n`;
}

async function main() {
  for (const size of sizes()) {
    if (interrupted.signal.aborted) break;
    const result = await runSize(size);
    process.stdout.write(report(result));
    let previous: ScaleResult[] = [];
    try {
      previous = JSON.parse(await readFile(RESULTS, 'utf8')) as ScaleResult[];
    } catch {
      previous = [];
    }
    await writeFile(RESULTS, `${JSON.stringify([...previous, result], null, 2)}\n`);
    say(`results appended to ${RESULTS}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:scale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
