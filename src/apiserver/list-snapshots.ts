/**
 * The items of a paged list, kept at the first page's revision until its last page is read.
 *
 * A client pages a large collection (an informer relisting 40,000 pods in pages of 500)
 * over many requests, and every page must come from the first page's revision. Rebuilding
 * that revision for each page by undoing newer changes costs O(objects) a page, and once
 * the watch cache's ring no longer reaches back (10,000 changes: seconds, under load) the
 * page is 410 Expired and the client starts over: under load a large relist never
 * finished. Stored objects are immutable, so the first page's item array can simply be
 * kept, as etcd serves every page from one MVCC revision: later pages are a binary search
 * and a slice. Entries live for a few minutes, at most `capacity` of them (one array of
 * references each); a page on another API server rebuilds once there, then hits.
 */
import type { KubeObject } from '../api/object.ts';

interface Entry {
  items: readonly KubeObject[];
  expiresAt: number;
}

export class ListSnapshots {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly capacity = 64,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(resource: string, namespace: string | undefined, revision: number): readonly KubeObject[] | undefined {
    const key = keyOf(resource, namespace, revision);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last, so the oldest is dropped first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.items;
  }

  put(resource: string, namespace: string | undefined, revision: number, items: readonly KubeObject[]): void {
    const key = keyOf(resource, namespace, revision);
    this.entries.delete(key);
    this.entries.set(key, { items, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

const keyOf = (resource: string, namespace: string | undefined, revision: number) => `${resource}\u0000${namespace ?? ''}\u0000${revision}`;
