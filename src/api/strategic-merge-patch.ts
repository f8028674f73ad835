/**
 * Strategic merge patch (application/strategic-merge-patch+json), pure and driven by the
 * kind's schema (schema/dsl.ts): a JSON merge patch whose lists with a merge key merge
 * item by item (containers, env, volumes and volumeMounts by name, ports by
 * containerPort), whose merged primitive lists (finalizers) take the union, and whose
 * other lists are replaced. Directives:
 * - `$patch: replace` in a map replaces it with the rest of that map; as a list item, the
 *   whole list becomes the other items. `$patch: delete` deletes the map, or the list item
 *   with that merge key. `$patch: merge` is the default.
 * - `$retainKeys: [..]` drops the map's fields not named (then the patch merges).
 * - `$setElementOrder/<field>: [..]` orders the merged list: the items it names in its
 *   order, the server's other items kept where they were relative to them.
 * - `$deleteFromPrimitiveList/<field>: [..]` removes those values from a primitive list.
 * - null deletes a field, as in a merge patch.
 * A malformed patch is a 400 with Kubernetes' wording where it has one. Inputs are never
 * mutated.
 */
import { badRequest } from './errors.ts';
import { deepCopy, deepEqual, setOwn } from './json.ts';
import { isPlainObject, type Json } from './object.ts';
import type { ListSchema, Schema } from './schema/dsl.ts';

type JsonMap = Record<string, unknown>;

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';

/** The patched copy of `target`; `schema` is the kind's (undefined: plain JSON merge semantics with directives). */
export function applyStrategicMergePatch(target: unknown, patch: unknown, schema?: Schema): Json {
  if (!isPlainObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
  const merged = mergeMap(isPlainObject(target) ? target : {}, patch, schema);
  return (merged ?? {}) as Json;
}

/** The schema of `field` inside an object or map schema, if known. */
function fieldSchema(schema: Schema | undefined, field: string): Schema | undefined {
  if (schema?.kind === 'object') return Object.hasOwn(schema.properties, field) ? schema.properties[field] : undefined;
  if (schema?.kind === 'map') return schema.values;
  return undefined;
}

/** Merges a map patch into a copy of `original`; undefined means `$patch: delete` (the map goes). */
function mergeMap(original: JsonMap, patch: JsonMap, schema: Schema | undefined): JsonMap | undefined {
  const directive = patch[PATCH];
  if (directive !== undefined && directive !== 'replace' && directive !== 'delete' && directive !== 'merge') {
    throw badRequest(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  if (directive === 'delete') return undefined;
  let result: JsonMap = directive === 'replace' ? {} : deepCopy(original);

  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain) || retain.some((k) => typeof k !== 'string')) throw badRequest(`invalid ${RETAIN_KEYS}: must be a list of strings`);
    for (const key of Object.keys(patch)) {
      if (!key.startsWith('$') && patch[key] !== null && !retain.includes(key)) {
        throw badRequest(`the patch has field ${key} that is not in ${RETAIN_KEYS} ${JSON.stringify(retain)}`);
      }
    }
    result = Object.fromEntries(Object.entries(result).filter(([key]) => retain.includes(key)));
  }

  for (const [key, values] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_FROM_PRIMITIVE)) continue;
    const field = key.slice(DELETE_FROM_PRIMITIVE.length);
    if (!Array.isArray(values)) throw badRequest(`invalid ${key}: must be a list`);
    const current = result[field];
    if (Array.isArray(current)) setOwn(result, field, current.filter((item) => !values.some((v) => deepEqual(v, item))));
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const sub = fieldSchema(schema, key);
    if (value === null) {
      delete result[key];
      continue;
    }
    const before = Object.hasOwn(result, key) ? result[key] : undefined;
    const after = mergeValue(before, value, sub);
    if (after === undefined) delete result[key];
    else setOwn(result, key, after);
  }

  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const field = key.slice(SET_ORDER.length);
    if (!Array.isArray(order)) throw badRequest(`invalid ${key}: must be a list`);
    const merged = result[field];
    if (!Array.isArray(merged)) continue;
    const sub = fieldSchema(schema, field);
    const mergeKey = sub?.kind === 'list' ? sub.mergeKey : undefined;
    const before = Object.hasOwn(original, field) && Array.isArray(original[field]) ? (original[field] as unknown[]) : [];
    setOwn(result, field, orderList(merged, order, before, mergeKey));
  }
  return result;
}

