// The one-walk managedFields computation gives exactly (key order included) what the
// path-by-path one gave (test/support/managed-fields-reference.ts), over random objects
// of real and made-up schemas, random stored entries (malformed ones too) and random writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  diffFieldsV1,
  fieldSetOf,
  fieldsV1Of,
  fromFieldsV1,
  itemKey,
  pathKey,
  readFieldsV1,
  subtractFieldsV1,
  toFieldsV1,
  unionFieldsV1,
  type FieldsV1,
} from '../../src/api/field-set.ts';
import { recordUpdate, trackedPart, withManagedFields } from '../../src/api/managed-fields.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';
import { any, int32, keyedList, listOf, mapOf, obj, str, strList, strMap, strSet, type Schema } from '../../src/api/schema/dsl.ts';
import { schemaFor } from '../../src/api/schema/index.ts';
import { appliedCreatorEntries } from '../../src/api/server-side-apply.ts';
import { recordWrite } from '../../src/apiserver/field-manager.ts';
import {
  referenceChangedFields,
  referenceFieldSetOf,
  referenceFromFieldsV1,
  referenceRecordWrite,
  referenceToFieldsV1,
  referenceWithManagers,
} from '../support/managed-fields-reference.ts';

/** Data as decoding produces it (plain prototypes, no undefined). */
const decoded = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
/** Equal as JSON text: the same members, in the same key order. */
const sameJson = (actual: unknown, expected: unknown) => assert.equal(JSON.stringify(actual), JSON.stringify(expected));

/** Every kind of schema node: maps of maps, any, sets of objects, keys of two fields with a defaulted protocol. */
const MADE_UP = obj({
  apiVersion: str(),
  kind: str(),
  metadata: obj({ name: str(), uid: str(), labels: strMap(), finalizers: strSet(), annotations: strMap() }),
  spec: obj({
    replicas: int32(),
    raw: any(),
    nested: mapOf(mapOf(str())),
    args: strList(),
    objects: listOf(any(), { listType: 'set' }),
    items: keyedList(
      obj({
        name: str(),
        value: str(),
        ports: listOf(obj({ containerPort: int32(), protocol: str(), label: str() }), { mapKeys: ['containerPort', 'protocol'] }),
        tags: strSet(),
        meta: strMap(),
        inner: obj({ a: str(), b: mapOf(any()) }),
      }),
      'name',
    ),
  }),
  status: obj({ phase: str() }),
});

const SCHEMAS: [string, Schema][] = [
  ['made-up', MADE_UP],
  ['pods', schemaFor('pods')!],
  ['deployments.apps', schemaFor('deployments.apps')!],
];

const json = fc.jsonValue({ maxDepth: 2 });
/** A value of another shape than the schema says (what the walk must still agree on). */
const misshapen = fc.oneof(fc.constantFrom<unknown>(null, 'x', 1, true, [], {}), json);
const KEY_POOLS: Record<string, fc.Arbitrary<unknown>> = {
  protocol: fc.constantFrom('TCP', 'UDP', undefined, null),
  containerPort: fc.constantFrom(80, 443, '80'),
};

/** Random values shaped by a schema: few properties each, names and keys from small pools, so that versions overlap. */
function valueOf(schema: Schema | undefined, depth: number): fc.Arbitrary<unknown> {
  const shaped = properValue(schema, depth);
  return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: misshapen });
}

function properValue(schema: Schema | undefined, depth: number): fc.Arbitrary<unknown> {
  if (!schema) return json;
  switch (schema.kind) {
    case 'string':
      return fc.constantFrom('a', 'b', '');
    case 'integer':
    case 'number':
      return fc.constantFrom(0, 1, 2);
    case 'boolean':
      return fc.boolean();
    case 'int-or-string':
    case 'quantity':
      return fc.constantFrom(1, '1', '2Gi');
    case 'any':
      return json;
    case 'map':
      if (depth <= 0) return fc.constant({});
      return fc.dictionary(fc.constantFrom('k1', 'k2', 'k3'), valueOf(schema.values, depth - 1), { maxKeys: 3 });
    case 'object':
      if (depth <= 0) return fc.constant({});
      return objectOf(schema.properties, depth, []);
    case 'list': {
      if (depth <= 0) return fc.constant([]);
      if (schema.listType === 'map' && schema.mapKeys && schema.items.kind === 'object') {
        const item = objectOf(schema.items.properties, depth, schema.mapKeys);
        return fc.array(fc.oneof({ weight: 9, arbitrary: item }, { weight: 1, arbitrary: misshapen }), { maxLength: 3 });
      }
      if (schema.listType === 'set') return fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c', 1), fc.constant({ x: 1 })), { maxLength: 3 });
      return fc.array(valueOf(schema.items, depth - 1), { maxLength: 2 });
    }
  }
}

