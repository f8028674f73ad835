/**
 * The kubelet's and kube-proxy's /metrics, parsed strictly: a pod started by a kubelet
 * (simulated runtime) shows in kubelet_running_pods, kubelet_running_containers and
 * kubelet_pod_start_duration_seconds; kube-proxy's applies are timed, and a slice with a
 * trigger time is counted in kubeproxy_network_programming_duration_seconds.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import type { kubeProxyMachine } from '../../actors/kube-proxy.machine.ts';
import { MemoryLogSink } from '../../src/kubelet/log-sink.ts';
import { newComponentRegistry } from '../../src/metrics/component-registry.ts';
import { KubeletMetrics } from '../../src/metrics/kubelet-metrics.ts';
import { KubeProxyMetrics } from '../../src/metrics/kube-proxy-metrics.ts';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/server.ts';
import { LAST_CHANGE_TRIGGER_TIME } from '../../src/proxy/proxy-effects.ts';
import { SimulatedRuntime } from '../../src/runtime/simulated-runtime.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';
import { endpointSliceObject, randomBackendIP, randomServiceIP, serviceObject, startKubeProxy, stopKubeProxy } from '../support/proxy-fixtures.ts';

const NODE = 'metrics-node';

async function scrape(server: MetricsServer) {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  return parsePrometheusText(await response.text());
}

describe('kubelet and kube-proxy /metrics', () => {
  let cluster: TestCluster;
  let kubelet: Actor<typeof kubeletMachine>;
  let proxy: Actor<typeof kubeProxyMachine>;
  let rootDir: string;
  let kubeletServer: MetricsServer;
  let proxyServer: MetricsServer;

  before(async () => {
    cluster = await startTestCluster();
    rootDir = await mkdtemp(join(tmpdir(), 'jetkube-metrics-'));
    const kubeletRegistry = newComponentRegistry();
    const proxyRegistry = newComponentRegistry();
    kubelet = createActor(kubeletMachine, {
      input: { natsUrl: cluster.nats.url, nodeName: NODE, runtime: new SimulatedRuntime(), rootDir, client: cluster.client, podCIDR: '127.31.0.0/24', logs: new MemoryLogSink(), metrics: new KubeletMetrics(kubeletRegistry) },
    });
    kubelet.start();
    proxy = await startKubeProxy({ natsUrl: cluster.nats.url, hostname: 'metrics-host', metrics: new KubeProxyMetrics(proxyRegistry) });
    kubeletServer = await startMetricsServer(kubeletRegistry, { port: 0 });
    proxyServer = await startMetricsServer(proxyRegistry, { port: 0 });
  });

  after(async () => {
    await kubeletServer.close();
    await proxyServer.close();
    await stopKubeProxy(proxy);
    kubelet.send({ type: 'stop' });
    await waitFor(kubelet, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    await cluster.dispose();
    await rm(rootDir, { recursive: true, force: true });
  });

  it('the kubelet counts its running pods and containers and times their start', async () => {
    const before = await scrape(kubeletServer);
    assert.equal(sampleValue(before, 'kubelet_node_name', { node: NODE }), 1);
    assert.equal(sampleValue(before, 'kubelet_running_pods'), 0);
    await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'two', namespace: 'default' },
      spec: { nodeName: NODE, containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] },
    });
    const m = await eventually(async () => {
      const scraped = await scrape(kubeletServer);
      return sampleValue(scraped, 'kubelet_running_containers', { container_state: 'running' }) === 2 ? scraped : undefined;
    }, 15_000, 'two running containers');
    assert.equal(sampleValue(m, 'kubelet_running_pods'), 1);
    assert.equal(sampleValue(m, 'kubelet_pod_start_duration_seconds_count'), 1);
    assert.equal(m.get('kubelet_pod_start_duration_seconds')?.type, 'histogram');
  });

  it('kube-proxy times its syncs and the network programming of a triggered slice', async () => {
    await eventually(async () => ((sampleValue(await scrape(proxyServer), 'kubeproxy_sync_proxy_rules_duration_seconds_count') ?? 0) >= 1) || undefined, 15_000, 'a first sync');
    assert.equal(sampleValue(await scrape(proxyServer), 'kubeproxy_network_programming_duration_seconds_count'), 0);
    await cluster.client.create('services', serviceObject('web', { clusterIP: randomServiceIP(), ports: [{ port: 80, targetPort: 8080 }] }));
    const slice = endpointSliceObject('web-1', 'web', [{ port: 8080 }], [{ ip: randomBackendIP() }]);
    slice.metadata.annotations = { [LAST_CHANGE_TRIGGER_TIME]: new Date().toISOString() };
    await cluster.client.create('endpointslices.discovery.k8s.io', slice);
    const m = await eventually(async () => {
      const scraped = await scrape(proxyServer);
      return (sampleValue(scraped, 'kubeproxy_network_programming_duration_seconds_count') ?? 0) >= 1 ? scraped : undefined;
    }, 15_000, 'network programming observed');
    const sum = sampleValue(m, 'kubeproxy_network_programming_duration_seconds_sum')!;
    assert.ok(sum >= 0 && sum < 15, `a plausible latency: ${sum}`);
    assert.ok((sampleValue(m, 'kubeproxy_sync_proxy_rules_last_timestamp_seconds') ?? 0) > Date.now() / 1000 - 60);
  });
});
