/**
 * Field sets, as structured-merge-diff has them: the set of paths an object's fields sit
 * at, driven by the kind's schema (schema/dsl.ts). A path is a list of elements in
 * Kubernetes' FieldsV1 spelling: `f:<field>` for a struct field or map key, `k:{..}` for an
 * item of a list of type map (by its map keys), `v:<json>` for an item of a set. Atomic
 * lists and scalars are leaves. Sets convert to and from the `fieldsV1` tree of
 * managedFields, where `.` marks a node that is itself a member. Pure; inputs are never
 * mutated.
 *
 * Two spellings of one thing: a FieldSet (a string per path, for server-side apply's
 * path-by-path rules) and a FieldsV1 tree, built, compared and combined in one walk (the
 * field manager of every create, update and patch, where the cost per write matters).
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

/**
 * `f:<field>`, the same string each time: a key spelt anew has to be hashed and looked up
 * as a property name on every use, a remembered one is already. Bounded, as map keys
 * (labels, annotations) are the users'.
 */
const fieldElements = new Map<string, string>();
const MAX_FIELD_ELEMENTS = 10_000;

function fieldElement(field: string): string {
  let element = fieldElements.get(field);
  if (element === undefined) {
    if (fieldElements.size >= MAX_FIELD_ELEMENTS) fieldElements.clear();
    fieldElements.set(field, (element = `f:${field}`));
  }
  return element;
}

/**
 * Each schema's map keys, sorted, with their JSON spelling, and for a single key the
 * elements of the string values met (as fieldElement, for the same reason): an item key
 * is written per item of every write.
 */
interface MapKeys {
  sorted: readonly (readonly [name: string, json: string])[];
  elements: Map<string, string>;
}
const mapKeysBySchema = new WeakMap<readonly string[], MapKeys>();

function mapKeysOf(mapKeys: readonly string[]): MapKeys {
  let known = mapKeysBySchema.get(mapKeys);
  if (!known) {
    known = { sorted: [...mapKeys].sort().map((name) => [name, JSON.stringify(name)] as const), elements: new Map() };
    mapKeysBySchema.set(mapKeys, known);
  }
  return known;
}

/**
 * The `k:{...}` element of a list item: its map keys (defaulted where Kubernetes defaults
 * them), sorted; the JSON of the key object, written without building it.
 */
export function itemKey(item: Record<string, unknown>, mapKeys: readonly string[]): string {
  const { sorted, elements } = mapKeysOf(mapKeys);
  if (sorted.length === 1) {
    const [name, quotedName] = sorted[0]!;
    const value = item[name] ?? MAP_KEY_DEFAULTS[name];
    if (typeof value === 'string') {
      let element = elements.get(value);
      if (element === undefined) {
        if (elements.size >= MAX_FIELD_ELEMENTS) elements.clear();
        elements.set(value, (element = `k:{${quotedName}:${JSON.stringify(value)}}`));
      }
      return element;
    }
  }
  let key = 'k:{';
  let first = true;
  for (const [name, quotedName] of sorted) {
    const value = item[name] ?? MAP_KEY_DEFAULTS[name];
    // What JSON.stringify leaves out of an object (undefined, functions) is left out here.
    const json = value === undefined ? undefined : (JSON.stringify(value) as string | undefined);
    if (json === undefined) continue;
    key += first ? `${quotedName}:${json}` : `,${quotedName}:${json}`;
    first = false;
  }
  return `${key}}`;
}

/** The field set of `value` under `schema`. */
export function fieldSetOf(value: unknown, schema: Schema | undefined, granularity: Granularity): Set<string> {
  const out = new Set<string>();
  walk(value, schema, ROOT_PREFIX, granularity, out);
  return out;
}

/** A path's key less its closing `]` (pathKey spelt as it is walked, an element at a time); the root's is `[`. */
const ROOT_PREFIX = '[';
const extend = (prefix: string, element: string) => (prefix === ROOT_PREFIX ? `[${JSON.stringify(element)}` : `${prefix},${JSON.stringify(element)}`);

