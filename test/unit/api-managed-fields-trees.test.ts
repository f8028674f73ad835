// managedFields computed on FieldsV1 trees: the cases random objects rarely reach, spelled out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffFieldsV1, fieldsV1Of, readFieldsV1, subtractFieldsV1, unionFieldsV1 } from '../../src/api/field-set.ts';
import { recordUpdate, withManagedFields, type ManagedFieldsEntry } from '../../src/api/managed-fields.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { keyedList, obj, str, strMap } from '../../src/api/schema/dsl.ts';
import { schemaFor } from '../../src/api/schema/index.ts';
import { referenceChangedFields, referenceRecordWrite, referenceToFieldsV1 } from '../support/managed-fields-reference.ts';

const DEPLOYMENT = schemaFor('deployments.apps')!;
const NOW = '2026-01-01T00:00:00Z';
const LATER = '2026-01-01T00:05:00Z';
const ctx = (manager: string, now = NOW) => ({ manager, now, apiVersion: 'apps/v1' });

const deployment = (spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', ...(labels ? { labels } : {}) },
  spec,
});
const written = (before: KubeObject | undefined, after: KubeObject, manager: string, now = NOW) => {
  const entries = recordUpdate(before, after, DEPLOYMENT, ctx(manager, now));
  return entries ? withManagedFields(after, entries) : after;
};
const entries = (object: KubeObject) => object.metadata.managedFields as ManagedFieldsEntry[];

describe('FieldsV1 trees', () => {
  it('the root is never a member, not even as a map', () => {
    assert.deepEqual(fieldsV1Of({ a: '1' }, strMap(), 'all'), { 'f:a': {} });
    assert.deepEqual(fieldsV1Of('x', str(), 'all'), {});
    assert.deepEqual(fieldsV1Of({ m: { a: '1' } }, obj({ m: strMap() }), 'all'), { 'f:m': { '.': {}, 'f:a': {} } });
  });

  it('two items with one key are one member, their fields together', () => {
    const schema = obj({ items: keyedList(obj({ name: str(), a: str(), b: str() }), 'name') });
    assert.deepEqual(fieldsV1Of({ items: [{ name: 'x', a: '1' }, { name: 'x', b: '2' }] }, schema, 'applied'), {
      'f:items': { 'k:{"name":"x"}': { '.': {}, 'f:a': {}, 'f:b': {}, 'f:name': {} } },
    });
  });

  it('a map that was of another shape is no change itself, only its members are', () => {
    const schema = obj({ labels: strMap() });
    assert.deepEqual(diffFieldsV1({ labels: 'x' }, { labels: { a: 'b' } }, schema), { changed: { 'f:labels': { 'f:a': {} } }, removed: {} });
    assert.deepEqual(diffFieldsV1({ labels: { a: 'b' } }, { labels: 'x' }, schema), { changed: { 'f:labels': {} }, removed: { 'f:labels': { 'f:a': {} } } });
  });

  it('a list emptied is a member again; one filled is not', () => {
    const schema = obj({ items: keyedList(obj({ name: str() }), 'name') });
    assert.deepEqual(diffFieldsV1({ items: [{ name: 'a' }] }, { items: [] }, schema), {
      changed: { 'f:items': {} },
      removed: { 'f:items': { 'k:{"name":"a"}': { '.': {}, 'f:name': {} } } },
    });
    assert.deepEqual(diffFieldsV1({ items: [] }, { items: [{ name: 'a' }] }, schema)?.removed, { 'f:items': {} });
  });

  it('leaves a keyed list with two items of one key to the path-by-path look-up', () => {
    const schema = obj({ items: keyedList(obj({ name: str(), a: str() }), 'name') });
    const before = { items: [{ name: 'x', a: '1' }, { name: 'x', a: '2' }] };
    const after = { items: [{ name: 'x', a: '2' }] };
    assert.equal(diffFieldsV1(before, after, schema), undefined);
    const expected = referenceChangedFields(before, after, schema);
    assert.deepEqual(referenceToFieldsV1(expected.changed), { 'f:items': { 'k:{"name":"x"}': { 'f:a': {} } } }, 'the first item is the one compared');
    const object = (spec: object): KubeObject => ({ apiVersion: 'v1', kind: 'Thing', metadata: { name: 'x' }, ...spec });
    const entriesNow = recordUpdate(object(before), object(after), schema, ctx('m'));
    assert.deepEqual(withManagedFields(object(after), entriesNow!), referenceRecordWrite(object(before), object(after), schema, ctx('m')));
  });

  it('pairs the items of long lists by key, wherever they moved', () => {
    const schema = obj({ items: keyedList(obj({ name: str(), a: str() }), 'name') });
    const items = Array.from({ length: 40 }, (_, i) => ({ name: `n${i}`, a: String(i % 3) }));
    const moved = [...items.slice(20), ...items.slice(1, 20).map((item, i) => (i === 5 ? { ...item, a: 'changed' } : item)), { name: 'new' }];
    const diff = diffFieldsV1({ items }, { items: moved }, schema);
    const expected = referenceChangedFields({ items }, { items: moved }, schema);
    assert.deepEqual(diff, { changed: referenceToFieldsV1(expected.changed), removed: referenceToFieldsV1(expected.removed) });
    assert.deepEqual(Object.keys(diff!.changed['f:items']!), ['k:{"name":"n6"}', 'k:{"name":"new"}']);
    assert.deepEqual(Object.keys(diff!.removed['f:items']!), ['k:{"name":"n0"}']);
  });

  it('union and difference share what they leave alone', () => {
    const a = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } };
    const b = { 'f:spec': { 'f:paused': {} } };
    const both = unionFieldsV1(a, b);
    assert.deepEqual(both, { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
    assert.equal(both['f:metadata'], a['f:metadata']);
    assert.deepEqual(subtractFieldsV1(both, b), a);
    assert.deepEqual(subtractFieldsV1(a, { 'f:metadata': { 'f:labels': {} } }), { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } });
    assert.deepEqual(subtractFieldsV1(a, { 'f:metadata': { 'f:labels': { 'f:app': {} } } }), { 'f:metadata': { 'f:labels': {} }, 'f:spec': { 'f:replicas': {} } });
  });

  it('reads a stored tree as it is, or as toFieldsV1 writes it; `.` at the top makes the root a member', () => {
    const canonical = { 'f:spec': { 'f:replicas': {} } };
    assert.equal(readFieldsV1(canonical).tree, canonical);
    assert.deepEqual(readFieldsV1({ 'f:spec': { 'f:x': {}, 'f:a': { '.': {} } } }), { tree: { 'f:spec': { 'f:a': {}, 'f:x': {} } }, rootMember: false });
    assert.deepEqual(readFieldsV1({ '.': {}, 'f:a': {} }), { tree: { 'f:a': {} }, rootMember: true });
    assert.deepEqual(readFieldsV1('garbage'), { tree: {}, rootMember: false });
  });
});

