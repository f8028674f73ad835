/**
 * Server-side apply, pure: merge a manager's applied configuration into the live object
 * by the schema's list semantics (structs and maps field by field, lists of type map item
 * by key, sets by value, atomic lists and scalars replaced), then
 * - conflicts: a field the configuration sets to another value than the live one, owned
 *   by another manager, is a 409 listing them all (Kubernetes' message), unless `force`,
 *   which takes the field from its owners;
 * - removal: a field this manager applied before and omits now goes, unless another
 *   manager owns it (or something under it);
 * - ownership: the manager's Apply entry becomes exactly the applied field set; a field
 *   applied with the live value is shared with its other owners.
 */
import { StatusError } from './errors.ts';
import {
  coversOrContains,
  difference,
  fieldSetOf,
  fieldsV1Of,
  isEmptyFieldsV1,
  isItemKeyField,
  itemKey,
  pathOf,
  printPath,
  rememberWritten,
  removeAt,
  valueAt,
  type FieldSet,
} from './field-set.ts';
import { deepCopy, deepEqual } from './json.ts';
import { managersOf, ownedBy, sameManager, trackedPart, type ManagedFieldsEntry, type Manager, type WriteContext } from './managed-fields.ts';
import { isPlainObject, type KubeObject } from './object.ts';
import type { Schema } from './schema/dsl.ts';

export interface ApplyOptions extends WriteContext {
  force: boolean;
}

export interface Conflict {
  manager: Manager;
  /** The field's key in a field set. */
  key: string;
  path: string[];
}

export interface Applied {
  object: KubeObject;
  managers: Manager[];
}

/** The applied configuration's field set: what the manager will own. */
export const appliedFields = (config: KubeObject, schema: Schema | undefined) => fieldSetOf(trackedPart(config), schema, 'applied');

/**
 * The managedFields of an object a server-side apply creates: its manager's Apply entry,
 * exactly the applied configuration (none when that sets no tracked field). What
 * withManagers gives for appliedFields, built as a tree in one walk.
 */
export function appliedCreatorEntries(config: KubeObject, schema: Schema | undefined, ctx: WriteContext): ManagedFieldsEntry[] {
  const fieldsV1 = fieldsV1Of(trackedPart(config), schema, 'applied');
  if (isEmptyFieldsV1(fieldsV1)) return [];
  return [{ manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, time: ctx.now, fieldsType: 'FieldsV1', fieldsV1: rememberWritten(fieldsV1) }];
}

/** The merged object and its managers; throws the 409 on conflicts without force. */
export function serverSideApply(live: KubeObject, config: KubeObject, schema: Schema | undefined, options: ApplyOptions): Applied {
  const me = { manager: options.manager, operation: 'Apply' as const };
  const managers = managersOf(live);
  const applied = appliedFields(config, schema);

  const conflicts = findConflicts(live, config, applied, managers, me, schema);
  if (conflicts.length > 0 && !options.force && !upgradesClientSideApply(live, conflicts, options.manager, schema)) throw applyConflict(conflicts);
  const taken = new Set(conflicts.map((c) => JSON.stringify(c.path)));

  let merged = mergeValue(live, config, schema) as KubeObject;
  const previous = managers.find((m) => sameManager(m, me))?.fields ?? new Set<string>();
  const others = managers.filter((m) => !sameManager(m, me)).map((m) => ({ ...m, fields: difference(m.fields, taken) }));
  const stillOwned = ownedBy(others, me);
  for (const key of difference(previous, applied)) {
    const path = pathOf(key);
    if (!isItemKeyField(path) && !coversOrContains(stillOwned, path)) merged = removeAt(merged, path, schema);
  }

  const entry: Manager = { ...me, apiVersion: options.apiVersion, time: options.now, fields: new Set(applied) };
  const mine = managers.some((m) => sameManager(m, me));
  const next = mine ? managers.map((m) => (sameManager(m, me) ? entry : others.find((o) => sameManager(o, m))!)) : [...others, entry];
  return { object: merged, managers: next };
}

