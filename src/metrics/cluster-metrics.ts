/**
 * The /metrics endpoints of the components one `jetkube up` runs, made in one call: a
 * registry per component instance, its metrics object (the input the component's actor
 * takes), and its server on 127.0.0.1 at the Kubernetes port — the first kubelet gets
 * 10250, the others (and any component whose port is taken) a free port, as printed.
 */
import { newComponentRegistry } from './component-registry.ts';
import { KubeletMetrics } from './kubelet-metrics.ts';
import { KubeProxyMetrics } from './kube-proxy-metrics.ts';
import { SchedulerMetrics } from './scheduler-metrics.ts';
import { METRICS_PORTS, startMetricsServer, type MetricsServer } from './server.ts';
import type { Registry } from 'prom-client';

export interface ClusterMetrics {
  /** Spread into the controller manager's options. */
  controllerManager: { metricsRegistry: Registry };
  /** Spread into the scheduler's input. */
  scheduler: { metrics: SchedulerMetrics };
  /** Spread into each kubelet's input, by node name. */
  kubelets: Map<string, { metrics: KubeletMetrics }>;
  /** Spread into kube-proxy's input. */
  kubeProxy: { metrics: KubeProxyMetrics };
  /** Where each serves, e.g. { 'scheduler': 'http://127.0.0.1:10259', 'kubelet node-1': ... }. */
  urls: Record<string, string>;
  close(): Promise<void>;
}

export async function startClusterMetrics(nodeNames: string[], host = '127.0.0.1'): Promise<ClusterMetrics> {
  const servers: MetricsServer[] = [];
  const urls: Record<string, string> = {};
  const serve = async (name: string, registry: Registry, port: number) => {
    const server = await startMetricsServer(registry, { host, port, fallbackToFreePort: true });
    servers.push(server);
    urls[name] = server.url;
  };
  const managerRegistry = newComponentRegistry();
  const scheduler = new SchedulerMetrics(newComponentRegistry());
  const kubeProxy = new KubeProxyMetrics(newComponentRegistry());
  const kubelets = new Map(nodeNames.map((node) => [node, { metrics: new KubeletMetrics(newComponentRegistry()) }]));
  try {
    await serve('controller-manager', managerRegistry, METRICS_PORTS.controllerManager);
    await serve('scheduler', scheduler.registry, METRICS_PORTS.scheduler);
    await serve('kube-proxy', kubeProxy.registry, METRICS_PORTS.kubeProxy);
    let first = true;
    for (const [node, { metrics }] of kubelets) {
      await serve(`kubelet ${node}`, metrics.registry, first ? METRICS_PORTS.kubelet : 0);
      first = false;
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  return {
    controllerManager: { metricsRegistry: managerRegistry },
    scheduler: { metrics: scheduler },
    kubelets,
    kubeProxy: { metrics: kubeProxy },
    urls,
    close: async () => void (await Promise.all(servers.map((s) => s.close()))),
  };
}
