/**
 * kube-proxy's metrics: kubeproxy_sync_proxy_rules_duration_seconds (one apply of the
 * desired listeners) and kubeproxy_network_programming_duration_seconds (from the oldest
 * EndpointSlice trigger time an apply took in to its listeners updated), with
 * kubeproxy_sync_proxy_rules_last_timestamp_seconds.
 */
import { Gauge, Histogram, type Registry } from 'prom-client';

/** Kubernetes' buckets: exponential from 1 ms, factor 2, 15 buckets. */
const SYNC_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
/** Kubernetes' network programming buckets: 0.25 s .. 5 s by 0.25, 6..30 by 1, 32..60 by 2, 65..120 by 5, then minutes. */
const NETWORK_PROGRAMMING_BUCKETS = [
  ...Array.from({ length: 20 }, (_, i) => 0.25 * (i + 1)),
  ...Array.from({ length: 25 }, (_, i) => 6 + i),
  ...Array.from({ length: 15 }, (_, i) => 32 + 2 * i),
  ...Array.from({ length: 12 }, (_, i) => 65 + 5 * i),
  150, 180, 210, 240, 270, 300,
];

export class KubeProxyMetrics {
  private readonly syncDuration: Histogram;
  private readonly networkProgramming: Histogram;
  private readonly lastSync: Gauge;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.syncDuration = new Histogram({ name: 'kubeproxy_sync_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds', buckets: SYNC_BUCKETS, registers });
    this.networkProgramming = new Histogram({ name: 'kubeproxy_network_programming_duration_seconds', help: 'In Cluster Network Programming Latency in seconds', buckets: NETWORK_PROGRAMMING_BUCKETS, registers });
    this.lastSync = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers });
  }

  synced(seconds: number, nowMs: number, networkProgrammingSeconds?: number): void {
    this.syncDuration.observe(seconds);
    this.lastSync.set(nowMs / 1000);
    if (networkProgrammingSeconds !== undefined && networkProgrammingSeconds >= 0) this.networkProgramming.observe(networkProgrammingSeconds);
  }
}