/**
 * An object with a few of its properties (all of them for a small one; metadata and spec
 * always), now and then one the schema does not know; keys from small pools.
 */
function objectOf(properties: Readonly<Record<string, Schema>>, depth: number, keys: readonly string[]): fc.Arbitrary<unknown> {
  const names = Object.keys(properties).filter((name) => !keys.includes(name));
  const always = names.length <= 6 ? names : names.filter((name) => name === 'metadata' || name === 'spec');
  const optional = names.filter((name) => !always.includes(name));
  const keyFields = Object.fromEntries(keys.map((key) => [key, KEY_POOLS[key] ?? fc.constantFrom('a', 'b', 'c')]));
  return fc
    .record({
      keyed: fc.record(keyFields, { requiredKeys: keys.filter((key) => key !== 'protocol') }),
      chosen: fc.subarray(optional, { minLength: Math.min(2, optional.length), maxLength: Math.min(5, optional.length) }).map((some) => [...always, ...some]),
      unknown: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: json }),
    })
    .chain(({ keyed, chosen, unknown }) =>
      fc.record(Object.fromEntries(chosen.map((name) => [name, valueOf(properties[name], depth - 1)]))).map((rest) => ({
        ...keyed,
        ...rest,
        ...(unknown === null ? {} : { unknownField: unknown }),
      })),
    );
}

/** Two versions of one value: `a`, and `a` with parts of `b` mixed in (as small writes do), or all of `b`. */
function mixed(a: unknown, b: unknown, bits: number[]): unknown {
  let at = 0;
  const bit = () => bits[at++ % bits.length]! % 3;
  const mix = (x: unknown, y: unknown): unknown => {
    const choice = bit();
    if (choice === 0) return x;
    if (choice === 1 || typeof x !== 'object' || x === null || typeof y !== 'object' || y === null) return y;
    if (Array.isArray(x) && Array.isArray(y)) return y.map((item, i) => (i < x.length ? mix(x[i], item) : item));
    if (Array.isArray(x) || Array.isArray(y)) return y;
    const out: Record<string, unknown> = {};
    const xs = x as Record<string, unknown>;
    const ys = y as Record<string, unknown>;
    for (const key of new Set([...Object.keys(xs), ...Object.keys(ys)])) {
      const value = key in xs && key in ys ? mix(xs[key], ys[key]) : bit() === 0 ? xs[key] : ys[key];
      if (value !== undefined) out[key] = value;
    }
    return out;
  };
  return mix(a, b);
}

const objectFor = (schema: Schema) => valueOf(schema, 6).map((value) => decoded(value));
const versionsFor = (schema: Schema) =>
  fc
    .record({ a: objectFor(schema), b: objectFor(schema), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 16 }) })
    .map(({ a, b, bits }) => ({ before: a, after: decoded(mixed(a, b, bits)) }));

/** Stored entries as the server writes them (the reference's tree of some object), and malformed ones. */
const entriesFor = (schema: Schema) =>
  fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          manager: fc.constantFrom('a', 'b', 'unknown'),
          operation: fc.constantFrom('Update', 'Update', 'Apply'),
          apiVersion: fc.constantFrom('v1', 'apps/v1'),
          time: fc.constantFrom('2026-01-01T00:00:00Z'),
          fieldsType: fc.constant('FieldsV1'),
          fieldsV1: objectFor(schema).map((value) => referenceToFieldsV1(referenceFieldSetOf(value, schema, 'all'))),
        }),
      },
      { weight: 1, arbitrary: fc.record({ manager: fc.constantFrom('a', 7), operation: fc.constantFrom('Update', 'Bogus'), fieldsV1: json }) },
      { weight: 1, arbitrary: fc.record({ manager: fc.constant('b'), operation: fc.constant('Update'), fieldsV1: fieldsV1Garbage }) },
      { weight: 1, arbitrary: misshapen },
    ),
    { maxLength: 4 },
  );