describe('managedFields of writes, on trees', () => {
  const created = written(undefined, deployment({ replicas: 3, paused: true, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } } }, { app: 'web' }), 'kubectl-create');

  it('an update by another manager takes the field; an entry it does not touch stays the same object', () => {
    const labelled = written(created, { ...created, metadata: { ...created.metadata, annotations: { note: 'x' } } }, 'kubectl-annotate', LATER);
    const scaled = written(labelled, { ...labelled, spec: { ...(labelled.spec as object), replicas: 5 } }, 'kubectl-scale', LATER);
    const [creator, annotator, scaler] = entries(scaled);
    assert.deepEqual(
      entries(scaled).map((e) => e.manager),
      ['kubectl-create', 'kubectl-annotate', 'kubectl-scale'],
    );
    assert.ok(!Object.hasOwn(creator!.fieldsV1['f:spec'] as object, 'f:replicas'), 'the creator lost replicas');
    assert.deepEqual(scaler!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(annotator!.fieldsV1, entries(labelled)[1]!.fieldsV1, 'untouched: the same tree, not a copy');
    assert.equal(
      (creator!.fieldsV1['f:spec'] as Record<string, unknown>)['f:template'],
      (entries(created)[0]!.fieldsV1['f:spec'] as Record<string, unknown>)['f:template'],
      'what the write left alone is shared',
    );
    assert.deepEqual(scaled, referenceRecordWrite(labelled, { ...labelled, spec: { ...(labelled.spec as object), replicas: 5 } }, DEPLOYMENT, ctx('kubectl-scale', LATER)));
  });

  it('the same manager writing again keeps what it had and takes what it changed', () => {
    const again = written(created, { ...created, spec: { ...(created.spec as object), replicas: 4, minReadySeconds: 5 } }, 'kubectl-create', LATER);
    assert.equal(entries(again).length, 1);
    assert.equal(entries(again)[0]!.time, LATER);
    assert.deepEqual(Object.keys(entries(again)[0]!.fieldsV1['f:spec'] as object), ['f:minReadySeconds', 'f:paused', 'f:replicas', 'f:template']);
  });

  it('a field removed leaves every entry, and an entry left with nothing leaves the list', () => {
    const scaled = written(created, { ...created, spec: { ...(created.spec as object), replicas: 5 } }, 'kubectl-scale', LATER);
    const { replicas: _r, ...rest } = scaled.spec as Record<string, unknown>;
    const unscaled = written(scaled, { ...scaled, spec: rest }, 'kubectl-edit', LATER);
    assert.deepEqual(
      entries(unscaled).map((e) => e.manager),
      ['kubectl-create'],
      'kubectl-scale owned only replicas; kubectl-edit only removed',
    );
  });
});
