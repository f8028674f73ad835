import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceAttributes, UserInfo } from '../../src/auth/attributes.ts';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from '../../src/auth/bootstrap-policy.ts';
import { authorize, forbiddenMessage, rulesFor, type BindingLike, type PolicySource, type RoleLike } from '../../src/auth/rbac.ts';

interface Objects {
  roles?: (RoleLike & { metadata: { namespace: string; name: string } })[];
  clusterRoles?: RoleLike[];
  roleBindings?: BindingLike[];
  clusterRoleBindings?: BindingLike[];
}

function policyOf(objects: Objects): PolicySource {
  return {
    role: (ns, name) => objects.roles?.find((r) => r.metadata.namespace === ns && r.metadata.name === name),
    clusterRole: (name) => objects.clusterRoles?.find((r) => r.metadata.name === name),
    roleBindings: (ns) => (objects.roleBindings ?? []).filter((b) => b.metadata.namespace === ns),
    clusterRoleBindings: () => objects.clusterRoleBindings ?? [],
  };
}

const dev: UserInfo = { name: 'dev', groups: ['developers', 'system:authenticated'] };
const can = (policy: PolicySource, a: Omit<ResourceAttributes, 'user'>, user: UserInfo = dev) => authorize(policy, { user, ...a }).allowed;

const devPolicy = policyOf({
  roles: [
    {
      metadata: { namespace: 'team', name: 'pod-reader' },
      rules: [
        { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] },
        { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
        { verbs: ['*'], apiGroups: ['batch'], resources: ['jobs'] },
      ],
    },
  ],
  roleBindings: [
    { metadata: { namespace: 'team', name: 'dev-reads' }, subjects: [{ kind: 'User', name: 'dev' }], roleRef: { kind: 'Role', name: 'pod-reader', apiGroup: 'rbac.authorization.k8s.io' } },
  ],
});

describe('RBAC authorizer', () => {
  it('allows what a namespaced Role grants, in its namespace only', () => {
    assert.equal(can(devPolicy, { verb: 'list', apiGroup: '', resource: 'pods', namespace: 'team' }), true);
    assert.equal(can(devPolicy, { verb: 'list', apiGroup: '', resource: 'pods', namespace: 'default' }), false);
    assert.equal(can(devPolicy, { verb: 'list', apiGroup: '', resource: 'pods' }), false, 'cluster-wide list is not granted by a Role');
    assert.equal(can(devPolicy, { verb: 'delete', apiGroup: '', resource: 'pods', namespace: 'team', name: 'x' }), false);
    assert.equal(can(devPolicy, { verb: 'list', apiGroup: '', resource: 'pods', namespace: 'team' }, { name: 'eve', groups: ['system:authenticated'] }), false);
  });

  it('matches subresources as resource/subresource, and the API group', () => {
    assert.equal(can(devPolicy, { verb: 'get', apiGroup: '', resource: 'pods', subresource: 'log', namespace: 'team', name: 'p' }), true);
    assert.equal(can(devPolicy, { verb: 'get', apiGroup: '', resource: 'pods', subresource: 'status', namespace: 'team', name: 'p' }), false);
    assert.equal(can(devPolicy, { verb: 'create', apiGroup: 'batch', resource: 'jobs', namespace: 'team' }), true, '* verbs');
    assert.equal(can(devPolicy, { verb: 'create', apiGroup: '', resource: 'jobs', namespace: 'team' }), false, 'another group');
  });

  it('restricts to resourceNames, which never match a list or a create', () => {
    assert.equal(can(devPolicy, { verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'team', name: 'web' }), true);
    assert.equal(can(devPolicy, { verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'team', name: 'db' }), false);
    assert.equal(can(devPolicy, { verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'team' }), false);
  });

  it('binds groups, ServiceAccounts (namespace defaulted from the binding) and ClusterRoles through RoleBindings', () => {
    const policy = policyOf({
      clusterRoles: [{ metadata: { name: 'secret-reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] }],
      roleBindings: [
        { metadata: { namespace: 'a', name: 'g' }, subjects: [{ kind: 'Group', name: 'developers' }], roleRef: { kind: 'ClusterRole', name: 'secret-reader' } },
        { metadata: { namespace: 'b', name: 'sa' }, subjects: [{ kind: 'ServiceAccount', name: 'robot' }], roleRef: { kind: 'ClusterRole', name: 'secret-reader' } },
      ],
    });
    const robot: UserInfo = { name: 'system:serviceaccount:b:robot', groups: ['system:serviceaccounts', 'system:authenticated'] };
    assert.equal(can(policy, { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'a', name: 's' }), true);
    assert.equal(can(policy, { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'b', name: 's' }), false);
    assert.equal(can(policy, { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'b', name: 's' }, robot), true);
    assert.equal(can(policy, { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'a', name: 's' }, robot), false);
  });

  it('gives system:masters everything, and the bootstrap policy its roles', () => {
    const bootstrap = policyOf({ clusterRoles: [...BOOTSTRAP_CLUSTER_ROLES] as RoleLike[], clusterRoleBindings: [...BOOTSTRAP_CLUSTER_ROLE_BINDINGS] as unknown as BindingLike[] });
    assert.equal(can(bootstrap, { verb: 'delete', apiGroup: 'apps', resource: 'deployments', namespace: 'x', name: 'y' }, { name: 'admin', groups: ['system:masters'] }), true);
    const scheduler: UserInfo = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
    assert.equal(can(bootstrap, { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'binding', namespace: 'x', name: 'p' }, scheduler), true);
    assert.equal(can(bootstrap, { verb: 'delete', apiGroup: '', resource: 'nodes', name: 'n' }, scheduler), false);
    assert.equal(can(bootstrap, { verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }), true, 'system:basic-user');
    assert.equal(authorize(bootstrap, { user: dev, verb: 'get', path: '/apis/apps' }).allowed, true, 'system:discovery');
    assert.equal(authorize(bootstrap, { user: dev, verb: 'get', path: '/metrics' }).allowed, false);
    assert.equal(authorize(bootstrap, { user: dev, verb: 'get', path: '/healthz' }).allowed, true);
  });

  it('lists the rules a user holds in a namespace', () => {
    const rules = rulesFor(devPolicy, dev, 'team');
    assert.equal(rules.length, 3);
    assert.deepEqual(rulesFor(devPolicy, dev, 'default'), []);
  });

  it('words the 403 as Kubernetes does', () => {
    assert.equal(
      forbiddenMessage({ user: dev, verb: 'list', apiGroup: '', resource: 'pods', namespace: 'default' }),
      'pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    assert.equal(
      forbiddenMessage({ user: dev, verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'a', name: 'web' }),
      'deployments.apps "web" is forbidden: User "dev" cannot get resource "deployments/scale" in API group "apps" in the namespace "a"',
    );
    assert.equal(
      forbiddenMessage({ user: dev, verb: 'list', apiGroup: '', resource: 'nodes' }),
      'nodes is forbidden: User "dev" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });
});
