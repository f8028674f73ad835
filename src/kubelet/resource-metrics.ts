/**
 * The kubelet's resource metrics: each container's CPU rate and resident memory, summed
 * over its process group, and the node's, measured from /proc (src/metrics/proc-usage.ts)
 * and reported as one NodeUsageReport. Containers without a process (the simulated
 * runtime) use nothing, and a simulated node reports only its pods, never the host.
 */
import { cpuRate, type CpuSample, type NodeUsageReport, type Usage } from '../metrics/resource-usage.ts';
import { readNodeSample, readProcessGroups } from '../metrics/proc-usage.ts';
import type { RunningPods } from './running-pods.ts';

export class ResourceSampler {
  private readonly previous = new Map<string, CpuSample>();
  private previousNode: CpuSample | undefined;
  private previousAt: number | undefined;

  constructor(
    private readonly nodeName: string,
    private readonly running: RunningPods,
    private readonly measuresHost: boolean,
  ) {}

  /** undefined for the first call: a rate needs two samples. */
  async sample(nowMs: number): Promise<NodeUsageReport | undefined> {
    const groups = this.measuresHost ? await readProcessGroups() : new Map();
    const seen = new Set<string>();
    const pods: NodeUsageReport['pods'] = [];
    let podsTotal: Usage = { cpuNanoCores: 0, memoryBytes: 0 };
    for (const pod of this.running.list()) {
      const containers: NodeUsageReport['pods'][number]['containers'] = [];
      for (const [name, container] of pod.containers) {
        const members = container.pid === undefined ? [] : (groups.get(container.pid) ?? []);
        const cpuSeconds = members.reduce((sum: number, p: { cpuSeconds: number }) => sum + p.cpuSeconds, 0);
        const memoryBytes = members.reduce((sum: number, p: { rssBytes: number }) => sum + p.rssBytes, 0);
        const key = `${pod.uid}/${container.id}`;
        seen.add(key);
        const rate = cpuRate(this.previous.get(key), { atMs: nowMs, cpuSeconds });
        this.previous.set(key, { atMs: nowMs, cpuSeconds });
        if (rate === undefined && container.pid !== undefined) continue;
        const usage = { cpuNanoCores: rate ?? 0, memoryBytes };
        containers.push({ name, usage });
        podsTotal = { cpuNanoCores: podsTotal.cpuNanoCores + usage.cpuNanoCores, memoryBytes: podsTotal.memoryBytes + usage.memoryBytes };
      }
      if (containers.length > 0) pods.push({ namespace: pod.namespace, name: pod.name, containers });
    }
    for (const key of this.previous.keys()) if (!seen.has(key)) this.previous.delete(key);

    let nodeUsage = podsTotal;
    if (this.measuresHost) {
      const node = await readNodeSample();
      if (!node) return undefined;
      const rate = cpuRate(this.previousNode, { atMs: nowMs, cpuSeconds: node.busyCpuSeconds });
      this.previousNode = { atMs: nowMs, cpuSeconds: node.busyCpuSeconds };
      if (rate === undefined) {
        this.previousAt = nowMs;
        return undefined;
      }
      nodeUsage = { cpuNanoCores: rate, memoryBytes: node.memoryUsedBytes };
    }
    const windowSeconds = this.previousAt === undefined ? 0 : (nowMs - this.previousAt) / 1000;
    this.previousAt = nowMs;
    return { node: this.nodeName, timestamp: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'), windowSeconds, usage: nodeUsage, pods };
  }
}
