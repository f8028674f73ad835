/**
 * The managedFields computation as it was first written (path arrays, a JSON string per
 * path, set operations on strings): slow, but plainly right. Kept, self-contained, as the
 * reference the one-walk version in src/api is checked against (property tests) and
 * measured against (bench/create-cost.ts).
 */
import { deepEqual, omitKeys } from '../../src/api/json.ts';
import { isPlainObject, type KubeObject } from '../../src/api/object.ts';
import type { ListSchema, Schema } from '../../src/api/schema/dsl.ts';

type Path = readonly string[];
type Granularity = 'applied' | 'all';
type Operation = 'Apply' | 'Update';

export interface ReferenceManager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time: string;
  fields: Set<string>;
}

const pathKey = (path: Path) => JSON.stringify(path);
const pathOf = (key: string) => JSON.parse(key) as string[];

const MAP_KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

function childSchema(schema: Schema | undefined, field: string): Schema | undefined {
  if (schema?.kind === 'object') return Object.hasOwn(schema.properties, field) ? schema.properties[field] : undefined;
  if (schema?.kind === 'map') return schema.values;
  return undefined;
}

const isKeyedList = (schema: Schema | undefined): schema is ListSchema & { mapKeys: readonly string[] } =>
  schema?.kind === 'list' && schema.listType === 'map' && (schema.mapKeys?.length ?? 0) > 0;

function itemKey(item: Record<string, unknown>, mapKeys: readonly string[]): string {
  const key: Record<string, unknown> = {};
  for (const name of [...mapKeys].sort()) {
    const value = item[name] ?? MAP_KEY_DEFAULTS[name];
    if (value !== undefined) key[name] = value;
  }
  return `k:${JSON.stringify(key)}`;
}

export function referenceFieldSetOf(value: unknown, schema: Schema | undefined, granularity: Granularity): Set<string> {
  const out = new Set<string>();
  walk(value, schema, [], granularity, out);
  return out;
}

function walk(value: unknown, schema: Schema | undefined, path: string[], granularity: Granularity, out: Set<string>): void {
  const here = () => {
    if (path.length > 0) out.add(pathKey(path));
  };
  if (isPlainObject(value) && schema?.kind !== 'any') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (granularity === 'all' && schema?.kind === 'map') here();
    for (const [field, child] of entries) walk(child, childSchema(schema, field), [...path, `f:${field}`], granularity, out);
    return;
  }
  if (Array.isArray(value) && isKeyedList(schema)) {
    for (const item of value) {
      if (!isPlainObject(item)) continue;
      const itemPath = [...path, itemKey(item, schema.mapKeys)];
      out.add(pathKey(itemPath));
      for (const [field, child] of Object.entries(item)) {
        if (child !== undefined) walk(child, childSchema(schema.items, field), [...itemPath, `f:${field}`], granularity, out);
      }
    }
    if (value.length === 0) here();
    return;
  }
  if (Array.isArray(value) && schema?.kind === 'list' && schema.listType === 'set') {
    for (const item of value) out.add(pathKey([...path, `v:${JSON.stringify(item)}`]));
    if (value.length === 0) here();
    return;
  }
  here();
}

function valueAt(value: unknown, path: Path, schema: Schema | undefined): { found: boolean; value?: unknown } {
  let node: unknown = value;
  let sub = schema;
  for (const element of path) {
    const step = stepInto(node, element, sub);
    if (!step) return { found: false };
    node = step.value;
    sub = step.schema;
  }
  return { found: true, value: node };
}

function stepInto(node: unknown, element: string, schema: Schema | undefined): { value: unknown; schema: Schema | undefined } | undefined {
  if (element.startsWith('f:')) {
    const field = element.slice(2);
    if (!isPlainObject(node) || !Object.hasOwn(node, field) || node[field] === undefined) return undefined;
    return { value: node[field], schema: childSchema(schema, field) };
  }
  if (!Array.isArray(node)) return undefined;
  if (element.startsWith('k:') && isKeyedList(schema)) {
    const at = node.findIndex((item) => isPlainObject(item) && itemKey(item, schema.mapKeys) === element);
    return at < 0 ? undefined : { value: node[at], schema: schema.items };
  }
  if (element.startsWith('v:')) {
    const wanted: unknown = JSON.parse(element.slice(2));
    const at = node.findIndex((item) => deepEqual(item, wanted));
    return at < 0 ? undefined : { value: node[at], schema: undefined };
  }
  return undefined;
}

const union = (...sets: ReadonlySet<string>[]): Set<string> => new Set(sets.flatMap((s) => [...s]));
const difference = (a: ReadonlySet<string>, ...others: ReadonlySet<string>[]): Set<string> =>
  new Set([...a].filter((p) => !others.some((o) => o.has(p))));

