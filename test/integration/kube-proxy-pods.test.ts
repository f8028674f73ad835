/**
 * kube-proxy in front of real pods: a process kubelet runs two agnhost serve-hostname
 * pods on their own loopback addresses, an EndpointSlice is written by hand from their
 * podIPs (no EndpointSlice controller runs here), and a Service's ClusterIP spreads
 * requests over both pods and stops sending to a pod once its endpoint is not ready.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, waitFor, type Actor } from 'xstate';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import type { kubeProxyMachine } from '../../actors/kube-proxy.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { MemoryLogSink } from '../../src/kubelet/log-sink.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';
import { endpointSliceObject, httpGet, randomServiceIP, serviceObject, startKubeProxy, stopKubeProxy } from '../support/proxy-fixtures.ts';

const NODE = 'proxy-pods-node';
const SLICES = 'endpointslices.discovery.k8s.io';

describe('kube-proxy in front of pods run by a process kubelet', () => {
  let cluster: TestCluster;
  let kubelet: Actor<typeof kubeletMachine>;
  let proxy: Actor<typeof kubeProxyMachine>;
  let rootDir: string;
  const clusterIP = randomServiceIP();
  const podIPs = new Map<string, string>();

  before(async () => {
    cluster = await startTestCluster();
    rootDir = await mkdtemp(join(tmpdir(), 'kube-proxy-pods-'));
    const podCIDR = `127.${250 + Math.floor(Math.random() * 5)}.${Math.floor(Math.random() * 256)}.0/24`;
    kubelet = createActor(kubeletMachine, { input: { natsUrl: cluster.nats.url, nodeName: NODE, runtime: 'process', rootDir, podCIDR, logs: new MemoryLogSink() } });
    kubelet.start();
    proxy = await startKubeProxy({ natsUrl: cluster.nats.url, hostname: 'test-host' });
    await waitFor(kubelet, (s) => s.matches('running'), { timeout: 20_000 });
    for (const name of ['host-1', 'host-2']) {
      await cluster.client.create('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels: { app: 'hostnames' } },
        spec: {
          nodeName: NODE,
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'serve', image: 'agnhost', args: ['serve-hostname', '--port=9376'], ports: [{ containerPort: 9376 }], readinessProbe: { tcpSocket: { port: 9376 }, periodSeconds: 1 } }],
        },
      });
    }
    for (const name of ['host-1', 'host-2']) {
      const pod = await eventually(async () => {
        const p = await cluster.client.get('pods', 'default', name);
        const status = p.status as { podIP?: string; conditions?: { type: string; status: string }[] } | undefined;
        return status?.podIP && status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
      }, 20_000, `${name} Ready`);
      podIPs.set(name, (pod.status as { podIP: string }).podIP);
    }
    await cluster.client.create('services', serviceObject('hostnames', { clusterIP, selector: { app: 'hostnames' }, ports: [{ port: 80, targetPort: 9376 }] }));
    await cluster.client.create(SLICES, endpointSliceObject('hostnames-1', 'hostnames', [{ port: 9376 }], [{ ip: podIPs.get('host-1')! }, { ip: podIPs.get('host-2')! }]));
  });

  after(async () => {
    if (proxy) await stopKubeProxy(proxy);
    if (kubelet) {
      kubelet.send({ type: 'stop' });
      await waitFor(kubelet, (s) => s.status === 'done', { timeout: 20_000 });
    }
    await cluster?.dispose();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  it('spreads 100 requests on ClusterIP:80 over both pods', async () => {
    await eventually(() => httpGet(clusterIP, 80).catch(() => undefined), 5_000, 'the ClusterIP');
    const answers = await Promise.all(Array.from({ length: 100 }, () => httpGet(clusterIP, 80)));
    const counts = new Map<string, number>();
    for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), ['host-1', 'host-2']);
    assert.ok(counts.get('host-1')! >= 30 && counts.get('host-2')! >= 30, JSON.stringify([...counts]));
  });

  it('sends nothing to a pod whose endpoint is not ready', async () => {
    const current = await cluster.client.get(SLICES, 'default', 'hostnames-1');
    const slice: KubeObject = endpointSliceObject('hostnames-1', 'hostnames', [{ port: 9376 }], [{ ip: podIPs.get('host-1')! }, { ip: podIPs.get('host-2')!, ready: false }]);
    await cluster.client.update(SLICES, { ...slice, metadata: { ...slice.metadata, resourceVersion: current.metadata.resourceVersion } });
    await eventually(async () => ((await Promise.all(Array.from({ length: 4 }, () => httpGet(clusterIP, 80)))).every((a) => a === 'host-1') ? true : undefined), 5_000, 'host-2 out of rotation');
    const answers = await Promise.all(Array.from({ length: 40 }, () => httpGet(clusterIP, 80)));
    assert.deepEqual(new Set(answers), new Set(['host-1']));
  });
});
