/**
 * managedFields: who owns which fields of an object, one entry per manager and operation
 * (Apply or Update), each with its field set in FieldsV1. Pure:
 * - recordUpdate: a create, update or patch; the writer takes every field it changed
 *   (from everyone else) and fields it removed leave every set. It runs on every write,
 *   so it works on the FieldsV1 trees themselves: one walk of the old and new object,
 *   and entries the write does not touch are kept as they are.
 * - serverSideApply (server-side-apply.ts) builds on the same entries, decoded (managersOf).
 * Only what the user declares is tracked: not apiVersion, kind, the server-owned metadata,
 * nor status (its own subresource).
 * - A write through a subresource (status, finalize) is recorded as Kubernetes records it:
 *   its own entry, `subresource: "status"`, apart from the same manager's entry for the main
 *   resource; a status write owns the status fields it changed (status is tracked there only).
 */
import { deepEqual, setOwn } from './json.ts';
import {
  diffFieldsV1,
  difference,
  fieldSetOf,
  fieldsV1Of,
  fromFieldsV1,
  isEmptyFieldsV1,
  pathOf,
  readFieldsV1,
  rememberWritten,
  subtractFieldsV1,
  toFieldsV1,
  union,
  unionFieldsV1,
  valueAt,
  type FieldSet,
  type FieldsV1,
  type FieldsV1Diff,
} from './field-set.ts';
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
  /** The subresource the manager wrote through ("status"); none for the main resource. */
  subresource?: string;
}

export interface WriteContext {
  manager: string;
  /** RFC 3339. */
  now: string;
  apiVersion: string;
  /** Written through this subresource (an update or patch of .../status). */
  subresource?: string;
}

/** The subresource of a stored entry, when it names one. */
const subresourceOf = (entry: Record<string, unknown>): string | undefined =>
  typeof entry.subresource === 'string' && entry.subresource !== '' ? entry.subresource : undefined;

const UNTRACKED_METADATA: ReadonlySet<string> = new Set([
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
]);
const UNTRACKED: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'status', 'metadata']);

/** A shallow copy without these keys. */
function without(value: Record<string, unknown>, keys: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (!keys.has(key)) setOwn(out, key, value[key]);
  return out;
}

/** The part of an object a status write can change, and its writer owns. */
export function statusPart(object: Record<string, unknown>): Record<string, unknown> {
  return object.status === undefined ? {} : { status: object.status };
}

/** The part of an object whose fields have owners. */
export function trackedPart(object: Record<string, unknown>): Record<string, unknown> {
  const rest = without(object, UNTRACKED);
  const metadata = isPlainObject(object.metadata) ? without(object.metadata, UNTRACKED_METADATA) : {};
  return Object.keys(metadata).length > 0 ? { metadata, ...rest } : rest;
}