type Tree = { member: boolean; children: Map<string, Tree> };

export function referenceToFieldsV1(set: ReadonlySet<string>): Record<string, unknown> {
  const root: Tree = { member: false, children: new Map() };
  for (const key of set) {
    let node = root;
    for (const element of pathOf(key)) {
      let next = node.children.get(element);
      if (!next) node.children.set(element, (next = { member: false, children: new Map() }));
      node = next;
    }
    node.member = true;
  }
  const render = (node: Tree): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node.member && node.children.size > 0) out['.'] = {};
    for (const element of [...node.children.keys()].sort()) out[element] = render(node.children.get(element)!);
    return out;
  };
  return render(root);
}

export function referenceFromFieldsV1(tree: unknown): Set<string> {
  const out = new Set<string>();
  const read = (node: unknown, path: string[]) => {
    if (!isPlainObject(node)) return;
    const entries = Object.entries(node);
    if (entries.length === 0 && path.length > 0) out.add(pathKey(path));
    for (const [element, child] of entries) {
      if (element === '.') out.add(pathKey(path));
      else read(child, [...path, element]);
    }
  };
  read(tree, []);
  return out;
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

function trackedPart(object: Record<string, unknown>): Record<string, unknown> {
  const rest = omitKeys(object, ['apiVersion', 'kind', 'status', 'metadata']);
  const metadata = isPlainObject(object.metadata) ? omitKeys(object.metadata, UNTRACKED_METADATA) : {};
  return Object.keys(metadata).length > 0 ? { metadata, ...rest } : rest;
}

function managersOf(object: KubeObject): ReferenceManager[] {
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
        fields: referenceFromFieldsV1(e.fieldsV1),
      },
    ];
  });
}

function encodeManagers(managers: readonly ReferenceManager[]) {
  return managers
    .filter((m) => m.fields.size > 0)
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: referenceToFieldsV1(m.fields),
    }));
}

const sameManager = (a: Pick<ReferenceManager, 'manager' | 'operation'>, b: Pick<ReferenceManager, 'manager' | 'operation'>) =>
  a.manager === b.manager && a.operation === b.operation;

export function referenceChangedFields(before: unknown, after: unknown, schema: Schema | undefined): { changed: Set<string>; removed: Set<string> } {
  const old = referenceFieldSetOf(before, schema, 'all');
  const next = referenceFieldSetOf(after, schema, 'all');
  const changed = new Set<string>();
  for (const key of next) {
    if (!old.has(key)) {
      changed.add(key);
      continue;
    }
    const path = pathOf(key);
    const a = valueAt(before, path, schema).value;
    const b = valueAt(after, path, schema).value;
    if (!isPlainObject(b) && !deepEqual(a, b)) changed.add(key);
  }
  return { changed, removed: difference(old, next) };
}

export function referenceRecordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  schema: Schema | undefined,
  ctx: { manager: string; now: string; apiVersion: string },
): ReferenceManager[] | undefined {
  const managers = before ? managersOf(before) : [];
  const { changed, removed } = referenceChangedFields(before ? trackedPart(before) : {}, trackedPart(after), schema);
  if (changed.size === 0 && removed.size === 0) return undefined;
  const me = { manager: ctx.manager, operation: 'Update' as const };
  const next = managers.map((m) => (sameManager(m, me) ? m : { ...m, fields: difference(m.fields, changed, removed) }));
  const mine = next.find((m) => sameManager(m, me));
  const fields = difference(union(mine?.fields ?? new Set(), changed), removed);
  const entry: ReferenceManager = { ...me, apiVersion: ctx.apiVersion, time: ctx.now, fields };
  return mine ? next.map((m) => (m === mine ? entry : m)) : [...next, entry];
}

export function referenceWithManagers(object: KubeObject, managers: readonly ReferenceManager[]): KubeObject {
  const entries = encodeManagers(managers);
  const metadata = { ...object.metadata };
  if (entries.length > 0) metadata.managedFields = entries;
  else delete metadata.managedFields;
  return { ...object, metadata };
}

/** field-manager.ts's recordWrite as it was (the status subresource and the cleared case aside). */
export function referenceRecordWrite(
  before: KubeObject | undefined,
  after: KubeObject,
  schema: Schema | undefined,
  ctx: { manager: string; now: string; apiVersion: string },
): KubeObject {
  if (before?.metadata.managedFields !== undefined && after.metadata.managedFields === undefined) return after;
  const managers = referenceRecordUpdate(before, after, schema, ctx);
  return managers ? referenceWithManagers(after, managers) : after;
}

/** server-side-apply.ts's appliedFields as it was. */
export const referenceAppliedFields = (config: KubeObject, schema: Schema | undefined) =>
  referenceFieldSetOf(trackedPart(config), schema, 'applied');
