/**
 * The history of one object in a log: every change, oldest first, with its revision, log
 * time, type, who made it and the fields it changed.
 *
 * Who: the writer is read from the object itself (`replay history` adds the user the audit
 * trail recorded for the revision, when the live log has one): the
 * managedFields entries that are new or changed in that step (their manager, operation
 * and subresource: a status write is its manager's entry with subresource "status"). A
 * manager writing again within the same second the same field set leaves its entry as
 * it was; then the writer is the manager that owns the changed fields
 * (marked "owner of"), which is who wrote them last. A delete, or a change of fields no
 * one owns, names no writer; that is said, not guessed.
 * managedFields and resourceVersion are left out of the diff (the writer line shows them).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectKey, WatchEventType } from '../api/object.ts';
import { diffObjects, type FieldChange } from '../present/object-diff.ts';
import type { LogEntry } from '../store/log-entry.ts';

export interface Writer {
  manager: string;
  operation?: string;
  subresource?: string;
  /** Named as the owner of the changed fields, not from a changed managedFields entry. */
  byOwnership?: boolean;
}

export interface HistoryStep {
  seq: number;
  time: number;
  type: WatchEventType;
  /** uid of the object in this step (a name reused after a delete is a new object). */
  uid?: string;
  writers: Writer[];
  changes: FieldChange[];
  /** The object after the step (before it, for DELETED: the tombstone's last state). */
  object: KubeObject;
}

interface ManagedEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string;
  fieldsV1?: Record<string, unknown>;
}

/** Whether a FieldsV1 tree covers a changed path ("status.conditions[1].status": down to the first list). */
function covers(fields: Record<string, unknown> | undefined, path: string): boolean {
  let node: unknown = fields;
  for (const part of path.split('.')) {
    const name = part.replace(/\[\d+\]$/, '');
    if (typeof node !== 'object' || node === null) return false;
    const child = (node as Record<string, unknown>)[`f:${name}`];
    if (child === undefined) return false;
    if (name !== part) return true; // a list item: owned when the list is
    node = child;
  }
  return true;
}

/** The managers whose field sets cover any of the changed paths. */
export function ownersOf(object: KubeObject, changes: FieldChange[]): Writer[] {
  const entries = (object.metadata.managedFields ?? []) as ManagedEntry[];
  return entries
    .filter((entry) => changes.some((change) => covers(entry.fieldsV1, change.path)))
    .map((entry) => ({
      manager: entry.manager ?? '(unknown)',
      ...(entry.operation ? { operation: entry.operation } : {}),
      ...(entry.subresource ? { subresource: entry.subresource } : {}),
      byOwnership: true,
    }));
}

/** The managedFields entries new or changed between two versions: who wrote this step. */
export function writersOf(before: KubeObject | undefined, after: KubeObject): Writer[] {
  const old = (before?.metadata.managedFields ?? []) as ManagedEntry[];
  const now = (after.metadata.managedFields ?? []) as ManagedEntry[];
  return now
    .filter((entry) => !old.some((o) => isDeepStrictEqual(o, entry)))
    .map((entry) => ({
      manager: entry.manager ?? '(unknown)',
      ...(entry.operation ? { operation: entry.operation } : {}),
      ...(entry.subresource ? { subresource: entry.subresource } : {}),
    }));
}

function withoutBookkeeping(object: KubeObject | undefined): KubeObject | undefined {
  if (!object) return undefined;
  const { managedFields: _m, resourceVersion: _r, ...metadata } = object.metadata;
  return { ...object, metadata };
}

export function sameKey(a: ObjectKey, b: ObjectKey): boolean {
  return a.resource === b.resource && a.namespace === b.namespace && a.name === b.name;
}

/** Every change of the object at `key`, oldest first. */
export async function objectHistory(entries: AsyncIterable<LogEntry> | Iterable<LogEntry>, key: ObjectKey): Promise<HistoryStep[]> {
  const steps: HistoryStep[] = [];
  let previous: KubeObject | undefined;
  for await (const entry of entries) {
    if (!sameKey(entry.key, key)) continue;
    steps.push(historyStep(previous, entry));
    previous = entry.type === 'DELETED' ? undefined : entry.object;
  }
  return steps;
}

export function historyStep(previous: KubeObject | undefined, entry: LogEntry): HistoryStep {
  const changes = entry.type === 'MODIFIED' ? diffObjects(withoutBookkeeping(previous), withoutBookkeeping(entry.object)) : [];
  return {
    seq: entry.seq,
    time: entry.time,
    type: entry.type,
    ...(entry.object.metadata.uid ? { uid: entry.object.metadata.uid } : {}),
    writers: entry.type === 'DELETED' ? [] : whoWrote(previous, entry.object, changes),
    changes,
    object: entry.object,
  };
}

function whoWrote(previous: KubeObject | undefined, object: KubeObject, changes: FieldChange[]): Writer[] {
  const changed = writersOf(previous, object);
  return changed.length > 0 ? changed : ownersOf(object, changes);
}

export function formatWriters(step: HistoryStep): string {
  if (step.writers.length === 0) {
    if (step.type === 'DELETED') return 'by ? (a delete leaves no managedFields entry)';
    if (step.type === 'ADDED') return 'by ? (it carries no managedFields)';
    if (step.changes.length > 0 && step.changes.every((c) => c.path === 'status' || c.path.startsWith('status.'))) {
      return 'by ? (a status write that left no managedFields entry: recorded before status writes had theirs)';
    }
    return 'by ? (no managedFields entry changed)';
  }
  const named = step.writers.map((w) => `${w.manager}${w.operation ? ` (${w.operation}${w.subresource ? ` ${w.subresource}` : ''})` : ''}`).join(', ');
  return step.writers.every((w) => w.byOwnership) ? `by ${named} (owner of the changed fields)` : `by ${named}`;
}