/** Trees close to FieldsV1 but not quite: `.` anywhere (the root too), unsorted keys, non-objects. */
const fieldsV1Garbage: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.constant({}),
    fc.constantFrom(1, 'x', null),
    fc.dictionary(fc.constantFrom('.', 'f:a', 'f:b', 'k:{"name":"a"}', 'v:"x"', '3', 'f:c'), tie('node'), { maxKeys: 4 }),
  ),
})).node.map((value) => decoded(value));

const OPTIONS = { numRuns: 300 };

describe('managedFields: the one-walk computation is the path-by-path one', () => {
  for (const [name, schema] of SCHEMAS) {
    it(`fieldsV1Of is toFieldsV1 of fieldSetOf, and fieldSetOf the reference's, both granularities (${name})`, () => {
      fc.assert(
        fc.property(objectFor(schema), (value) => {
          for (const granularity of ['all', 'applied'] as const) {
            const expected = referenceFieldSetOf(value, schema, granularity);
            sameJson(fieldsV1Of(value, schema, granularity), referenceToFieldsV1(expected));
            // In the same order: server-side apply lists conflicts in it.
            assert.deepEqual([...fieldSetOf(value, schema, granularity)], [...expected]);
          }
        }),
        OPTIONS,
      );
    });

    it(`diffFieldsV1 is changedFields, or leaves a list with two items of one key to it (${name})`, () => {
      let compared = 0;
      fc.assert(
        fc.property(versionsFor(schema), ({ before, after }) => {
          const diff = diffFieldsV1(before, after, schema);
          if (!diff) return;
          compared++;
          const expected = referenceChangedFields(before, after, schema);
          sameJson(diff.changed, referenceToFieldsV1(expected.changed));
          sameJson(diff.removed, referenceToFieldsV1(expected.removed));
        }),
        OPTIONS,
      );
      assert.ok(compared > OPTIONS.numRuns / 2, `compared ${compared} of ${OPTIONS.numRuns}`);
    });

    it(`recordUpdate writes the managedFields the reference writes (${name})`, () => {
      const ctx = (manager: string) => ({ manager, now: '2026-01-01T00:05:00Z', apiVersion: 'v1' });
      fc.assert(
        fc.property(versionsFor(schema), entriesFor(schema), fc.constantFrom('a', 'b', 'unknown'), fc.boolean(), (versions, entries, manager, create) => {
          const asObject = (value: unknown, managedFields?: unknown[]): KubeObject => {
            const body = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { spec: value };
            const metadata = typeof body.metadata === 'object' && body.metadata !== null && !Array.isArray(body.metadata) ? body.metadata : {};
            return { ...body, apiVersion: 'v1', kind: 'Thing', metadata: { ...metadata, ...(managedFields ? { managedFields } : {}) } };
          };
          const before = create ? undefined : asObject(versions.before, entries);
          const after = asObject(versions.after, before?.metadata.managedFields);
          const expected = referenceRecordWrite(before, after, schema, ctx(manager));
          const entriesNow = recordUpdate(before, after, schema, ctx(manager));
          sameJson(entriesNow ? withManagedFields(after, entriesNow) : after, expected);
        }),
        OPTIONS,
      );
    });
  }

  it('a server-side apply that creates writes the Apply entry the reference writes', () => {
    const ctx = { manager: 'kubectl', now: '2026-01-01T00:00:00Z', apiVersion: 'v1' };
    for (const [, schema] of SCHEMAS) {
      fc.assert(
        fc.property(objectFor(schema), (value) => {
          const config = { ...(typeof value === 'object' && value !== null ? value : {}), apiVersion: 'v1', kind: 'Thing', metadata: { name: 'x' } } as KubeObject;
          const config2 = { ...config, metadata: (value as { metadata?: KubeObject['metadata'] } | null)?.metadata ?? {} } as KubeObject;
          for (const c of [config, config2]) {
            const fields = referenceFieldSetOf(trackedPart(c), schema, 'applied');
            const expected = referenceWithManagers(c, [{ manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, time: ctx.now, fields }]);
            sameJson(withManagedFields(c, appliedCreatorEntries(c, schema, ctx)), expected);
          }
        }),
        { numRuns: 100 },
      );
    }
  });

  it('the field manager of the API server records what the reference records (pods, deployments)', () => {
    for (const key of ['pods', 'deployments.apps']) {
      const rt = resourceByKey(key)!;
      const schema = schemaFor(rt)!;
      fc.assert(
        fc.property(versionsFor(schema), entriesFor(schema), (versions, entries) => {
          const before = { ...(versions.before as object), apiVersion: rt.apiVersion, kind: rt.kind, metadata: { name: 'x', managedFields: entries } };
          const after = { ...(versions.after as object), apiVersion: rt.apiVersion, kind: rt.kind, metadata: { name: 'x', managedFields: entries } };
          const request = { verb: 'update' as const, resource: key, options: { fieldManager: 'editor' } };
          const now = '2026-01-01T00:05:00Z';
          sameJson(recordWrite(rt, before, after, request, now), referenceRecordWrite(before, after, schema, { manager: 'editor', now, apiVersion: rt.apiVersion }));
          sameJson(recordWrite(rt, undefined, after, { ...request, verb: 'create' }, now), referenceRecordWrite(undefined, after, schema, { manager: 'editor', now, apiVersion: rt.apiVersion }));
        }),
        { numRuns: 100 },
      );
    }
  });

  it('stored trees read back, union and subtract as their sets do', () => {
    const paths = fc.array(fc.array(fc.constantFrom('f:a', 'f:b', 'k:{"name":"a"}', 'v:"x"', 'f:c'), { minLength: 1, maxLength: 4 }), { maxLength: 8 });
    const asSet = (ps: string[][]) => new Set(ps.map(pathKey));
    fc.assert(
      fc.property(paths, paths, fieldsV1Garbage, (a, b, garbage) => {
        const [setA, setB] = [asSet(a), asSet(b)];
        const [treeA, treeB] = [toFieldsV1(setA) as FieldsV1, toFieldsV1(setB) as FieldsV1];
        sameJson(unionFieldsV1(treeA, treeB), referenceToFieldsV1(new Set([...setA, ...setB])));
        sameJson(subtractFieldsV1(treeA, treeB), referenceToFieldsV1(new Set([...setA].filter((p) => !setB.has(p)))));
        assert.equal(readFieldsV1(treeA).tree, treeA, 'a tree the server wrote is kept as it is');
        const read = readFieldsV1(garbage);
        const expected = referenceFromFieldsV1(garbage);
        assert.equal(read.rootMember, expected.has('[]'));
        expected.delete('[]');
        sameJson(read.tree, referenceToFieldsV1(expected));
        assert.deepEqual(fromFieldsV1(read.tree), expected);
      }),
      { numRuns: 500 },
    );
  });

  it('item keys are the JSON of their sorted, defaulted key fields', () => {
    const keyValue = fc.oneof(fc.constantFrom(undefined, null, 'a', 'b'), json);
    // The same arrays each time, as a schema's: the keys met are remembered per schema.
    const schemas = [['name'], ['containerPort', 'protocol'], ['protocol', 'b', 'name']];
    fc.assert(
      fc.property(fc.record({ name: keyValue, protocol: keyValue, containerPort: keyValue, b: keyValue }), (item) => {
        for (const mapKeys of schemas) {
          const key: Record<string, unknown> = {};
          for (const k of [...mapKeys].sort()) {
            const value = item[k as keyof typeof item] ?? (k === 'protocol' ? 'TCP' : undefined);
            if (value !== undefined) key[k] = value;
          }
          assert.equal(itemKey(item, mapKeys), `k:${JSON.stringify(key)}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('tracks what the reference tracks: the object less identity, status and server-owned metadata', () => {
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', uid: 'u', labels: { a: 'b' } }, spec: { x: 1 }, status: { y: 2 } };
    assert.deepEqual(trackedPart(object), { metadata: { labels: { a: 'b' } }, spec: { x: 1 } });
  });
});
