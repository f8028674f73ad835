/**
 * The kubelet with the simulated runtime against a real API server: Node and Lease,
 * a pod reaching Running and Ready, CrashLoopBackOff, a liveness restart, ErrImagePull,
 * graceful deletion, and a kubelet restart.
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
import { SIMULATE_EXEC_EXIT_CODE, SIMULATE_EXIT_AFTER_MS, SIMULATE_EXIT_CODE, SIMULATE_LOG, SimulatedRuntime } from '../../src/runtime/simulated-runtime.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NODE = 'sim-node-1';

interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state: { waiting?: { reason: string; message?: string }; running?: unknown; terminated?: { exitCode: number } };
  lastState: { terminated?: { exitCode: number; reason: string } };
}

const statusOf = (pod: KubeObject) => (pod.status ?? {}) as { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: ContainerStatus[] };
interface EventFields {
  reason: string;
  message: string;
  involvedObject: { name: string };
  source: { component: string; host?: string };
}
const ev = (e: KubeObject) => e as unknown as EventFields;
const condition = (pod: KubeObject, type: string) => statusOf(pod).conditions?.find((c) => c.type === type)?.status;

function pod(name: string, extra: { annotations?: Record<string, string>; container?: Record<string, unknown>; restartPolicy?: string; image?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      nodeName: NODE,
      terminationGracePeriodSeconds: 5,
      ...(extra.restartPolicy ? { restartPolicy: extra.restartPolicy } : {}),
      containers: [{ name: 'main', image: extra.image ?? 'busybox', ...(extra.container ?? {}) }],
    },
  };
}

describe('kubelet with the simulated runtime', () => {
  let cluster: TestCluster;
  let kubelet: Actor<typeof kubeletMachine>;
  let rootDir: string;
  const logs = new MemoryLogSink();
  const runtime = new SimulatedRuntime({ failingImages: ['no-such-image'] });

  const startKubelet = () => {
    const actor = createActor(kubeletMachine, {
      input: {
        natsUrl: cluster.nats.url,
        nodeName: NODE,
        runtime,
        rootDir,
        client: cluster.client,
        podCIDR: '127.30.0.0/24',
        leaseRenewMs: 200,
        logs,
        backoff: { baseMs: 200, maxMs: 1_000 },
        retryMs: 200,
      },
    });
    actor.start();
    return actor;
  };

  const get = (name: string) => cluster.client.get('pods', 'default', name);

  before(async () => {
    cluster = await startTestCluster();
    rootDir = await mkdtemp(join(tmpdir(), 'kubelet-sim-'));
    kubelet = startKubelet();
    await waitFor(kubelet, (s) => s.matches('running'), { timeout: 20_000 });
  });

  after(async () => {
    if (kubelet.getSnapshot().status === 'active') {
      kubelet.send({ type: 'stop' });
      await waitFor(kubelet, (s) => s.status === 'done', { timeout: 20_000 });
    }
    await cluster.dispose();
    await rm(rootDir, { recursive: true, force: true });
  });

  it('registers a Ready Node and renews its Lease', async () => {
    const node = await cluster.client.get('nodes', undefined, NODE);
    const status = node.status as { conditions: Array<{ type: string; status: string; reason: string }>; nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string }; capacity: Record<string, string>; addresses: Array<{ type: string }> };
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], NODE);
    assert.equal(node.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.equal(status.conditions.find((c) => c.type === 'Ready')?.reason, 'KubeletReady');
    assert.equal(status.nodeInfo.kubeletVersion, 'v1.32.4');
    assert.equal(status.nodeInfo.containerRuntimeVersion, 'jetkube-simulated://0.1');
    assert.equal(status.capacity.pods, '110');
    assert.deepEqual(status.addresses.map((a) => a.type), ['InternalIP', 'Hostname']);
    const lease = await eventually(() => cluster.client.get('leases.coordination.k8s.io', 'kube-node-lease', NODE).catch(() => undefined), 10_000, 'the node lease');
    const spec = lease.spec as { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
    assert.equal(spec.holderIdentity, NODE);
    assert.equal(spec.leaseDurationSeconds, 40);
    assert.equal(lease.metadata.ownerReferences?.[0]?.uid, node.metadata.uid);
    const renewed = await eventually(async () => {
      const l = await cluster.client.get('leases.coordination.k8s.io', 'kube-node-lease', NODE);
      return (l.spec as { renewTime: string }).renewTime !== spec.renewTime ? l : undefined;
    }, 10_000, 'a renewal');
    assert.ok(Number(renewed.metadata.resourceVersion) > Number(lease.metadata.resourceVersion));
  });

  it('runs a pod to Running and Ready, with a pod IP from the node range and its output in the log sink', async () => {
    await cluster.client.create('pods', pod('web', { annotations: { [SIMULATE_LOG]: 'hello from web' } }));
    const running = await eventually(async () => {
      const p = await get('web');
      return statusOf(p).phase === 'Running' && condition(p, 'Ready') === 'True' ? p : undefined;
    }, 10_000, 'web Running and Ready');
    const status = statusOf(running);
    assert.match(status.podIP ?? '', /^127\.30\.0\.\d+$/);
    for (const type of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'PodScheduled']) assert.equal(condition(running, type), 'True', type);
    assert.equal(status.containerStatuses?.[0]?.ready, true);
    assert.ok(status.containerStatuses?.[0]?.state.running);
    assert.ok(logs.lines.some((l) => l.pod === 'web' && l.text === 'hello from web' && l.attempt === 0));
    const events = await eventually(async () => {
      const list = (await cluster.client.list('events', 'default')).items.filter((e) => ev(e).involvedObject.name === 'web');
      const reasons = new Set(list.map((e) => ev(e).reason));
      return ['Pulling', 'Pulled', 'Created', 'Started'].every((r) => reasons.has(r)) ? list : undefined;
    }, 10_000, 'the kubelet events of web');
    assert.ok(events.every((e) => ev(e).source.component === 'kubelet' && ev(e).source.host === NODE));
  });

  it('shows CrashLoopBackOff with a growing restartCount for a container exiting 1 under Always', async () => {
    await cluster.client.create('pods', pod('crash', { annotations: { [SIMULATE_EXIT_AFTER_MS]: '20', [SIMULATE_EXIT_CODE]: '1' } }));
    const looping = await eventually(async () => {
      const p = await get('crash');
      const c = statusOf(p).containerStatuses?.[0];
      return c?.state.waiting?.reason === 'CrashLoopBackOff' && c.restartCount >= 2 ? p : undefined;
    }, 15_000, 'CrashLoopBackOff with restarts');
    const c = statusOf(looping).containerStatuses![0]!;
    assert.match(c.state.waiting!.message!, /^back-off \d+(\.\d+)?m?s restarting failed container=main pod=crash_default\(.+\)$/);
    assert.equal(c.lastState.terminated?.exitCode, 1);
    assert.equal(statusOf(looping).phase, 'Running');
    const later = await eventually(async () => {
      const p = await get('crash');
      const n = statusOf(p).containerStatuses?.[0]?.restartCount ?? 0;
      return n > c.restartCount ? n : undefined;
    }, 15_000, 'another restart');
    assert.ok(later > c.restartCount);
  });

  it('restarts a container whose exec liveness probe fails', async () => {
    await cluster.client.create(
      'pods',
      pod('sick', {
        annotations: { [SIMULATE_EXEC_EXIT_CODE]: '1' },
        container: { livenessProbe: { exec: { command: ['true'] }, periodSeconds: 1, failureThreshold: 1 } },
      }),
    );
    const restarted = await eventually(async () => {
      const p = await get('sick');
      const c = statusOf(p).containerStatuses?.[0];
      return c && c.restartCount >= 1 ? c : undefined;
    }, 15_000, 'a liveness restart');
    assert.ok(restarted.lastState.terminated, 'the killed run is in lastState');
    await eventually(async () => {
      const messages = (await cluster.client.list('events', 'default')).items
        .filter((e) => ev(e).involvedObject.name === 'sick')
        .map((e) => `${ev(e).reason}: ${ev(e).message}`);
      return messages.some((m) => m.startsWith('Unhealthy: Liveness probe failed')) && messages.includes('Killing: Container main failed liveness probe, will be restarted') ? true : undefined;
    }, 10_000, 'Unhealthy and Killing events');
  });

  it('reports ErrImagePull, then ImagePullBackOff', async () => {
    await cluster.client.create('pods', pod('nopull', { image: 'no-such-image' }));
    const reasons = new Set<string>();
    await eventually(async () => {
      const reason = statusOf(await get('nopull')).containerStatuses?.[0]?.state.waiting?.reason;
      if (reason) reasons.add(reason);
      return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff') ? true : undefined;
    }, 15_000, 'ErrImagePull then ImagePullBackOff');
    assert.equal(statusOf(await get('nopull')).phase, 'Pending');
  });

  it('keeps a pod with a missing ConfigMap in CreateContainerConfigError, and starts it once the ConfigMap exists', async () => {
    await cluster.client.create('pods', pod('needs-config', { container: { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'later', key: 'x' } } }] } }));
    await eventually(async () => (statusOf(await get('needs-config')).containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError' ? true : undefined), 10_000, 'CreateContainerConfigError');
    await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: 'default' }, data: { x: '1' } });
    await eventually(async () => (statusOf(await get('needs-config')).phase === 'Running' ? true : undefined), 15_000, 'Running once the ConfigMap exists');
  });

  it('terminates a deleted pod and removes it from the API', async () => {
    await eventually(async () => (statusOf(await get('web')).phase === 'Running' ? true : undefined), 10_000, 'web running');
    await cluster.client.delete('pods', 'default', 'web');
    await eventually(async () => get('web').then(() => undefined, (e: { code?: number }) => (e.code === 404 ? true : undefined)), 10_000, 'web removed');
    const killing = await eventually(async () => {
      const list = (await cluster.client.list('events', 'default')).items.filter((e) => ev(e).involvedObject.name === 'web' && ev(e).reason === 'Killing');
      return list.length > 0 ? list : undefined;
    }, 10_000, 'the Killing event');
    assert.deepEqual(killing.map((e) => ev(e).message), ['Stopping container main']);
  });

  it('kills the containers of a pod removed from the API at once', async () => {
    const created = await cluster.client.create('pods', pod('vanish', { container: { readinessProbe: { tcpSocket: { port: 80 } } } }));
    await eventually(async () => (condition(await get('vanish'), 'Ready') === 'True' ? true : undefined), 10_000, 'vanish Ready');
    assert.equal(runtime.runningContainersOf(created.metadata.uid!), 1);
    await cluster.client.delete('pods', 'default', 'vanish', { gracePeriodSeconds: 0 });
    await eventually(() => (runtime.runningContainersOf(created.metadata.uid!) === 0 ? true : undefined), 10_000, 'the container killed');
  });

  it('runs a pod to Succeeded under restartPolicy Never', async () => {
    await cluster.client.create('pods', pod('job', { restartPolicy: 'Never', annotations: { [SIMULATE_EXIT_AFTER_MS]: '50', [SIMULATE_EXIT_CODE]: '0' } }));
    const done = await eventually(async () => {
      const p = await get('job');
      return statusOf(p).phase === 'Succeeded' ? p : undefined;
    }, 10_000, 'job Succeeded');
    assert.equal(statusOf(done).containerStatuses?.[0]?.state.terminated?.exitCode, 0);
    assert.equal(condition(done, 'Ready'), 'False');
  });

  it('starts the pods bound to it again after a restart, keeping restart counts', async () => {
    await cluster.client.create('pods', pod('survivor'));
    await eventually(async () => (statusOf(await get('survivor')).phase === 'Running' ? true : undefined), 10_000, 'survivor running');
    kubelet.send({ type: 'stop' });
    await waitFor(kubelet, (s) => s.status === 'done', { timeout: 20_000 });
    const before = (await get('survivor')).metadata.resourceVersion;
    kubelet = startKubelet();
    await waitFor(kubelet, (s) => s.matches('running'), { timeout: 20_000 });
    const again = await eventually(async () => {
      const p = await get('survivor');
      const c = statusOf(p).containerStatuses?.[0];
      return p.metadata.resourceVersion !== before && c?.state.running && c.restartCount >= 1 ? p : undefined;
    }, 10_000, 'survivor started again');
    assert.equal(statusOf(again).phase, 'Running');
    assert.equal(statusOf(await get('job')).phase, 'Succeeded', 'a finished pod is not run again');
  });
});
