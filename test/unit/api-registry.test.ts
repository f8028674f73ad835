import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, resolveResourceName, resourceByKey, resourceFor, resourceForKind } from '../../src/api/registry.ts';

describe('resource registry', () => {
  it('has unique keys and derives key and apiVersion from group and version', () => {
    const keys = RESOURCES.map((rt) => rt.key);
    assert.equal(new Set(keys).size, keys.length);
    for (const rt of RESOURCES) {
      assert.equal(rt.key, rt.group ? `${rt.plural}.${rt.group}` : rt.plural);
      assert.equal(rt.apiVersion, rt.group ? `${rt.group}/${rt.version}` : rt.version);
      assert.equal(rt.singular, rt.kind.toLowerCase());
    }
  });

  it('describes Deployment as discovery does', () => {
    const rt = resourceByKey('deployments.apps')!;
    assert.deepEqual(
      { ...rt },
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        plural: 'deployments',
        singular: 'deployment',
        shortNames: ['deploy'],
        categories: ['all'],
        namespaced: true,
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        subresources: ['scale', 'status'],
        key: 'deployments.apps',
        apiVersion: 'apps/v1',
        hasGeneration: true,
      },
    );
  });

  it('puts in category "all" exactly what kubectl get all shows', () => {
    const all = RESOURCES.filter((rt) => rt.categories.includes('all')).map((rt) => rt.key).sort();
    assert.deepEqual(all, [
      'cronjobs.batch',
      'daemonsets.apps',
      'deployments.apps',
      'horizontalpodautoscalers.autoscaling',
      'jobs.batch',
      'pods',
      'replicasets.apps',
      'replicationcontrollers',
      'services',
      'statefulsets.apps',
    ]);
  });

  it('knows scopes', () => {
    assert.equal(resourceByKey('nodes')!.namespaced, false);
    assert.equal(resourceByKey('clusterrolebindings.rbac.authorization.k8s.io')!.namespaced, false);
    assert.equal(resourceByKey('persistentvolumeclaims')!.namespaced, true);
  });

  it('finds by URL coordinates and by apiVersion/kind', () => {
    assert.equal(resourceFor('batch', 'v1', 'cronjobs')?.kind, 'CronJob');
    assert.equal(resourceFor('', 'v1', 'pods')?.kind, 'Pod');
    assert.equal(resourceFor('apps', 'v1beta1', 'deployments'), undefined);
    assert.equal(resourceForKind('networking.k8s.io/v1', 'Ingress')?.key, 'ingresses.networking.k8s.io');
    assert.equal(resourceForKind('v1', 'Deployment'), undefined);
  });
});

describe('resolveResourceName', () => {
  const cases: [string, string | undefined][] = [
    ['deploy', 'deployments.apps'],
    ['po', 'pods'],
    ['Deployment', 'deployments.apps'],
    ['svc', 'services'],
    ['deployments.apps', 'deployments.apps'],
    ['deployment.apps', 'deployments.apps'],
    ['deployments.v1.apps', 'deployments.apps'],
    ['ev', 'events'],
    ['events.events.k8s.io', 'events.events.k8s.io'],
    ['PVC', 'persistentvolumeclaims'],
    ['hpa', 'horizontalpodautoscalers.autoscaling'],
    ['clusterrolebinding', 'clusterrolebindings.rbac.authorization.k8s.io'],
    ['nosuchthing', undefined],
    ['deployments.batch', undefined],
  ];
  for (const [text, key] of cases) {
    it(`resolves ${JSON.stringify(text)}`, () => assert.equal(resolveResourceName(text)?.key, key));
  }
});