/**
 * kubectl's first server-side apply of an object it applied client-side: conflicts over
 * fields of the last-applied-configuration annotation are forced, so the user moves to
 * server-side apply without --force-conflicts (Kubernetes' lastAppliedManager, for the
 * manager "kubectl" only). Any other conflict still fails the apply.
 */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function upgradesClientSideApply(live: KubeObject, conflicts: readonly Conflict[], manager: string, schema: Schema | undefined): boolean {
  const annotation = live.metadata.annotations?.[LAST_APPLIED];
  if (manager !== 'kubectl' || !annotation) return false;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(annotation);
  } catch {
    return false;
  }
  if (!isPlainObject(lastApplied)) return false;
  const owned = fieldSetOf(trackedPart(lastApplied), schema, 'applied');
  return conflicts.every((c) => owned.has(c.key));
}

function findConflicts(
  live: KubeObject,
  config: KubeObject,
  applied: FieldSet,
  managers: readonly Manager[],
  me: Pick<Manager, 'manager' | 'operation'>,
  schema: Schema | undefined,
): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const manager of managers) {
    if (sameManager(manager, me)) continue;
    for (const key of applied) {
      if (!manager.fields.has(key)) continue;
      const path = pathOf(key);
      const now = valueAt(live, path, schema);
      const wanted = valueAt(config, path, schema);
      // A list item (or map) agrees by being there; its members are compared one by one.
      const container = isPlainObject(wanted.value);
      if (!now.found || (!container && !deepEqual(now.value, wanted.value))) conflicts.push({ manager, key, path });
    }
  }
  return conflicts;
}

/** `"kubectl-edit" using apps/v1` for an Update manager, `"name"` for an Apply one. */
function printManager(m: Manager): string {
  const name = JSON.stringify(m.manager);
  return m.operation === 'Update' ? `${name} using ${m.apiVersion}` : name;
}

/** The 409 of Kubernetes' field manager, its message word for word. */
export function applyConflict(conflicts: readonly Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: printPath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const [c] = conflicts;
    message = `Apply failed with 1 conflict: conflict with ${printManager(c!.manager)}: ${printPath(c!.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const name = printManager(c.manager);
      byManager.set(name, [...(byManager.get(name) ?? []), printPath(c.path)]);
    }
    const lines = [...byManager.keys()].sort().flatMap((name) => [`conflicts with ${name}:`, ...byManager.get(name)!.map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

function childSchema(schema: Schema | undefined, field: string): Schema | undefined {
  if (schema?.kind === 'object') return Object.hasOwn(schema.properties, field) ? schema.properties[field] : undefined;
  if (schema?.kind === 'map') return schema.values;
  return undefined;
}

/** The applied value merged into the live one by list semantics. */
export function mergeValue(live: unknown, applied: unknown, schema: Schema | undefined): unknown {
  if (isPlainObject(applied) && isPlainObject(live) && schema?.kind !== 'any') {
    const out = deepCopy(live);
    for (const [field, value] of Object.entries(applied)) {
      if (value === undefined || value === null) continue;
      out[field] = mergeValue(out[field], value, childSchema(schema, field));
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live) && schema?.kind === 'list') {
    if (schema.listType === 'map' && schema.mapKeys && schema.mapKeys.length > 0) {
      const keys = schema.mapKeys;
      const out = deepCopy(live);
      for (const item of applied) {
        if (!isPlainObject(item)) continue;
        const at = out.findIndex((o) => isPlainObject(o) && itemKey(o, keys) === itemKey(item, keys));
        if (at >= 0) out[at] = mergeValue(out[at], item, schema.items);
        else out.push(deepCopy(item));
      }
      return out;
    }
    if (schema.listType === 'set') return [...deepCopy(live), ...applied.filter((v) => !live.some((l) => deepEqual(l, v))).map(deepCopy)];
  }
  return deepCopy(applied);
}
