/**
 * What a cache learns, as data: a delta is one change to one key. A watch event becomes
 * one delta; a relist becomes the diff between the cache and the fresh list (client-go's
 * Replace): new keys are adds, changed resourceVersions are updates, and keys the list no
 * longer has are deletes of a DeletedFinalStateUnknown, since the real delete (and any
 * change before it) was missed. Unchanged objects produce nothing. Pure.
 */
import type { KubeObject } from '../api/object.ts';
import { objectKey } from './indexer.ts';

/** A delete the informer did not see: the object is the last state it knew, maybe stale. */
export interface DeletedFinalStateUnknown {
  kind: 'DeletedFinalStateUnknown';
  key: string;
  object: KubeObject;
}

export type Delta =
  | { type: 'added'; key: string; object: KubeObject }
  | { type: 'updated'; key: string; old: KubeObject; object: KubeObject }
  | { type: 'deleted'; key: string; object: KubeObject | DeletedFinalStateUnknown };

export function isDeletedFinalStateUnknown(value: unknown): value is DeletedFinalStateUnknown {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'DeletedFinalStateUnknown';
}

/** The deltas that turn `cached` into exactly `listed`. */
export function replaceDeltas(cached: ReadonlyMap<string, KubeObject>, listed: readonly KubeObject[]): Delta[] {
  const deltas: Delta[] = [];
  const seen = new Set<string>();
  for (const object of listed) {
    const key = objectKey(object);
    seen.add(key);
    const old = cached.get(key);
    if (!old) deltas.push({ type: 'added', key, object });
    else if (old.metadata.resourceVersion !== object.metadata.resourceVersion || old.metadata.uid !== object.metadata.uid) {
      deltas.push({ type: 'updated', key, old, object });
    }
  }
  for (const [key, old] of cached) {
    if (!seen.has(key)) deltas.push({ type: 'deleted', key, object: { kind: 'DeletedFinalStateUnknown', key, object: old } });
  }
  return deltas;
}

/** The delta one watch event makes to the cache (none for an event that changes nothing). */
export function eventDelta(
  cached: ReadonlyMap<string, KubeObject> | { get(key: string): KubeObject | undefined },
  type: 'ADDED' | 'MODIFIED' | 'DELETED',
  object: KubeObject,
): Delta | undefined {
  const key = objectKey(object);
  const old = cached.get(key);
  if (type === 'DELETED') return old ? { type: 'deleted', key, object } : undefined;
  return old ? { type: 'updated', key, old, object } : { type: 'added', key, object };
}
