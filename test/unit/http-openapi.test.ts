// The /openapi/v3 documents: generated from the registry and the schema DSL, cached, each
// kind marked with its GVK, write paths taking fieldValidation, list semantics carried.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RESOURCES } from '../../src/api/registry.ts';
import { SERVED_VERSIONS } from '../../src/api/served-versions.ts';
import { openApiDocumentAt, openApiDocuments, openApiRoot } from '../../src/http/openapi.ts';

type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
const doc = (path: string) => openApiDocumentAt(`/openapi/v3/${path}`) as unknown as Doc;

describe('/openapi/v3', () => {
  it('the root lists every group/version with a hash of its document', () => {
    const root = openApiRoot() as { paths: Record<string, { serverRelativeURL: string }> };
    const expected = new Set([...RESOURCES, ...SERVED_VERSIONS.map((v) => v.type)].map((rt) => (rt.group ? `apis/${rt.group}/${rt.version}` : `api/${rt.version}`)));
    assert.deepEqual(new Set(Object.keys(root.paths)), expected);
    for (const [path, { serverRelativeURL }] of Object.entries(root.paths)) {
      const hash = createHash('sha512').update(JSON.stringify(openApiDocuments().get(path)!.body)).digest('hex').toUpperCase();
      assert.equal(serverRelativeURL, `/openapi/v3/${path}?hash=${hash}`);
    }
    assert.deepEqual(openApiDocumentAt('/openapi/v3/'), openApiRoot());
  });

  it('is computed once per process', () => {
    assert.equal(openApiDocuments(), openApiDocuments());
    assert.equal(doc('apis/apps/v1'), doc('apis/apps/v1'));
  });

  it('marks each kind schema with x-kubernetes-group-version-kind', () => {
    const schemas = doc('apis/apps/v1').components.schemas;
    assert.deepEqual(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    assert.deepEqual(doc('api/v1').components.schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  });

  it('gives POST, PUT and PATCH the fieldValidation parameter and the GVK kubectl looks for', () => {
    const paths = doc('apis/apps/v1').paths;
    const one = paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!;
    const collection = paths['/apis/apps/v1/namespaces/{namespace}/deployments']!;
    for (const operation of [one.patch, one.put, collection.post]) {
      assert.deepEqual(operation['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
      assert.ok(operation.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'));
    }
    assert.ok(one.patch.requestBody.content['application/strategic-merge-patch+json']);
    assert.ok(one.patch.requestBody.content['application/apply-patch+yaml'], 'server-side apply is a patch type of the object');
    assert.ok(one.patch.parameters.some((p: any) => p.name === 'force' && p.in === 'query'));
    assert.equal(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!.patch.requestBody.content['application/apply-patch+yaml'], undefined);
    assert.deepEqual(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!.patch['x-kubernetes-group-version-kind'], {
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    assert.ok(doc('api/v1').paths['/api/v1/nodes/{name}'], 'cluster-scoped kinds have no namespace segment');
  });

  it('carries the list semantics strategic merge patch needs', () => {
    const container = doc('api/v1').components.schemas['io.k8s.api.core.v1.Container'];
    assert.equal(container.properties.env['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(container.properties.env['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(container.properties.ports['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.deepEqual(container.properties.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.equal(container.properties.ports['x-kubernetes-list-type'], 'map');
    const spec = doc('apis/apps/v1').components.schemas['io.k8s.api.apps.v1.DeploymentSpec'];
    assert.deepEqual(spec.properties.strategy, {
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }],
      description: 'The deployment strategy to use to replace existing pods with new ones.',
      'x-kubernetes-patch-strategy': 'retainKeys',
    });
    const podSpec = doc('api/v1').components.schemas['io.k8s.api.core.v1.PodSpec'];
    assert.equal(podSpec.properties.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  });

  it('has no document for an unknown group/version, nor for v2', () => {
    assert.equal(openApiDocumentAt('/openapi/v3/apis/nope.example.com/v1'), undefined);
    assert.equal(openApiDocumentAt('/openapi/v2'), undefined);
  });
});
