/**
 * Resource usage as metrics.k8s.io reports it, pure: CPU as a rate between two samples
 * (nanocores over the window), memory as the latest value. The kubelet keeps the
 * previous sample of each container and of the node; the first sample of anything has no
 * rate yet and is not reported.
 */
export interface Usage {
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface CpuSample {
  atMs: number;
  cpuSeconds: number;
}

export function cpuRate(previous: CpuSample | undefined, current: CpuSample): number | undefined {
  if (!previous || current.atMs <= previous.atMs) return undefined;
  const used = Math.max(0, current.cpuSeconds - previous.cpuSeconds);
  return Math.round((used * 1e9) / ((current.atMs - previous.atMs) / 1000));
}

/** The wire form of one node's report (the kubelet publishes it; API servers keep the latest). */
export interface NodeUsageReport {
  node: string;
  /** RFC 3339, the end of the window. */
  timestamp: string;
  windowSeconds: number;
  usage: Usage;
  pods: Array<{ namespace: string; name: string; containers: Array<{ name: string; usage: Usage }> }>;
}

/** Kubernetes' quantity spellings of metrics-server: cpu in nanocores ("1234567n"), memory in Ki. */
export function cpuQuantity(nanoCores: number): string {
  return `${Math.max(0, Math.round(nanoCores))}n`;
}

export function memoryQuantity(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}