/** One field: maps merge, lists merge by their schema, anything else replaces. Undefined deletes it. */
function mergeValue(before: unknown, value: unknown, schema: Schema | undefined): unknown {
  if (isPlainObject(value)) {
    return mergeMap(isPlainObject(before) ? before : {}, value, schema);
  }
  if (Array.isArray(value)) return mergeList(Array.isArray(before) ? before : [], value, schema?.kind === 'list' ? schema : undefined);
  return deepCopy(value);
}

function mergeList(original: unknown[], patch: unknown[], schema: ListSchema | undefined): unknown[] {
  const merging = schema?.patchStrategy?.split(',').includes('merge') ?? false;
  const replaceAll = patch.some((item) => isPlainObject(item) && item[PATCH] === 'replace');
  if (replaceAll) return patch.filter((item) => !(isPlainObject(item) && item[PATCH] === 'replace')).map((item) => fresh(item, schema?.items));
  if (!merging) return patch.map((item) => fresh(item, schema?.items));
  const mergeKey = schema!.mergeKey;
  if (!mergeKey) {
    // A merged list of primitives (finalizers): the union, original order first.
    const result = deepCopy(original);
    for (const item of patch) if (!result.some((have) => deepEqual(have, item))) result.push(deepCopy(item));
    return result;
  }
  const result: unknown[] = deepCopy(original);
  for (const item of patch) {
    if (!isPlainObject(item)) throw badRequest(`expected a map in the list merged by ${mergeKey}, got ${JSON.stringify(item)}`);
    if (!Object.hasOwn(item, mergeKey)) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    const at = result.findIndex((have) => isPlainObject(have) && deepEqual(have[mergeKey], item[mergeKey]));
    if (item[PATCH] === 'delete') {
      if (at >= 0) result.splice(at, 1);
      continue;
    }
    const merged = mergeMap(at >= 0 ? (result[at] as JsonMap) : {}, item, schema!.items);
    if (at >= 0) {
      if (merged === undefined) result.splice(at, 1);
      else result[at] = merged;
    } else if (merged !== undefined) result.push(merged);
  }
  return result;
}

/** A list item or replaced value taken from the patch, with its directives and nulls applied to nothing. */
function fresh(item: unknown, schema: Schema | undefined): unknown {
  if (isPlainObject(item)) return mergeMap({}, item, schema) ?? {};
  return deepCopy(item);
}

/**
 * The merged list in `$setElementOrder`'s order. Items the order names come in its order;
 * the others (the server's own) keep their place relative to them, by their index in the
 * original list.
 */
function orderList(merged: unknown[], order: unknown[], original: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (item: unknown) => (mergeKey !== undefined && isPlainObject(item) ? item[mergeKey] : item);
  const rank = (item: unknown) => order.findIndex((o) => deepEqual(keyOf(o), keyOf(item)));
  const originalIndex = (item: unknown) => {
    const i = original.findIndex((o) => deepEqual(keyOf(o), keyOf(item)));
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  const named = merged.filter((item) => rank(item) >= 0).sort((a, b) => rank(a) - rank(b));
  const serverOnly = merged.filter((item) => rank(item) < 0);
  const result: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < named.length || j < serverOnly.length) {
    if (j >= serverOnly.length || (i < named.length && originalIndex(named[i]) <= originalIndex(serverOnly[j]))) result.push(named[i++]);
    else result.push(serverOnly[j++]);
  }
  return result;
}
