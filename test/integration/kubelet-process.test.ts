/**
 * The kubelet with the process runtime: a real `sh` (the busybox image) runs as the
 * container, reaches Running and Ready, and its output reaches the log sink; deleting
 * the pod stops the process and removes the pod.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, waitFor, type Actor } from 'xstate';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { MemoryLogSink } from '../../src/kubelet/log-sink.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NODE = 'proc-node-1';

const statusOf = (pod: KubeObject) =>
  (pod.status ?? {}) as { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ ready: boolean; containerID?: string; state: { running?: unknown } }> };

describe('kubelet with the process runtime', () => {
  let cluster: TestCluster;
  let kubelet: Actor<typeof kubeletMachine>;
  let rootDir: string;
  const logs = new MemoryLogSink();

  before(async () => {
    cluster = await startTestCluster();
    rootDir = await mkdtemp(join(tmpdir(), 'kubelet-proc-'));
    kubelet = createActor(kubeletMachine, {
      input: { natsUrl: cluster.nats.url, nodeName: NODE, runtime: 'process', rootDir, podCIDR: '127.31.0.0/24', logs, leaseRenewMs: 1_000 },
    });
    kubelet.start();
    await waitFor(kubelet, (s) => s.matches('running'), { timeout: 20_000 });
  });

  after(async () => {
    kubelet.send({ type: 'stop' });
    await waitFor(kubelet, (s) => s.status === 'done', { timeout: 20_000 });
    await cluster.dispose();
    await rm(rootDir, { recursive: true, force: true });
  });

  it('runs busybox `sh -c "echo hello; sleep 3600"` to Running with its line in the log sink, then stops it on delete', async () => {
    await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hello', namespace: 'default' },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo hello; sleep 3600'] }] },
    });
    const running = await eventually(async () => {
      const p = await cluster.client.get('pods', 'default', 'hello');
      return statusOf(p).phase === 'Running' && statusOf(p).conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    }, 20_000, 'hello Running and Ready');
    assert.match(statusOf(running).containerStatuses?.[0]?.containerID ?? '', /^process:\/\//);
    await eventually(() => (logs.lines.some((l) => l.pod === 'hello' && l.container === 'main' && l.text === 'hello' && l.stream === 'stdout') ? true : undefined), 10_000, 'the hello line');

    await cluster.client.delete('pods', 'default', 'hello');
    await eventually(
      () => cluster.client.get('pods', 'default', 'hello').then(() => undefined, (e: { code?: number }) => (e.code === 404 ? true : undefined)),
      15_000,
      'hello removed after its process stopped',
    );
  });

  it('marks nginx Ready through an httpGet readiness probe on its pod IP', async () => {
    await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        nodeName: NODE,
        terminationGracePeriodSeconds: 2,
        containers: [{ name: 'nginx', image: 'nginx', env: [{ name: 'JETKUBE_LISTEN_PORT', value: '18080' }], ports: [{ name: 'http', containerPort: 18080 }], readinessProbe: { httpGet: { port: 'http', path: '/' }, periodSeconds: 1 } }],
      },
    });
    const ready = await eventually(async () => {
      const p = await cluster.client.get('pods', 'default', 'web');
      return statusOf(p).conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    }, 20_000, 'web Ready');
    const response = await fetch(`http://${statusOf(ready).podIP}:18080/`);
    assert.equal(response.status, 200, 'nginx answers on the pod IP the probe used');
    await cluster.client.delete('pods', 'default', 'web');
  });

  it('restarts a process whose tcpSocket liveness probe cannot connect', async () => {
    await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'deaf', namespace: 'default' },
      spec: {
        nodeName: NODE,
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep 3600'], livenessProbe: { tcpSocket: { port: 18081 }, periodSeconds: 1, failureThreshold: 1 } }],
      },
    });
    const restarted = await eventually(async () => {
      const p = await cluster.client.get('pods', 'default', 'deaf');
      const c = (p.status as { containerStatuses?: Array<{ restartCount: number; lastState: { terminated?: { exitCode: number } } }> } | undefined)?.containerStatuses?.[0];
      return c && c.restartCount >= 1 ? c : undefined;
    }, 20_000, 'a liveness restart');
    assert.ok(restarted.lastState.terminated, 'the killed process is in lastState');
    await cluster.client.delete('pods', 'default', 'deaf');
  });
});
