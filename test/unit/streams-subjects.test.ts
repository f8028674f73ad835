/**
 * Registry subjects: four tokens, `_` for cluster scope, filters that select exactly a
 * resource or one namespace of it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { logFilterSubject, parseRegistrySubject, registryFilter, registrySubject, REGISTRY_STREAM } from '../../streams/subjects.ts';

describe('registry subjects', () => {
  it('spells the stream and subjects', () => {
    assert.equal(REGISTRY_STREAM, 'REGISTRY');
    assert.equal(registrySubject({ resource: 'pods', namespace: 'default', name: 'web-1' }), 'registry.pods.default.web-1');
    assert.equal(registrySubject({ resource: 'nodes', namespace: '', name: 'node.example.com' }), 'registry.nodes._.node_example_com');
    assert.equal(
      registrySubject({ resource: 'clusterroles.rbac.authorization.k8s.io', namespace: '', name: 'system:controller:x' }),
      'registry.clusterroles_rbac_authorization_k8s_io._.system~3acontroller~3ax',
    );
  });

  it('parses back what it spells, cluster scope included', () => {
    const keys = [
      { resource: 'pods', namespace: 'default', name: 'web-1' },
      { resource: 'nodes', namespace: '', name: 'node.example.com' },
      { resource: 'deployments.apps', namespace: 'kube-system', name: 'coredns' },
    ];
    for (const key of keys) assert.deepEqual(parseRegistrySubject(registrySubject(key)), key);
  });

  it('refuses subjects that are not registry subjects', () => {
    for (const bad of ['registry.pods.default', 'other.pods.default.x', 'registry.pods.default.x.y', 'registry.pods.default.a~zz']) {
      assert.throws(() => parseRegistrySubject(bad), bad);
    }
  });

  it('refuses "." as a namespace (it would collide with cluster scope)', () => {
    assert.throws(() => registrySubject({ resource: 'pods', namespace: '.', name: 'x' }));
  });

  it('builds filters', () => {
    assert.equal(registryFilter(), 'registry.>');
    assert.equal(registryFilter('deployments.apps'), 'registry.deployments_apps.>');
    assert.equal(registryFilter('pods', 'default'), 'registry.pods.default.*');
    assert.equal(registryFilter('namespaces', ''), 'registry.namespaces._.*');
    assert.equal(logFilterSubject(undefined), 'registry.>');
    assert.equal(logFilterSubject({ resource: 'pods', namespace: 'a.b' }), 'registry.pods.a_b.*');
    assert.throws(() => registryFilter(undefined, 'default'));
  });

  it('round-trips any key, and a key matches its own filters', () => {
    const part = fc.string({ unit: fc.constantFrom('a', '0', '-', '.', ':', '_', 'é'), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(part, fc.option(part, { nil: '' }), part, (resource, namespace, name) => {
        fc.pre(namespace !== '.');
        const key = { resource, namespace, name };
        const subject = registrySubject(key);
        assert.equal(subject.split('.').length, 4);
        assert.deepEqual(parseRegistrySubject(subject), key);
        assert.ok(subject.startsWith(registryFilter(resource).slice(0, -1)));
        assert.ok(subject.startsWith(registryFilter(resource, namespace).slice(0, -1)));
      }),
      { numRuns: 500 },
    );
  });
});
