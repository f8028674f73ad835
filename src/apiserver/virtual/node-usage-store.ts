/**
 * The latest resource usage report of every node, as metrics-server keeps it: in memory,
 * fed by the kubelets' reports on NATS (streams/metrics-stream.ts); a node silent for a
 * minute is forgotten. Served as metrics.k8s.io NodeMetrics and PodMetrics, pure.
 */
import type { KubeObject } from '../../api/object.ts';
import { cpuQuantity, memoryQuantity, type NodeUsageReport, type Usage } from '../../metrics/resource-usage.ts';

const FORGET_AFTER_MS = 60_000;
const API_VERSION = 'metrics.k8s.io/v1beta1';

export class NodeUsageStore {
  private readonly reports = new Map<string, { report: NodeUsageReport; receivedAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  record(report: NodeUsageReport): void {
    this.reports.set(report.node, { report, receivedAt: this.now() });
  }

  current(): NodeUsageReport[] {
    const fresh: NodeUsageReport[] = [];
    for (const [node, entry] of this.reports) {
      if (this.now() - entry.receivedAt > FORGET_AFTER_MS) this.reports.delete(node);
      else fresh.push(entry.report);
    }
    return fresh.sort((a, b) => a.node.localeCompare(b.node));
  }
}

const usage = (u: Usage) => ({ cpu: cpuQuantity(u.cpuNanoCores), memory: memoryQuantity(u.memoryBytes) });
const window = (r: NodeUsageReport) => `${Math.max(1, Math.round(r.windowSeconds))}s`;

export function nodeMetrics(reports: readonly NodeUsageReport[]): KubeObject[] {
  return reports.map(
    (r) => ({ kind: 'NodeMetrics', apiVersion: API_VERSION, metadata: { name: r.node, creationTimestamp: r.timestamp }, timestamp: r.timestamp, window: window(r), usage: usage(r.usage) }) as KubeObject,
  );
}

export function podMetrics(reports: readonly NodeUsageReport[], namespace?: string): KubeObject[] {
  return reports.flatMap((r) =>
    r.pods
      .filter((p) => namespace === undefined || p.namespace === namespace)
      .map(
        (p) =>
          ({
            kind: 'PodMetrics',
            apiVersion: API_VERSION,
            metadata: { name: p.name, namespace: p.namespace, creationTimestamp: r.timestamp },
            timestamp: r.timestamp,
            window: window(r),
            containers: p.containers.map((c) => ({ name: c.name, usage: usage(c.usage) })),
          }) as KubeObject,
      ),
  );
}