/** The entries of an object, decoded; malformed ones are dropped. */
export function managersOf(object: KubeObject): Manager[] {
  const entries = object.metadata.managedFields;
  if (!Array.isArray(entries)) return [];
  return entries.filter(isPlainObject).flatMap((e) => {
    if (typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) return [];
    const subresource = subresourceOf(e);
    return [
      {
        manager: e.manager,
        operation: e.operation,
        apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
        time: typeof e.time === 'string' ? e.time : '',
        fields: fromFieldsV1(e.fieldsV1),
        ...(subresource ? { subresource } : {}),
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
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

type ManagerIdentity = Pick<Manager, 'manager' | 'operation' | 'subresource'>;

/** One manager is a name, an operation and the subresource it writes through (Kubernetes' manager identifier). */
export const sameManager = (a: ManagerIdentity, b: ManagerIdentity) =>
  a.manager === b.manager && a.operation === b.operation && (a.subresource ?? '') === (b.subresource ?? '');

/** Whether two entry lists give the same fields to the same managers (times aside). */
export function sameOwnership(a: readonly Manager[], b: readonly Manager[]): boolean {
  const key = (ms: readonly Manager[]) =>
    ms
      .filter((m) => m.fields.size > 0)
      .map((m) => JSON.stringify([m.manager, m.operation, m.subresource ?? '', m.apiVersion, [...m.fields].sort()]))
      .sort();
  return deepEqual(key(a), key(b));
}

/** The `managedFields` value that clears them all, as Kubernetes accepts it: `[{}]` (and `[]`). */
export function isManagedFieldsReset(value: unknown): boolean {
  return Array.isArray(value) && (value.length === 0 || (value.length === 1 && isPlainObject(value[0]) && Object.keys(value[0]).length === 0));
}

/**
 * The fields an update from `before` to `after` changed (added or modified) and removed,
 * path by path: what diffFieldsV1 does in one walk, for the lists it leaves to this (two
 * items with one key).
 */
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

function changedFieldsV1(before: unknown, after: unknown, schema: Schema | undefined): FieldsV1Diff {
  // A create: everything is new.
  if (before === undefined) return { changed: fieldsV1Of(after, schema, 'all'), removed: {} };
  const diff = diffFieldsV1(before, after, schema);
  if (diff) return diff;
  const { changed, removed } = changedFields(before, after, schema);
  return { changed: toFieldsV1(changed) as FieldsV1, removed: toFieldsV1(removed) as FieldsV1 };
}

/** A stored entry with its fields as a tree (see readFieldsV1); malformed ones are dropped, as managersOf drops them. */
interface StoredEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time: string;
  fields: FieldsV1;
  rootMember: boolean;
  subresource?: string;
}

function storedEntries(object: KubeObject): StoredEntry[] {
  const entries = object.metadata.managedFields;
  if (!Array.isArray(entries)) return [];
  const out: StoredEntry[] = [];
  for (const e of entries) {
    if (!isPlainObject(e) || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) continue;
    const { tree, rootMember } = readFieldsV1(e.fieldsV1);
    const subresource = subresourceOf(e);
    out.push({
      manager: e.manager,
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      time: typeof e.time === 'string' ? e.time : '',
      fields: tree,
      rootMember,
      ...(subresource ? { subresource } : {}),
    });
  }
  return out;
}

/** The entry of a stored one with these fields; undefined when it owns nothing (it leaves the list). */
function entryOf(m: Omit<StoredEntry, 'fields'>, fields: FieldsV1): ManagedFieldsEntry | undefined {
  const empty = isEmptyFieldsV1(fields);
  if (empty && !m.rootMember) return undefined;
  const fieldsV1 = !m.rootMember ? rememberWritten(fields) : empty ? {} : { '.': {}, ...fields };
  const entry: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, time: m.time, fieldsType: 'FieldsV1', fieldsV1 };
  if (m.subresource) entry.subresource = m.subresource;
  return entry;
}

/**
 * The managedFields after a non-apply write from `before` (undefined for a create) to
 * `after`: the writer's Update entry takes what the write changed, every other entry
 * loses it, and removed fields leave them all. undefined when the write changes no
 * tracked field: the entries stay as they were. A status write (ctx.subresource
 * "status") compares status only, and its entry is the manager's status entry.
 */
export function recordUpdate(before: KubeObject | undefined, after: KubeObject, schema: Schema | undefined, ctx: WriteContext): ManagedFieldsEntry[] | undefined {
  const part = ctx.subresource === 'status' ? statusPart : trackedPart;
  const { changed, removed } = changedFieldsV1(before && part(before), part(after), schema);
  if (isEmptyFieldsV1(changed) && isEmptyFieldsV1(removed)) return undefined;
  const me = { manager: ctx.manager, operation: 'Update' as const, ...(ctx.subresource ? { subresource: ctx.subresource } : {}) };
  const out: ManagedFieldsEntry[] = [];
  let found = false;
  for (const m of before ? storedEntries(before) : []) {
    let entry: ManagedFieldsEntry | undefined;
    // The writer's (first) entry is replaced where it stands; a second one stays as it is.
    if (!sameManager(m, me)) entry = entryOf(m, subtractFieldsV1(subtractFieldsV1(m.fields, changed), removed));
    else if (found) entry = entryOf(m, m.fields);
    else entry = writersEntry(m, changed, removed, ctx);
    if (entry) out.push(entry);
    found ||= sameManager(m, me);
  }
  if (!found) {
    const entry = writersEntry(undefined, changed, removed, ctx);
    if (entry) out.push(entry);
  }
  return out;
}

/** The writer's Update entry: what it had, with what it changed, less what it removed. */
function writersEntry(previous: StoredEntry | undefined, changed: FieldsV1, removed: FieldsV1, ctx: WriteContext): ManagedFieldsEntry | undefined {
  const fields = subtractFieldsV1(unionFieldsV1(previous?.fields ?? {}, changed), removed);
  const entry = {
    manager: ctx.manager,
    operation: 'Update' as const,
    apiVersion: ctx.apiVersion,
    time: ctx.now,
    rootMember: previous?.rootMember ?? false,
    ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
  };
  return entryOf(entry, fields);
}

/** `object` with these entries (none: no managedFields at all). */
export function withManagedFields(object: KubeObject, entries: readonly ManagedFieldsEntry[]): KubeObject {
  const metadata = { ...object.metadata };
  if (entries.length > 0) metadata.managedFields = [...entries];
  else delete metadata.managedFields;
  return { ...object, metadata };
}

/** `object` with these managers (none: no managedFields at all). */
export const withManagers = (object: KubeObject, managers: readonly Manager[]): KubeObject => withManagedFields(object, encodeManagers(managers));

export const ownedBy = (managers: readonly Manager[], except: Pick<Manager, 'manager' | 'operation'>): FieldSet =>
  union(...managers.filter((m) => !sameManager(m, except)).map((m) => m.fields));
