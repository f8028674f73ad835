/**
 * Pod startup latency on the process runtime (issue 5's yardstick, as Kubernetes' SLO
 * "pod startup latency"): `pods` pods created at once in a fresh namespace, an API server
 * process on the bench's nats-server, and in this process the scheduler and one kubelet
 * running each container as a real process (the pause image). Latency is from the
 * create request to the watch event that shows the pod Running, per pod; throughput is
 * pods Running per second over the whole batch. Kubernetes' SLO: p99 <= 5 s for
 * stateless pods without image pulls.
 */
import { BENCH_ADMISSION } from './bench-admission.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, waitFor } from 'xstate';
import { kubeletMachine } from '../actors/kubelet.machine.ts';
import { schedulerMachine } from '../actors/scheduler.machine.ts';
import type { KubeObject } from '../src/api/object.ts';
import { ApiClient } from '../src/client/api-client.ts';
import { untilServing } from '../src/client/until-serving.ts';
import { PROJECT_ROOT } from '../src/natsd/server.ts';
import { summarize, type Figure } from './figures.ts';

const NS = 'bench-pod-startup';

export async function benchPodStartup(natsUrl: string, pods = 100): Promise<Figure[]> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'apiserver', '--nats-url', natsUrl, '--name', 'bench-pod-startup-apiserver', ...BENCH_ADMISSION], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const rootDir = await mkdtemp(join(tmpdir(), 'jetkube-bench-kubelet-'));
  const client = await ApiClient.connect(natsUrl, 'bench-pod-startup');
  const scheduler = createActor(schedulerMachine, { input: { natsUrl, leaderElect: false } });
  const kubelet = createActor(kubeletMachine, {
    input: { natsUrl, nodeName: 'bench-node', runtime: 'process', rootDir, podCIDR: '127.200.0.0/16', recordEvents: true, capacity: { pods: String(pods + 10) } },
  });
  try {
    await untilServing(client);
    await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    scheduler.start();
    kubelet.start();
    await waitFor(kubelet, (s) => s.matches('running'), { timeout: 60_000 });

    const createdAt = new Map<string, number>();
    const latencies: number[] = [];
    let done!: () => void;
    const allRunning = new Promise<void>((resolve) => (done = resolve));
    const watch = await client.watch('pods', NS, { resourceVersion: '0' }, (event) => {
      const pod = event.object as KubeObject;
      const name = pod.metadata?.name ?? '';
      const started = createdAt.get(name);
      if (started === undefined || (pod.status as { phase?: string } | undefined)?.phase !== 'Running') return;
      createdAt.delete(name);
      latencies.push(performance.now() - started);
      if (latencies.length === pods) done();
    });
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: pods }, async (_, i) => {
        const name = `p-${i}`;
        createdAt.set(name, performance.now());
        await client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { containers: [{ name: 'pause', image: 'pause' }] } });
      }),
    );
    await allRunning;
    const elapsed = performance.now() - begin;
    await watch.stop();
    return [summarize(`pod startup, ${pods} pods on the process runtime (pods Running/s)`, pods, elapsed, latencies)];
  } finally {
    for (const actor of [kubelet, scheduler]) {
      actor.send({ type: 'stop' });
      await waitFor(actor, (s) => s.status === 'done', { timeout: 60_000 }).catch(() => undefined);
    }
    await client.close();
    server.kill('SIGTERM');
    await once(server, 'exit');
    await rm(rootDir, { recursive: true, force: true });
  }
}
