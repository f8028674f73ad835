/**
 * The choice of a backend for one Service port: round robin over the ready backends
 * (kube-proxy's userspace and IPVS `rr`), and with ClientIP session affinity a client
 * keeps the backend it got until it has not been seen for the timeout (the `recent`
 * match of iptables mode, refreshed on every connection). Backends that failed for this
 * connection are skipped (`exclude`), so a dead endpoint still listed as ready costs a
 * retry, not the connection. Time is an argument: the class is deterministic.
 */
import { backendKey, type Backend } from './endpoints.ts';

interface Affinity {
  backend: Backend;
  lastUsedMs: number;
}

/** Above this many remembered clients, expired ones are swept before the next pick. */
const AFFINITY_SWEEP_AT = 4096;

export class Balancer {
  private backends: Backend[] = [];
  private keys = new Set<string>();
  private next = 0;
  private affinityTimeoutMs: number | undefined;
  private readonly affinity = new Map<string, Affinity>();

  constructor(backends: readonly Backend[] = [], affinityTimeoutMs?: number) {
    this.update(backends, affinityTimeoutMs);
  }

  /** New backends; clients stuck to a backend that is still there stay on it. */
  update(backends: readonly Backend[], affinityTimeoutMs?: number): void {
    this.backends = [...backends];
    this.keys = new Set(backends.map(backendKey));
    if (this.next >= this.backends.length) this.next = 0;
    this.affinityTimeoutMs = affinityTimeoutMs;
    if (affinityTimeoutMs === undefined) this.affinity.clear();
    for (const [client, entry] of this.affinity) if (!this.keys.has(backendKey(entry.backend))) this.affinity.delete(client);
  }

  get size(): number {
    return this.backends.length;
  }

  has(backend: Backend): boolean {
    return this.keys.has(backendKey(backend));
  }

  pick(clientIP: string, nowMs: number, exclude: ReadonlySet<string> = new Set()): Backend | undefined {
    const timeout = this.affinityTimeoutMs;
    if (timeout !== undefined) {
      if (this.affinity.size >= AFFINITY_SWEEP_AT) this.sweep(nowMs);
      const stuck = this.affinity.get(clientIP);
      if (stuck && nowMs - stuck.lastUsedMs <= timeout && !exclude.has(backendKey(stuck.backend))) {
        stuck.lastUsedMs = nowMs;
        return stuck.backend;
      }
    }
    const chosen = this.roundRobin(exclude);
    if (chosen && timeout !== undefined) this.affinity.set(clientIP, { backend: chosen, lastUsedMs: nowMs });
    return chosen;
  }

  private roundRobin(exclude: ReadonlySet<string>): Backend | undefined {
    for (let i = 0; i < this.backends.length; i++) {
      const index = (this.next + i) % this.backends.length;
      const backend = this.backends[index]!;
      if (exclude.has(backendKey(backend))) continue;
      this.next = (index + 1) % this.backends.length;
      return backend;
    }
    return undefined;
  }

  private sweep(nowMs: number): void {
    for (const [client, entry] of this.affinity) if (nowMs - entry.lastUsedMs > (this.affinityTimeoutMs ?? 0)) this.affinity.delete(client);
  }
}
