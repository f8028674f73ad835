/**
 * jetkube's create rate through the API's NATS face: an API server in its own process (as
 * in production), clients here creating ~1 KB Pods, one at a time and 64 at once.
 */
import { BENCH_ADMISSION } from './bench-admission.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ApiClient } from '../src/client/api-client.ts';
import { untilServing } from '../src/client/until-serving.ts';
import type { KubeObject } from '../src/api/object.ts';
import { PROJECT_ROOT } from '../src/natsd/server.ts';
import { summarize, type Figure } from './figures.ts';

function pod(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'bench', tier: 'web', run: name } },
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

export async function benchApiCreates(natsUrl: string, counts = { sequential: 3_000, concurrent: 30_000, clients: 64 }): Promise<Figure[]> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'apiserver', '--nats-url', natsUrl, '--name', 'bench-apiserver', ...BENCH_ADMISSION], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const client = await ApiClient.connect(natsUrl, 'bench-client');
  try {
    await untilServing(client);
    for (let i = 0; i < 200; i++) await client.create('pods', pod(`warm-${i}`));

    const latencies: number[] = [];
    let started = performance.now();
    for (let i = 0; i < counts.sequential; i++) {
      const t = performance.now();
      await client.create('pods', pod(`seq-${i}`));
      latencies.push(performance.now() - t);
    }
    const sequential = summarize('api create, sequential', counts.sequential, performance.now() - started, latencies);

    const concurrentLatencies: number[] = [];
    let next = 0;
    started = performance.now();
    await Promise.all(
      Array.from({ length: counts.clients }, async () => {
        while (next < counts.concurrent) {
          const i = next++;
          const t = performance.now();
          await client.create('pods', pod(`par-${i}`));
          concurrentLatencies.push(performance.now() - t);
        }
      }),
    );
    const concurrent = summarize(`api create, ${counts.clients} concurrent`, counts.concurrent, performance.now() - started, concurrentLatencies);
    return [sequential, concurrent];
  } finally {
    await client.close();
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
}

