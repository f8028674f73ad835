/**
 * managedFields: who owns which fields of an object, one entry per manager and operation
 * (Apply or Update), each with its field set in FieldsV1. Pure:
 * - recordUpdate: a create, update or patch; the writer takes every field it changed
 *   (from everyone else) and fields it removed leave every set.
 * - serverSideApply (server-side-apply.ts) builds on the same entries.
 * Only what the user declares is tracked: not apiVersion, kind, the server-owned metadata,
 * nor status (its own subresource).
 */
import { deepEqual, omitKeys } from './json.ts';
import { difference, fieldSetOf, fromFieldsV1, pathOf, toFieldsV1, union, valueAt, type FieldSet } from './field-set.ts';
import { isPlainObject, type KubeObject } from './object.ts';
import type { Schema } from './schema/dsl.ts';

export type Operation = 'Apply' | 'Update';

export interface ManagedFieldsEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** One entry, decoded. */
export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time: string;
  fields: Set<string>;
}

export interface WriteContext {
  manager: string;
  /** RFC 3339. */
  now: string;
  apiVersion: string;
}

const UNTRACKED_METADATA = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

/** The part of an object whose fields have owners. */
export function trackedPart(object: Record<string, unknown>): Record<string, unknown> {
  const rest = omitKeys(object, ['apiVersion', 'kind', 'status', 'metadata']);
  const metadata = isPlainObject(object.metadata) ? omitKeys(object.metadata, UNTRACKED_METADATA) : {};
  return Object.keys(metadata).length > 0 ? { metadata, ...rest } : rest;
}

/** The entries of an object, decoded; malformed ones are dropped. */
export function managersOf(object: KubeObject): Manager[] {
  const entries = object.metadata.managedFields;
  if (!Array.isArray(entries)) return [];
  return entries.filter(isPlainObject).flatMap((e) => {
    if (typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) return [];
    return [
      {
        manager: e.manager,
        operation: e.operation,
        apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
        time: typeof e.time === 'string' ? e.time : '',
        fields: fromFieldsV1(e.fieldsV1),
      },
    ];
  });
}

/** Encoded entries, the empty ones dropped. */
export function encodeManagers(managers: readonly Manager[]): ManagedFieldsEntry[] {
  return managers
    .filter((m) => m.fields.size > 0)
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1(m.fields),
    }));
}

export const sameManager = (a: Pick<Manager, 'manager' | 'operation'>, b: Pick<Manager, 'manager' | 'operation'>) =>
  a.manager === b.manager && a.operation === b.operation;

/** Whether two entry lists give the same fields to the same managers (times aside). */
export function sameOwnership(a: readonly Manager[], b: readonly Manager[]): boolean {
  const key = (ms: readonly Manager[]) =>
    ms
      .filter((m) => m.fields.size > 0)
      .map((m) => JSON.stringify([m.manager, m.operation, m.apiVersion, [...m.fields].sort()]))
      .sort();
  return deepEqual(key(a), key(b));
}

/** The `managedFields` value that clears them all, as Kubernetes accepts it: `[{}]` (and `[]`). */
export function isManagedFieldsReset(value: unknown): boolean {
  return Array.isArray(value) && (value.length === 0 || (value.length === 1 && isPlainObject(value[0]) && Object.keys(value[0]).length === 0));
}

/** The fields an update from `before` to `after` changed (added or modified) and removed. */
export function changedFields(before: unknown, after: unknown, schema: Schema | undefined): { changed: Set<string>; removed: Set<string> } {
  const old = fieldSetOf(before, schema, 'all');
  const next = fieldSetOf(after, schema, 'all');
  const changed = new Set<string>();
  for (const key of next) {
    if (!old.has(key)) {
      changed.add(key);
      continue;
    }
    const path = pathOf(key);
    const a = valueAt(before, path, schema).value;
    const b = valueAt(after, path, schema).value;
    // Containers (maps, list items) change through their members; leaves by value.
    if (!isPlainObject(b) && !deepEqual(a, b)) changed.add(key);
  }
  return { changed, removed: difference(old, next) };
}

/**
 * The managers after a non-apply write from `before` (undefined for a create) to `after`.
 * undefined when the write changes no tracked field: the managers stay as they were.
 */
export function recordUpdate(before: KubeObject | undefined, after: KubeObject, schema: Schema | undefined, ctx: WriteContext): Manager[] | undefined {
  const managers = before ? managersOf(before) : [];
  const { changed, removed } = changedFields(before ? trackedPart(before) : {}, trackedPart(after), schema);
  if (changed.size === 0 && removed.size === 0) return undefined;
  const me = { manager: ctx.manager, operation: 'Update' as const };
  const next = managers.map((m) => (sameManager(m, me) ? m : { ...m, fields: difference(m.fields, changed, removed) }));
  const mine = next.find((m) => sameManager(m, me));
  const fields = difference(union(mine?.fields ?? new Set(), changed), removed);
  const entry: Manager = { ...me, apiVersion: ctx.apiVersion, time: ctx.now, fields };
  return mine ? next.map((m) => (m === mine ? entry : m)) : [...next, entry];
}

/** `object` with these managers (none: no managedFields at all). */
export function withManagers(object: KubeObject, managers: readonly Manager[]): KubeObject {
  const entries = encodeManagers(managers);
  const metadata = { ...object.metadata };
  if (entries.length > 0) metadata.managedFields = entries;
  else delete metadata.managedFields;
  return { ...object, metadata };
}

export const ownedBy = (managers: readonly Manager[], except: Pick<Manager, 'manager' | 'operation'>): FieldSet =>
  union(...managers.filter((m) => !sameManager(m, except)).map((m) => m.fields));