function walk(value: unknown, schema: Schema | undefined, prefix: string, granularity: Granularity, out: Set<string>): void {
  const here = () => {
    if (prefix !== ROOT_PREFIX) out.add(`${prefix}]`);
  };
  if (isPlainObject(value) && schema?.kind !== 'any') {
    // A struct is never owned itself (owning `spec` would remove all of it with the owner's
    // last field); a map is, by the update that wrote it.
    if (granularity === 'all' && schema?.kind === 'map') here();
    for (const field of Object.keys(value)) {
      const child = value[field];
      if (child !== undefined) walk(child, childSchema(schema, field), extend(prefix, `f:${field}`), granularity, out);
    }
    return;
  }
  if (Array.isArray(value) && isKeyedList(schema)) {
    for (const item of value) {
      if (!isPlainObject(item)) continue;
      const itemPrefix = extend(prefix, itemKey(item, schema.mapKeys));
      out.add(`${itemPrefix}]`);
      for (const field of Object.keys(item)) {
        const child = item[field];
        if (child !== undefined) walk(child, childSchema(schema.items, field), extend(itemPrefix, `f:${field}`), granularity, out);
      }
    }
    if (value.length === 0) here();
    return;
  }
  if (Array.isArray(value) && schema?.kind === 'list' && schema.listType === 'set') {
    for (const item of value) out.add(`${extend(prefix, `v:${JSON.stringify(item)}`)}]`);
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

// FieldsV1 trees: the same sets, built and combined without a string per path.

/**
 * A field set spelled as managedFields carry it (toFieldsV1's output): a key per path
 * element, `{}` for a member with nothing under it, `.` first in a member with members
 * under it, the other keys sorted. The root itself is never a member.
 */
export type FieldsV1 = { [element: string]: FieldsV1 };

const isEmptyObject = (node: object): boolean => {
  for (const _ in node) return false;
  return true;
};

/** Whether a node (not the root) is itself a member: `.`, or nothing under it. */
const isMemberNode = (node: FieldsV1): boolean => Object.hasOwn(node, '.') || isEmptyObject(node);

export const isEmptyFieldsV1 = (tree: FieldsV1): boolean => isEmptyObject(tree);

/**
 * Builds one node from its children: `.` first when it is a member with children, the
 * children sorted. Children given in order (a walk of sorted fields) cost nothing more;
 * others (a diff, which adds the few that changed as it meets them) are sorted at the end.
 */
class NodeBuilder {
  private node: FieldsV1 | undefined;
  private last = '';
  private unsorted = false;
  constructor(private readonly member: boolean) {}

  add(element: string, child: FieldsV1 | undefined): void {
    if (child === undefined) return;
    if (this.node === undefined) {
      this.node = {};
      if (this.member) this.node['.'] = {};
    } else if (element < this.last) this.unsorted = true;
    this.node[element] = child;
    this.last = element;
  }

  /** add(`f:<field>`, child), the element looked up only when there is a child. */
  addField(field: string, child: FieldsV1 | undefined): void {
    if (child !== undefined) this.add(fieldElement(field), child);
  }

  /** The node; undefined when nothing is at or under it. */
  done(): FieldsV1 | undefined {
    const node = this.node;
    if (node === undefined) return this.member ? {} : undefined;
    if (!this.unsorted) return node;
    const sorted = new NodeBuilder(this.member);
    for (const element of childElements(node).sort()) sorted.add(element, node[element]);
    return sorted.done();
  }
}

/** The tree of `value` under `schema`: toFieldsV1(fieldSetOf(value, schema, granularity)), in one walk. */
export function fieldsV1Of(value: unknown, schema: Schema | undefined, granularity: Granularity): FieldsV1 {
  return nodeOf(value, schema, granularity, false) ?? {};
}

/** The node at a path holding `value`; `self`: whether the path itself can be a member (not the root). */
function nodeOf(value: unknown, schema: Schema | undefined, granularity: Granularity, self: boolean): FieldsV1 | undefined {
  if (isPlainObject(value) && schema?.kind !== 'any') return fieldsNode(value, schema, self && granularity === 'all' && schema?.kind === 'map', granularity);
  if (Array.isArray(value)) {
    if (isKeyedList(schema)) {
      const items: [string, FieldsV1][] = [];
      for (const item of value) if (isPlainObject(item)) items.push([itemKey(item, schema.mapKeys), fieldsNode(item, schema.items, true, granularity)!]);
      return sortedNode(items, self && value.length === 0);
    }
    if (schema?.kind === 'list' && schema.listType === 'set') {
      return sortedNode(value.map((item): [string, FieldsV1] => [`v:${JSON.stringify(item)}`, {}]), self && value.length === 0);
    }
  }
  return self ? {} : undefined;
}

/** An object's fields (a struct's, a map's or a list item's), each under `f:<field>`, in order. */
function fieldsNode(value: Record<string, unknown>, schema: Schema | undefined, member: boolean, granularity: Granularity): FieldsV1 | undefined {
  const fields = Object.keys(value);
  if (!isSorted(fields)) fields.sort();
  const node = new NodeBuilder(member);
  for (const field of fields) {
    const child = value[field];
    if (child !== undefined) node.addField(field, nodeOf(child, childSchema(schema, field), granularity, true));
  }
  return node.done();
}


function isSorted(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (!(names[i - 1]! < names[i]!)) return false;
  return true;
}

const byElement = (a: readonly [string, unknown], b: readonly [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** A node from unsorted children; two items with one key are one member (a set). */
function sortedNode(children: [string, FieldsV1][], member: boolean): FieldsV1 | undefined {
  if (children.length > 1) children.sort(byElement);
  const node = new NodeBuilder(member);
  for (let i = 0; i < children.length; ) {
    let [element, child] = children[i]!;
    for (i++; i < children.length && children[i]![0] === element; i++) child = unionNode(child, children[i]![1])!;
    node.add(element, child);
  }
  return node.done();
}

/** The child elements of a node, `.` aside, in the node's order. */
const childElements = (node: FieldsV1): string[] => Object.keys(node).filter((element) => element !== '.');

/** a ∪ b, sharing what it does not change. */
function unionNode(a: FieldsV1, b: FieldsV1, member = isMemberNode(a) || isMemberNode(b)): FieldsV1 | undefined {
  if (a === b) return a;
  let elements = childElements(a);
  const added = childElements(b).filter((element) => !Object.hasOwn(a, element));
  if (added.length > 0) elements = [...elements, ...added].sort();
  let same = added.length === 0 && member === isMemberNode(a);
  const children = elements.map((element) => {
    const mine = Object.hasOwn(a, element) ? a[element] : undefined;
    const theirs = Object.hasOwn(b, element) ? b[element] : undefined;
    const child = mine && theirs ? unionNode(mine, theirs)! : (mine ?? theirs)!;
    if (child !== mine) same = false;
    return child;
  });
  if (same) return a;
  const node = new NodeBuilder(member);
  elements.forEach((element, i) => node.add(element, children[i]));
  return node.done();
}

/** a without the members of b; what is under a removed member stays unless b holds it too. */
function subtractNode(a: FieldsV1, b: FieldsV1, aMember: boolean, bMember: boolean): FieldsV1 | undefined {
  let replaced: Map<string, FieldsV1 | undefined> | undefined;
  for (const element of Object.keys(b)) {
    if (element === '.' || !Object.hasOwn(a, element)) continue;
    const was = a[element]!;
    const now = subtractNode(was, b[element]!, isMemberNode(was), isMemberNode(b[element]!));
    if (now !== was) (replaced ??= new Map()).set(element, now);
  }
  const member = aMember && !bMember;
  if (!replaced && member === aMember) return a;
  const node = new NodeBuilder(member);
  for (const element of childElements(a)) node.add(element, replaced?.has(element) ? replaced.get(element) : a[element]);
  return node.done();
}

/** a ∪ b of two trees. */
export const unionFieldsV1 = (a: FieldsV1, b: FieldsV1): FieldsV1 => (isEmptyObject(a) ? b : isEmptyObject(b) ? a : (unionNode(a, b, false) ?? {}));

/** a − b of two trees (a set difference: a member's own members go only if b has them). */
export const subtractFieldsV1 = (a: FieldsV1, b: FieldsV1): FieldsV1 => (isEmptyObject(b) ? a : (subtractNode(a, b, false, false) ?? {}));

/**
 * A stored `fieldsV1` as a tree in toFieldsV1's spelling: kept as it is when it is already
 * (the server wrote it), else read and written again. `rootMember`: it has `.` at the top,
 * which makes the empty path a member (nothing the server writes).
 */
export function readFieldsV1(stored: unknown): { tree: FieldsV1; rootMember: boolean } {
  if (isCanonical(stored, true)) {
    canonicalTrees.add(stored);
    return { tree: stored, rootMember: false };
  }
  const set = fromFieldsV1(stored);
  const rootMember = set.delete(pathKey([]));
  return { tree: toFieldsV1(set) as FieldsV1, rootMember };
}

/**
 * Trees known to be in toFieldsV1's spelling (read, or built here): the stored object a
 * write reads is mostly the one the previous write built, its entries the same objects.
 */
const canonicalTrees = new WeakSet<object>();

/** Notes a tree built by the functions here (never one with `.` at the top), so that reading it back is free. */
export function rememberWritten(tree: FieldsV1): FieldsV1 {
  canonicalTrees.add(tree);
  return tree;
}

function isCanonical(node: unknown, root: boolean): node is FieldsV1 {
  if (!isPlainObject(node)) return false;
  if (root && canonicalTrees.has(node)) return true;
  const elements = Object.keys(node);
  let first = 0;
  if (elements[0] === '.') {
    const dot = node['.'];
    if (root || elements.length === 1 || !isPlainObject(dot) || !isEmptyObject(dot)) return false;
    first = 1;
  }
  for (let i = first; i < elements.length; i++) {
    const element = elements[i]!;
    if (element === '.' || element === '__proto__' || (i > first && !(elements[i - 1]! < element))) return false;
    if (!isCanonical(node[element], false)) return false;
  }
  return true;
}

export interface FieldsV1Diff {
  /** What the write added, and the leaves it gave another value (maps and list items change through their members). */
  changed: FieldsV1;
  /** What the write took away. */
  removed: FieldsV1;
}

/** Thrown inside diffFieldsV1 at a keyed list with two items of one key. */
class DuplicateItemKeys extends Error {}

/**
 * How a write from `before` to `after` changed their 'all' field sets, in one walk of
 * both. undefined when a list of type map has two items with one key: which of them a
 * path names is then up to a path-by-path look-up (managed-fields.ts changedFields).
 */
export function diffFieldsV1(before: unknown, after: unknown, schema: Schema | undefined): FieldsV1Diff | undefined {
  const changed = new NodeBuilder(false);
  const removed = new NodeBuilder(false);
  // The root is walked as the field "" of a parent, and taken out of it; it is never a member.
  try {
    diffInto(before, after, schema, '', changed, removed);
  } catch (error) {
    if (error instanceof DuplicateItemKeys) return undefined;
    throw error;
  }
  const root = fieldElement('');
  return { changed: withoutSelf(changed.done()?.[root]) ?? {}, removed: withoutSelf(removed.done()?.[root]) ?? {} };
}

/** A node without its own membership. */
function withoutSelf(node: FieldsV1 | undefined): FieldsV1 | undefined {
  if (node === undefined || isEmptyObject(node)) return undefined;
  if (!Object.hasOwn(node, '.')) return node;
  const { '.': _self, ...children } = node;
  return children;
}

type Shape = 'fields' | 'keyed-list' | 'set' | 'leaf';

function shapeOf(value: unknown, schema: Schema | undefined): Shape {
  if (isPlainObject(value) && schema?.kind !== 'any') return 'fields';
  if (Array.isArray(value)) {
    if (isKeyedList(schema)) return 'keyed-list';
    if (schema?.kind === 'list' && schema.listType === 'set') return 'set';
  }
  return 'leaf';
}

/** Whether the path holding `value` is itself in the 'all' set. */
function isSelfMember(value: unknown, shape: Shape, schema: Schema | undefined): boolean {
  if (shape === 'fields') return schema?.kind === 'map';
  if (shape === 'leaf') return true;
  return (value as unknown[]).length === 0;
}

/** Adds under `f:<field>` of `changed` and `removed` what the write did at that path. */
function diffInto(a: unknown, b: unknown, schema: Schema | undefined, field: string, changed: NodeBuilder, removed: NodeBuilder): void {
  const shape = shapeOf(a, schema);
  const bShape = shapeOf(b, schema);
  if (shape !== bShape) {
    // Of another shape, only the path itself can be in both sets, and its value changed
    // (if it is no container).
    const aSelf = isSelfMember(a, shape, schema);
    const bSelf = isSelfMember(b, bShape, schema);
    const old = nodeOf(a, schema, 'all', true);
    const next = nodeOf(b, schema, 'all', true);
    removed.addField(field, bSelf ? withoutSelf(old) : old);
    changed.addField(field, aSelf && isPlainObject(b) ? withoutSelf(next) : next);
    return;
  }
  if (shape === 'leaf') {
    if (!isPlainObject(b) && !deepEqual(a, b)) changed.addField(field, {});
    return;
  }
  // Both containers: a map stays a member; a list is one while it is empty.
  const wasEmpty = shape !== 'fields' && (a as unknown[]).length === 0;
  const isEmpty = shape !== 'fields' && (b as unknown[]).length === 0;
  const changedHere = new NodeBuilder(isEmpty && !wasEmpty);
  const removedHere = new NodeBuilder(wasEmpty && !isEmpty);
  if (shape === 'fields') diffFields(a as Record<string, unknown>, b as Record<string, unknown>, schema, changedHere, removedHere);
  else if (shape === 'keyed-list') diffItems(a as unknown[], b as unknown[], schema as ListSchema & { mapKeys: readonly string[] }, changedHere, removedHere);
  else diffSetItems(a as unknown[], b as unknown[], changedHere, removedHere);
  changed.addField(field, changedHere.done());
  removed.addField(field, removedHere.done());
}

/** Two objects' fields, by name, in the new object's order (the builders sort what they get). */
function diffFields(a: Record<string, unknown>, b: Record<string, unknown>, schema: Schema | undefined, changed: NodeBuilder, removed: NodeBuilder): void {
  let paired = 0;
  for (const field of Object.keys(b)) {
    const there = b[field];
    if (there === undefined) continue;
    const was = Object.hasOwn(a, field) ? a[field] : undefined;
    if (was === undefined) changed.addField(field, nodeOf(there, childSchema(schema, field), 'all', true));
    else {
      diffInto(was, there, childSchema(schema, field), field, changed, removed);
      paired++;
    }
  }
  const before = Object.keys(a);
  if (paired === before.length) return;
  for (const field of before) {
    const was = a[field];
    if (was === undefined || (Object.hasOwn(b, field) && b[field] !== undefined)) continue;
    removed.addField(field, nodeOf(was, childSchema(schema, field), 'all', true));
  }
}

/** The item keys of a list's items (undefined for an item that is no object); throws on two items with one key. */
function itemKeysOf(list: unknown[], mapKeys: readonly string[]): (string | undefined)[] {
  const keys = list.map((item) => (isPlainObject(item) ? itemKey(item, mapKeys) : undefined));
  const seen = new Set<string>();
  for (const key of keys) {
    if (key === undefined) continue;
    if (seen.has(key)) throw new DuplicateItemKeys();
    seen.add(key);
  }
  return keys;
}

/** Two lists of type map, item by key: an item in both stays a member, its fields compared. */
function diffItems(a: unknown[], b: unknown[], schema: ListSchema & { mapKeys: readonly string[] }, changed: NodeBuilder, removed: NodeBuilder): void {
  const before = itemKeysOf(a, schema.mapKeys);
  const after = itemKeysOf(b, schema.mapKeys);
  // Items mostly stay where they were; long lists are looked up by key.
  const index = a.length > LONG_LIST ? new Map(before.map((key, i) => [key, i])) : undefined;
  let paired = 0;
  for (let j = 0; j < b.length; j++) {
    const key = after[j];
    if (key === undefined) continue;
    const i = before[j] === key ? j : index ? (index.get(key) ?? -1) : before.indexOf(key);
    if (i < 0) {
      changed.add(key, fieldsNode(b[j] as Record<string, unknown>, schema.items, true, 'all'));
      continue;
    }
    paired++;
    const changedItem = new NodeBuilder(false);
    const removedItem = new NodeBuilder(false);
    diffFields(a[i] as Record<string, unknown>, b[j] as Record<string, unknown>, schema.items, changedItem, removedItem);
    changed.add(key, changedItem.done());
    removed.add(key, removedItem.done());
  }
  if (paired === before.length) return;
  const kept = new Set(after);
  for (let i = 0; i < a.length; i++) {
    const key = before[i];
    if (key !== undefined && !kept.has(key)) removed.add(key, fieldsNode(a[i] as Record<string, unknown>, schema.items, true, 'all'));
  }
}

/** Past this many items, a list's items are paired through a Map rather than by searching. */
const LONG_LIST = 16;

/** Two sets, by value: a value in both is unchanged. */
function diffSetItems(a: unknown[], b: unknown[], changed: NodeBuilder, removed: NodeBuilder): void {
  const values = (list: unknown[]) => [...new Set(list.map((item) => `v:${JSON.stringify(item)}`))].sort();
  const before = values(a);
  const after = values(b);
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const gone = before[i];
    const there = after[j];
    if (there === undefined || (gone !== undefined && gone < there)) {
      removed.add(gone!, {});
      i++;
    } else if (gone === undefined || there < gone) {
      changed.add(there, {});
      j++;
    } else {
      i++;
      j++;
    }
  }
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
