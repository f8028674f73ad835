/**
 * Spreads requests over a backend's endpoints round-robin (ingress-nginx's default),
 * one cursor per backend. The endpoint list may change between calls: the cursor just
 * keeps turning modulo the new length, so a change never resets the spread.
 */
import type { Endpoint, ResolvedBackend } from './backend-endpoints.ts';

export class RoundRobinBalancer {
  private readonly cursors = new Map<string, number>();

  /** The next endpoint of the backend, or undefined when it has none. */
  pick(backend: ResolvedBackend): Endpoint | undefined {
    const { endpoints } = backend;
    if (endpoints.length === 0) return undefined;
    const cursor = this.cursors.get(backend.id) ?? 0;
    this.cursors.set(backend.id, (cursor + 1) % 1_000_000_007);
    return endpoints[cursor % endpoints.length];
  }

  /** Up to `count` distinct endpoints in the order to try them, starting with the next pick. */
  candidates(backend: ResolvedBackend, count: number): Endpoint[] {
    const first = this.pick(backend);
    if (!first) return [];
    const start = backend.endpoints.indexOf(first);
    const n = Math.min(count, backend.endpoints.length);
    return Array.from({ length: n }, (_, i) => backend.endpoints[(start + i) % backend.endpoints.length]!);
  }

  /** Drops cursors of backends no longer in the table. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.cursors.keys()) if (!ids.has(id)) this.cursors.delete(id);
  }
}
