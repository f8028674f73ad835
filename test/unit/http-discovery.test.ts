import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESOURCES } from '../../src/api/registry.ts';
import { SERVED_VERSIONS } from '../../src/api/served-versions.ts';
import {
  aggregatedCore,
  aggregatedGroups,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from '../../src/http/discovery.ts';

describe('discovery documents', () => {
  it('/api names v1 and the server address', () => {
    assert.deepEqual(apiVersions('127.0.0.1:6443'), {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
    });
  });

  it('/apis lists every named group of the registry once, with its preferred version', () => {
    const list = apiGroupList();
    const names = list.groups.map((g) => g.name);
    const expected = [...new Set(RESOURCES.filter((rt) => rt.group !== '').map((rt) => rt.group))];
    assert.deepEqual(names, expected);
    const apps = list.groups.find((g) => g.name === 'apps')!;
    assert.deepEqual(apps.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
    assert.equal(apiGroup('autoscaling')?.preferredVersion.groupVersion, 'autoscaling/v2');
    assert.equal(apiGroup('nope'), undefined);
  });

  it('every registry entry appears in its APIResourceList, with its subresources', () => {
    for (const rt of RESOURCES) {
      const list = apiResourceList(rt.group, rt.version)!;
      assert.equal(list.groupVersion, rt.apiVersion);
      const entry = list.resources.find((r) => r.name === rt.plural && r.kind === rt.kind)!;
      assert.ok(entry, `${rt.key} listed`);
      assert.equal(entry.singularName, rt.singular);
      assert.equal(entry.namespaced, rt.namespaced);
      assert.deepEqual(entry.verbs, rt.verbs);
      for (const sub of rt.subresources) assert.ok(list.resources.some((r) => r.name === `${rt.plural}/${sub}`), `${rt.plural}/${sub}`);
    }
    assert.equal(apiResourceList('apps', 'v2'), undefined);
  });

  it('publishes short names, categories and subresource kinds as kubectl reads them', () => {
    const core = apiResourceList('', 'v1')!;
    const pods = core.resources.find((r) => r.name === 'pods')!;
    assert.deepEqual(pods, {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    });
    assert.deepEqual(core.resources.find((r) => r.name === 'pods/status'), {
      name: 'pods/status',
      singularName: '',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get', 'patch', 'update'],
    });
    const scale = apiResourceList('apps', 'v1')!.resources.find((r) => r.name === 'deployments/scale')!;
    assert.equal(scale.kind, 'Scale');
    assert.equal((scale as { group?: string }).group, 'autoscaling');
  });

  it('the aggregated forms hold the same resources', () => {
    const core = aggregatedCore();
    assert.equal(core.kind, 'APIGroupDiscoveryList');
    assert.equal(core.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.equal(core.items.length, 1);
    assert.equal(core.items[0]!.metadata.name, '');
    const coreCount = RESOURCES.filter((rt) => rt.group === '').length;
    assert.equal(core.items[0]!.versions[0]!.resources.length, coreCount);
    const ns = core.items[0]!.versions[0]!.resources.find((r) => r.resource === 'namespaces')!;
    assert.equal(ns.scope, 'Cluster');
    assert.deepEqual(ns.responseKind, { group: '', version: 'v1', kind: 'Namespace' });

    const groups = aggregatedGroups();
    const total = groups.items.flatMap((g) => g.versions.flatMap((v) => v.resources)).length;
    // Stored versions plus those served by conversion (autoscaling/v1).
    assert.equal(total, RESOURCES.length + SERVED_VERSIONS.length - coreCount);
    const deployments = groups.items.find((g) => g.metadata.name === 'apps')!.versions[0]!.resources.find((r) => r.resource === 'deployments')!;
    assert.deepEqual(deployments.shortNames, ['deploy']);
    assert.deepEqual(
      deployments.subresources.map((s) => [s.subresource, s.responseKind.kind]),
      [['scale', 'Scale'], ['status', 'Deployment']],
    );
  });
});
