/**
 * Indexer: the informer's local cache, client-go's cache.Indexer. Objects are keyed
 * "namespace/name" ("name" for cluster-scoped ones) and looked up by named indexes, each
 * a function from an object to the values it is filed under. Every mutation runs to
 * completion synchronously, so on Node's one thread no reader sees a half-applied change
 * (what client-go's mutex buys). Readers get the stored objects: treat them as read-only.
 */
import type { KubeObject } from '../api/object.ts';

export type IndexFunc = (object: KubeObject) => string[];
export type Indexers = Record<string, IndexFunc>;

export const NAMESPACE_INDEX = 'namespace';
export const OWNER_UID_INDEX = 'ownerUid';
export const LABEL_INDEX = 'label';
export const NODE_NAME_INDEX = 'nodeName';

export function objectKey(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}

/** The key's namespace and name ("" namespace for a cluster-scoped key). */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export const defaultIndexers: Indexers = {
  [NAMESPACE_INDEX]: (o) => (o.metadata.namespace ? [o.metadata.namespace] : []),
  [OWNER_UID_INDEX]: (o) => (o.metadata.ownerReferences ?? []).map((ref) => ref.uid),
  [LABEL_INDEX]: (o) => Object.entries(o.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`),
  [NODE_NAME_INDEX]: (o) => {
    const nodeName = (o.spec as { nodeName?: unknown } | undefined)?.nodeName;
    return typeof nodeName === 'string' && nodeName !== '' ? [nodeName] : [];
  },
};

export class Indexer {
  private readonly items = new Map<string, KubeObject>();
  /** index name -> indexed value -> keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly indexers: Indexers = defaultIndexers) {
    for (const name of Object.keys(indexers)) this.indices.set(name, new Map());
  }

  /** Adds or replaces the object under its key; answers the object it replaced. */
  upsert(object: KubeObject): KubeObject | undefined {
    const key = objectKey(object);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, object);
    this.index(key, object);
    return old;
  }

  /** Removes the key; answers the object it held. */
  delete(key: string): KubeObject | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  get(key: string): KubeObject | undefined {
    return this.items.get(key);
  }

  getBy(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): KubeObject[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  /** A copy of the key -> object map (what a relist diffs against). */
  snapshot(): Map<string, KubeObject> {
    return new Map(this.items);
  }

  get size(): number {
    return this.items.size;
  }

  byIndex(indexName: string, value: string): KubeObject[] {
    return this.indexKeys(indexName, value).map((key) => this.items.get(key)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`no index named ${indexName}`);
    return [...(index.get(value) ?? [])];
  }

  private index(key: string, object: KubeObject): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indices.get(name)!;
      for (const value of new Set(fn(object))) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private unindex(key: string, object: KubeObject): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indices.get(name)!;
      for (const value of fn(object)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
