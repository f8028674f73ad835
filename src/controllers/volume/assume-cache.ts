/**
 * An informer's cache with the binder's own writes laid over it (Kubernetes' assume
 * cache): a volume the binder is binding is "assumed" bound before the write leaves, so
 * the next claim's decision already sees it taken instead of racing for it; a written
 * object stays in front until the informer shows that version or a newer one; a failed
 * write restores the cache's view. Correctness never rests on it (every write is pinned
 * to the resourceVersion it was decided on); it only spares lost compare-and-sets.
 */
import type { KubeObject } from '../../api/object.ts';
import type { Indexer } from '../../informer/indexer.ts';

const revision = (o: KubeObject): number => Number(o.metadata.resourceVersion ?? 0) || 0;

export class AssumeCache {
  private readonly assumed = new Map<string, KubeObject>();

  constructor(
    private readonly indexer: Indexer,
    private readonly keyOf: (o: KubeObject) => string,
  ) {}

  get(key: string): KubeObject | undefined {
    const cached = this.indexer.get(key);
    const assumed = this.assumed.get(key);
    if (!assumed) return cached;
    if (cached && revision(assumed) >= revision(cached)) return assumed;
    // The informer caught up (or the object is gone): its view wins from now on.
    this.assumed.delete(key);
    return cached;
  }

  list(): KubeObject[] {
    return this.indexer.listKeys().flatMap((key) => this.get(key) ?? []);
  }

  assume(object: KubeObject): void {
    this.assumed.set(this.keyOf(object), object);
  }

  restore(key: string): void {
    this.assumed.delete(key);
  }
}
