/** One measured figure of a benchmark, and the latency summary used to make them. */
export interface Figure {
  name: string;
  opsPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index]!;
}

export function summarize(name: string, count: number, elapsedMs: number, latenciesMs?: number[]): Figure {
  const figure: Figure = { name, opsPerSec: Math.round((count * 1000) / elapsedMs) };
  if (latenciesMs && latenciesMs.length > 0) {
    const sorted = [...latenciesMs].sort((a, b) => a - b);
    figure.p50Ms = Number(percentile(sorted, 50).toFixed(3));
    figure.p99Ms = Number(percentile(sorted, 99).toFixed(3));
  }
  return figure;
}
