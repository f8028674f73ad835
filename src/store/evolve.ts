/**
 * The fold that turns the log into state: `state = entries.reduce(evolve, emptyState)`.
 * Pure: it reads its arguments, never changes them, and imports no I/O.
 *
 * - evolveObject decides one object: ADDED and MODIFIED give the record's object with
 *   metadata.resourceVersion = the entry's seq; DELETED gives undefined. The log stamps
 *   that resourceVersion when it decodes (RegistryLog), so on the hot path the decoded
 *   object is returned as is; an unstamped object is copied (object and metadata only).
 * - evolve folds one entry into a whole immutable state (revision, objects, and the last
 *   sequence of every subject, tombstones included). An entry at or below the revision is
 *   already in the state and changes nothing, so replaying a log twice is harmless.
 */
import type { KubeObject, ObjectKey } from '../api/object.ts';
import type { LogEntry } from './log-entry.ts';

/** `resource/namespace/name` ("" namespace for cluster scope): no part can contain "/". */
export function keyString(key: ObjectKey): string {
  return `${key.resource}/${key.namespace}/${key.name}`;
}

export function withResourceVersion(object: KubeObject, seq: number): KubeObject {
  const resourceVersion = String(seq);
  if (object.metadata.resourceVersion === resourceVersion) return object;
  return { ...object, metadata: { ...object.metadata, resourceVersion } };
}

export function evolveObject(current: KubeObject | undefined, entry: LogEntry): KubeObject | undefined {
  switch (entry.type) {
    case 'ADDED':
    case 'MODIFIED':
      return withResourceVersion(entry.object, entry.seq);
    case 'DELETED':
      return undefined;
    default: {
      const never: never = entry.type;
      throw new Error(`unknown log record type ${String(never)}`);
    }
  }
}

export interface StoreState {
  /** The seq of the last entry folded in (0 for the empty state). */
  readonly revision: number;
  /** Live objects by keyString. */
  readonly objects: ReadonlyMap<string, KubeObject>;
  /** The seq of each subject's last entry, tombstones included. */
  readonly subjectSeq: ReadonlyMap<string, number>;
}

export const emptyState: StoreState = Object.freeze({
  revision: 0,
  objects: new Map<string, KubeObject>(),
  subjectSeq: new Map<string, number>(),
});

export function evolve(state: StoreState, entry: LogEntry): StoreState {
  if (entry.seq <= state.revision) return state;
  const id = keyString(entry.key);
  const next = evolveObject(state.objects.get(id), entry);
  const objects = new Map(state.objects);
  if (next === undefined) objects.delete(id);
  else objects.set(id, next);
  const subjectSeq = new Map(state.subjectSeq);
  subjectSeq.set(id, entry.seq);
  return { revision: entry.seq, objects, subjectSeq };
}

/** The same fold as evolve over many entries, copying the maps once instead of per entry. */
export function replay(entries: Iterable<LogEntry>, from: StoreState = emptyState): StoreState {
  let revision = from.revision;
  const objects = new Map(from.objects);
  const subjectSeq = new Map(from.subjectSeq);
  for (const entry of entries) {
    if (entry.seq <= revision) continue;
    const id = keyString(entry.key);
    const next = evolveObject(objects.get(id), entry);
    if (next === undefined) objects.delete(id);
    else objects.set(id, next);
    subjectSeq.set(id, entry.seq);
    revision = entry.seq;
  }
  return { revision, objects, subjectSeq };
}
