import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { RESOURCES, resourceByKey } from '../../src/api/registry.ts';
import { Volume, VOLUME_SOURCES } from '../../src/api/schema/core-volume.ts';
import { ContainerPort } from '../../src/api/schema/core-container.ts';
import { PodSpec } from '../../src/api/schema/core-pod.ts';
import { checkStructure } from '../../src/api/schema/check.ts';
import { int32, listOf, obj, str } from '../../src/api/schema/dsl.ts';
import { findUnknownFields, openApiSchemaFor, pruneUnknownFields, schemaFor, toOpenApiSchema, type OpenApiSchema } from '../../src/api/schema/index.ts';

const deployment = (): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, extra: 1 },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', imagee: 'typo', env: [{ name: 'A', vlue: 'x' }] }] } },
      paused: false,
    },
    statuz: {},
  }) as KubeObject;

describe('schemas', () => {
  it('exist for every registered kind', () => {
    for (const rt of RESOURCES) assert.ok(schemaFor(rt), rt.key);
  });

  it('list every volume source of Volume', () => {
    const described = Object.keys(Volume.properties).filter((k) => k !== 'name').sort();
    assert.deepEqual([...VOLUME_SOURCES].sort(), described);
  });

  it('find unknown fields with their paths', () => {
    assert.deepEqual(findUnknownFields(resourceByKey('deployments.apps')!, deployment()), [
      'metadata.extra',
      'spec.template.spec.containers[0].imagee',
      'spec.template.spec.containers[0].env[0].vlue',
      'statuz',
    ]);
  });

  it('prune unknown fields and keep the rest', () => {
    const pruned = pruneUnknownFields(resourceByKey('deployments.apps')!, deployment()) as any;
    assert.deepEqual(findUnknownFields(resourceByKey('deployments.apps')!, pruned), []);
    assert.equal(pruned.spec.template.spec.containers[0].image, 'nginx');
    assert.equal(pruned.spec.template.spec.containers[0].imagee, undefined);
    assert.deepEqual(pruned.metadata.labels, { app: 'web' });
    assert.equal(pruned.spec.paused, false);
  });

  it('keep arbitrary content where Kubernetes does (ControllerRevision data, managedFields)', () => {
    const revision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { anything: { goes: [1] } }, revision: 1 } as KubeObject;
    assert.deepEqual(findUnknownFields(resourceByKey('controllerrevisions.apps')!, revision), []);
  });
});

describe('structural checks', () => {
  it('report wrong types in kube-openapi wording', () => {
    assert.deepEqual(checkStructure(PodSpec, { containers: 'web' }, 'spec'), [
      {
        type: 'FieldValueTypeInvalid',
        field: 'spec.containers',
        message: 'Invalid value: "string": spec.containers in body must be of type array: "string"',
      },
    ]);
  });

  it('check enums, integer bounds and nulls', () => {
    const schema = obj({ mode: str({ enum: ['A', 'B'] }), count: int32({ minimum: 1, maximum: 3 }), items: listOf(str()) });
    const errors = checkStructure(schema, { mode: 'C', count: 9, items: ['a', null] }, 'x');
    assert.deepEqual(
      errors.map((e) => `${e.field}: ${e.message}`),
      [
        'x.mode: Unsupported value: "C": supported values: "A", "B"',
        'x.count: Invalid value: 9: must be between 1 and 3, inclusive',
        'x.items[1]: Invalid value: "null": x.items[1] in body must be of type string: "null"',
      ],
    );
    assert.deepEqual(checkStructure(schema, { mode: null, count: null }), [], 'null is unset');
  });

  it('accept integers or strings for int-or-string and quantities', () => {
    assert.deepEqual(checkStructure(ContainerPort, { containerPort: 80, protocol: 'TCP' }), []);
    assert.equal(checkStructure(ContainerPort, { containerPort: 80.5 }).length, 1);
  });
});

describe('OpenAPI generation', () => {
  it('describes lists with their Kubernetes extensions', () => {
    const components: Record<string, OpenApiSchema> = {};
    const spec = toOpenApiSchema(PodSpec, components);
    assert.deepEqual(spec, { $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' });
    const podSpec = components['io.k8s.api.core.v1.PodSpec'] as any;
    assert.deepEqual(podSpec.required, ['containers']);
    assert.deepEqual(podSpec.properties.containers, {
      type: 'array',
      items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    assert.deepEqual(podSpec.properties.restartPolicy, { type: 'string', enum: ['Always', 'OnFailure', 'Never'] });
    const container = components['io.k8s.api.core.v1.Container'] as any;
    assert.deepEqual(container.properties.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  });

  it('inlines everything without a components table', () => {
    const inline = toOpenApiSchema(obj({ port: int32(), target: listOf(str()) })) as any;
    assert.deepEqual(inline, { type: 'object', properties: { port: { type: 'integer', format: 'int32' }, target: { type: 'array', items: { type: 'string' } } } });
  });

  it('generates every kind, sharing named types', () => {
    const components: Record<string, OpenApiSchema> = {};
    for (const rt of RESOURCES) assert.ok(openApiSchemaFor(rt, components), rt.key);
    assert.ok(components['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assert.ok(components['io.k8s.api.apps.v1.Deployment']);
    const deployment = components['io.k8s.api.apps.v1.Deployment'] as any;
    assert.deepEqual(deployment.properties.metadata, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
  });
});
