/**
 * The DaemonSet controller's back-off for failed daemon pods (Kubernetes'
 * failedPodsBackoff, flowcontrol.Backoff of 1 s doubling to 15 min, per DaemonSet and
 * node): a node whose daemon pod keeps failing (a kubelet that rejects it) gets its pod
 * deleted and recreated ever more slowly instead of in a hot loop. An entry idle for
 * twice the maximum is forgotten. Pure bookkeeping: time comes in as an argument.
 */
export const INITIAL_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 15 * 60_000;

interface Entry {
  delayMs: number;
  /** When the last failed pod was deleted. */
  at: number;
}

export class FailedPodBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  static key(dsKey: string, nodeName: string): string {
    return `${dsKey}/${nodeName}`;
  }

  /** How long until a failed pod there may be deleted again (0: now). */
  remainingMs(key: string, now: number): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    return Math.max(0, entry.at + entry.delayMs - now);
  }

  /** A failed pod there is being deleted now: the next one waits twice as long. */
  next(key: string, now: number): void {
    const entry = this.entries.get(key);
    const fresh = !entry || now - entry.at > 2 * this.maxMs;
    this.entries.set(key, { delayMs: fresh ? this.initialMs : Math.min(entry.delayMs * 2, this.maxMs), at: now });
  }

  /** Drops entries idle for twice the maximum (Kubernetes' GC of the backoff). */
  gc(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.at > 2 * this.maxMs) this.entries.delete(key);
  }
}
