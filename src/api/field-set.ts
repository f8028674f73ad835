/**
 * Field sets, as structured-merge-diff has them: the set of paths an object's fields sit
 * at, driven by the kind's schema (schema/dsl.ts). A path is a list of elements in
 * Kubernetes' FieldsV1 spelling: `f:<field>` for a struct field or map key, `k:{..}` for an
 * item of a list of type map (by its map keys), `v:<json>` for an item of a set. Atomic
 * lists and scalars are leaves. Sets convert to and from the `fieldsV1` tree of
 * managedFields, where `.` marks a node that is itself a member. Pure; inputs are never
 * mutated.
 */
import { deepCopy, deepEqual } from './json.ts';
import { isPlainObject } from './object.ts';
import type { ListSchema, Schema } from './schema/dsl.ts';

export type Path = readonly string[];
/** Paths, each kept as the JSON of its elements, so that set operations are string ones. */
export type FieldSet = ReadonlySet<string>;

export const pathKey = (path: Path) => JSON.stringify(path);
export const pathOf = (key: string) => JSON.parse(key) as string[];

/**
 * What a field set counts: 'applied' (server-side apply's view of an applied
 * configuration: leaves and list items) or 'all' (also maps, the nodes an update adds:
 * `.` in managedFields of Update operations). Structs are never members themselves.
 */
export type Granularity = 'applied' | 'all';

/** Map keys with a schema default: an applied port without a protocol is the TCP one. */
const MAP_KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

function childSchema(schema: Schema | undefined, field: string): Schema | undefined {
  if (schema?.kind === 'object') return Object.hasOwn(schema.properties, field) ? schema.properties[field] : undefined;
  if (schema?.kind === 'map') return schema.values;
  return undefined;
}

const isKeyedList = (schema: Schema | undefined): schema is ListSchema & { mapKeys: readonly string[] } =>
  schema?.kind === 'list' && schema.listType === 'map' && (schema.mapKeys?.length ?? 0) > 0;

/** The `k:{...}` element of a list item: its map keys (defaulted where Kubernetes defaults them), sorted. */
export function itemKey(item: Record<string, unknown>, mapKeys: readonly string[]): string {
  const key: Record<string, unknown> = {};
  for (const name of [...mapKeys].sort()) {
    const value = item[name] ?? MAP_KEY_DEFAULTS[name];
    if (value !== undefined) key[name] = value;
  }
  return `k:${JSON.stringify(key)}`;
}

/** The field set of `value` under `schema`. */
export function fieldSetOf(value: unknown, schema: Schema | undefined, granularity: Granularity): Set<string> {
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
    // A struct is never owned itself (owning `spec` would remove all of it with the owner's
    // last field); a map is, by the update that wrote it.
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

/** Where `path` leads in `value`: found or not, and what is there. */
export function valueAt(value: unknown, path: Path, schema: Schema | undefined): { found: boolean; value?: unknown } {
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

type Step = { value: unknown; schema: Schema | undefined; holder: Record<string, unknown> | unknown[]; at: string | number };

function stepInto(node: unknown, element: string, schema: Schema | undefined): Step | undefined {
  if (element.startsWith('f:')) {
    const field = element.slice(2);
    if (!isPlainObject(node) || !Object.hasOwn(node, field) || node[field] === undefined) return undefined;
    return { value: node[field], schema: childSchema(schema, field), holder: node, at: field };
  }
  if (!Array.isArray(node)) return undefined;
  if (element.startsWith('k:') && isKeyedList(schema)) {
    const at = node.findIndex((item) => isPlainObject(item) && itemKey(item, schema.mapKeys) === element);
    return at < 0 ? undefined : { value: node[at], schema: schema.items, holder: node, at };
  }
  if (element.startsWith('v:')) {
    const wanted: unknown = JSON.parse(element.slice(2));
    const at = node.findIndex((item) => deepEqual(item, wanted));
    return at < 0 ? undefined : { value: node[at], schema: undefined, holder: node, at };
  }
  return undefined;
}

/** A copy of `value` without what sits at `path` (a field, a list item); unchanged when absent. */
export function removeAt<T>(value: T, path: Path, schema: Schema | undefined): T {
  if (path.length === 0) return value;
  const copy = deepCopy(value);
  let node: unknown = copy;
  let sub = schema;
  for (let i = 0; i < path.length; i++) {
    const step = stepInto(node, path[i]!, sub);
    if (!step) return value;
    if (i === path.length - 1) {
      if (Array.isArray(step.holder)) step.holder.splice(step.at as number, 1);
      else delete step.holder[step.at as string];
    }
    node = step.value;
    sub = step.schema;
  }
  return copy;
}

export const union = (...sets: FieldSet[]): Set<string> => new Set(sets.flatMap((s) => [...s]));
export const difference = (a: FieldSet, ...others: FieldSet[]): Set<string> => new Set([...a].filter((p) => !others.some((o) => o.has(p))));
export const intersection = (a: FieldSet, b: FieldSet): Set<string> => new Set([...a].filter((p) => b.has(p)));

/** Whether `path` is a key field of a list item (`...k:{"name":"x"}.f:name`): it goes with its item only. */
export function isItemKeyField(path: Path): boolean {
  const parent = path.at(-2);
  const last = path.at(-1);
  if (!parent?.startsWith('k:') || !last?.startsWith('f:')) return false;
  const key = JSON.parse(parent.slice(2)) as Record<string, unknown>;
  return Object.hasOwn(key, last.slice(2));
}

/** Whether `set` holds `path` or anything under it. */
export function coversOrContains(set: FieldSet, path: Path): boolean {
  const prefix = pathKey(path).slice(0, -1);
  for (const p of set) if (p === pathKey(path) || p.startsWith(`${prefix},`)) return true;
  return false;
}

type Tree = { member: boolean; children: Map<string, Tree> };

/** The `fieldsV1` tree of a set: `{"f:spec":{"f:replicas":{}}}`, `.` for a member with children. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
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

/** The set a `fieldsV1` tree describes; anything malformed counts as nothing. */
export function fromFieldsV1(tree: unknown): Set<string> {
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

/** `.spec.template.spec.containers[name="nginx"].image`, as Kubernetes prints a path in a conflict. */
export function printPath(path: Path): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith('f:')) return `.${body}`;
      if (element.startsWith('v:')) return `[=${body}]`;
      if (element.startsWith('k:')) {
        const key = JSON.parse(body) as Record<string, unknown>;
        return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      return `[${body}]`;
    })
    .join('');
}
