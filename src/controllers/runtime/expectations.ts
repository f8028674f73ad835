/**
 * ControllerExpectations (Kubernetes' UIDTrackingControllerExpectations): what a
 * controller's own writes still in flight will do to its cache. Before it creates N pods
 * it expects N adds; before deleting pods it expects those keys to go. Until the informer
 * has shown all of them (or the TTL passes, in case a watch event was lost) the
 * expectations are unsatisfied and the controller must not create or delete again, or it
 * would act twice on the same shortfall. Pure bookkeeping: time comes in as an argument.
 */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Record {
  add: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly ttlMs = EXPECTATIONS_TTL_MS) {}

  /** True when nothing is pending for the key, or what was pending expired. */
  satisfied(key: string, now: number): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.deletes.size === 0) return true;
    return now - r.at > this.ttlMs;
  }

  expectCreations(key: string, count: number, now: number): void {
    this.records.set(key, { add: count, deletes: new Set(), at: now });
  }

  expectDeletions(key: string, podKeys: readonly string[], now: number): void {
    this.records.set(key, { add: 0, deletes: new Set(podKeys), at: now });
  }

  /** A create was seen in the cache, or will never happen (it failed or was skipped). */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r && r.add > 0) r.add--;
  }

  /** A pod this controller deleted is gone (or its delete failed). */
  deletionObserved(key: string, podKey: string): void {
    this.records.get(key)?.deletes.delete(podKey);
  }

  /** Forget the key (its owner is gone). */
  delete(key: string): void {
    this.records.delete(key);
  }

  pending(key: string): { add: number; deletes: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, deletes: r.deletes.size };
  }
}
