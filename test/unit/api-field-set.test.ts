// Field sets and their FieldsV1 encoding, against the real kind schemas.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  fieldSetOf,
  fromFieldsV1,
  pathKey,
  printPath,
  removeAt,
  toFieldsV1,
  valueAt,
} from '../../src/api/field-set.ts';
import { schemaFor } from '../../src/api/schema/index.ts';

const DEPLOYMENT = schemaFor('deployments.apps')!;
const spec = {
  replicas: 3,
  template: {
    metadata: { labels: { app: 'nginx' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
  },
};

describe('field sets', () => {
  it('an applied configuration owns its leaves and list items, keyed as Kubernetes keys them', () => {
    assert.deepEqual(toFieldsV1(fieldSetOf({ metadata: { labels: { app: 'nginx' } }, spec }, DEPLOYMENT, 'applied')), {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                // The defaulted protocol is part of the key, as with Kubernetes' schema defaults.
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    });
  });

  it('an update also owns the maps it wrote ("." in FieldsV1); sets are by value; atomic lists are leaves', () => {
    const set = fieldSetOf(
      { metadata: { labels: { a: '1' }, finalizers: ['x'] }, spec: { template: { spec: { containers: [{ name: 'c', args: ['a', 'b'] }] } } } },
      DEPLOYMENT,
      'all',
    );
    assert.deepEqual(toFieldsV1(set), {
      'f:metadata': { 'f:finalizers': { 'v:"x"': {} }, 'f:labels': { '.': {}, 'f:a': {} } },
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:args': {}, 'f:name': {} } } } } },
    });
  });

  it('FieldsV1 decodes to the set it encodes', () => {
    const set = fieldSetOf({ metadata: { labels: { a: '1' } }, spec }, DEPLOYMENT, 'all');
    assert.deepEqual(fromFieldsV1(toFieldsV1(set)), set);
    assert.deepEqual(fromFieldsV1('garbage'), new Set());
  });

  it('FieldsV1 round-trips any set of paths (property)', () => {
    const element = fc.oneof(
      fc.string({ minLength: 1, maxLength: 4 }).map((s) => `f:${s}`),
      fc.integer({ min: 0, max: 9 }).map((n) => `k:{"n":${n}}`),
      fc.string({ maxLength: 3 }).map((s) => `v:${JSON.stringify(s)}`),
    );
    fc.assert(
      fc.property(fc.array(fc.array(element, { minLength: 1, maxLength: 4 }), { maxLength: 8 }), (paths) => {
        const set = new Set(paths.filter((p) => !p.includes('.')).map(pathKey));
        assert.deepEqual(fromFieldsV1(toFieldsV1(set)), set);
      }),
    );
  });

  it('finds, removes and prints paths through keyed lists and sets', () => {
    const object = { spec, metadata: { finalizers: ['a', 'b'] } };
    const image = ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image'];
    assert.deepEqual(valueAt(object, image, DEPLOYMENT), { found: true, value: 'nginx:1.14.2' });
    assert.deepEqual(valueAt(object, ['f:spec', 'f:paused'], DEPLOYMENT), { found: false });
    const withoutItem = removeAt(object, image.slice(0, -1), DEPLOYMENT);
    assert.deepEqual(withoutItem.spec.template.spec.containers, []);
    assert.equal(object.spec.template.spec.containers.length, 1, 'inputs are not mutated');
    assert.deepEqual(removeAt(object, ['f:metadata', 'f:finalizers', 'v:"a"'], DEPLOYMENT).metadata.finalizers, ['b']);
    assert.equal(printPath(image), '.spec.template.spec.containers[name="nginx"].image');
    assert.equal(printPath(['f:spec', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.spec.ports[containerPort=80,protocol="TCP"]');
    assert.equal(printPath(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]');
  });
});
