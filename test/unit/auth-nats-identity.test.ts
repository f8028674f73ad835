/**
 * The NATS face's identities: the request subject names the caller's NATS user, that user
 * maps to a Kubernetes user, and the bootstrap policy gives each component what it calls
 * and refuses it the rest.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestAttributes } from '../../src/auth/authorize-request.ts';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from '../../src/auth/bootstrap-policy.ts';
import { identityOfNatsCaller, OPEN_CALLER } from '../../src/auth/nats-identity.ts';
import { authorize, type BindingLike, type PolicySource, type RoleLike } from '../../src/auth/rbac.ts';
import type { ApiRequest } from '../../src/apiserver/request.ts';
import { NATS_USERS, type NatsUser } from '../../src/natsd/users.ts';
import { apiSubject, parseRequestSubject } from '../../streams/api-transport.ts';

const bootstrap: PolicySource = {
  role: () => undefined,
  clusterRole: (name) => (BOOTSTRAP_CLUSTER_ROLES as unknown as RoleLike[]).find((r) => r.metadata.name === name),
  roleBindings: () => [],
  clusterRoleBindings: () => BOOTSTRAP_CLUSTER_ROLE_BINDINGS as unknown as BindingLike[],
};

/** Whether `caller` over NATS may make the request, as the pipeline decides it (undefined identity: trusted). */
function allowed(caller: NatsUser, request: Omit<ApiRequest, 'user'>): boolean {
  const user = identityOfNatsCaller(caller);
  if (!user) return true;
  return authorize(bootstrap, requestAttributes(request, user)).allowed;
}

describe('the request subject', () => {
  it('names caller, verb and resource, and parses back', () => {
    assert.equal(apiSubject('list', 'deployments.apps', 'kubelet'), 'api.kubelet.list.deployments_apps');
    assert.equal(apiSubject('get', 'pods'), `api.${OPEN_CALLER}.get.pods`);
    assert.deepEqual(parseRequestSubject('api.kubelet.list.deployments_apps'), { caller: 'kubelet', verb: 'list', resource: 'deployments.apps' });
    for (const user of [...NATS_USERS, OPEN_CALLER]) {
      assert.deepEqual(parseRequestSubject(apiSubject('update', 'clusterroles.rbac.authorization.k8s.io', user)), {
        caller: user,
        verb: 'update',
        resource: 'clusterroles.rbac.authorization.k8s.io',
      });
    }
  });

  it('refuses subjects of the old shape or with an unknown verb', () => {
    for (const subject of ['api.get.pods', 'api.kubelet.steal.pods', 'api.kubelet.get.pods.extra', 'api.kubelet.get']) {
      assert.throws(() => parseRequestSubject(subject), (e: { code?: number }) => e.code === 400, subject);
    }
  });
});

describe('the Kubernetes identity of a NATS user', () => {
  it('maps every component to its own user', () => {
    assert.deepEqual(identityOfNatsCaller('admin'), { name: 'jetkube:admin', groups: ['system:masters', 'system:authenticated'] });
    assert.deepEqual(identityOfNatsCaller('scheduler'), { name: 'system:kube-scheduler', groups: ['system:authenticated'] });
    assert.deepEqual(identityOfNatsCaller('controller-manager'), { name: 'system:kube-controller-manager', groups: ['system:authenticated'] });
    assert.deepEqual(identityOfNatsCaller('kubelet'), { name: 'system:node:kubelet', groups: ['system:nodes', 'system:authenticated'] });
    assert.deepEqual(identityOfNatsCaller('kube-proxy'), { name: 'system:kube-proxy', groups: ['system:authenticated'] });
    assert.equal(identityOfNatsCaller('dns')?.name, 'system:kube-dns');
    assert.equal(identityOfNatsCaller('ingress')?.name, 'system:jetkube-ingress');
    const names = NATS_USERS.map((u) => identityOfNatsCaller(u)?.name).filter(Boolean);
    assert.equal(new Set(names).size, names.length, 'no two components share a user');
  });

  it('trusts only the API server itself and an open server', () => {
    assert.equal(identityOfNatsCaller('apiserver'), undefined);
    assert.equal(identityOfNatsCaller(OPEN_CALLER), undefined);
    assert.deepEqual(identityOfNatsCaller('stranger'), { name: 'system:anonymous', groups: ['system:unauthenticated'] });
  });
});

describe('what the bootstrap policy lets each component do', () => {
  it('lets the kubelet run its pods and refuses it Secrets in bulk and namespaces', () => {
    assert.ok(allowed('kubelet', { verb: 'list', resource: 'pods' }));
    assert.ok(allowed('kubelet', { verb: 'watch', resource: 'pods' }));
    assert.ok(allowed('kubelet', { verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web' }));
    assert.ok(allowed('kubelet', { verb: 'delete', resource: 'pods', namespace: 'default', name: 'web' }));
    assert.ok(allowed('kubelet', { verb: 'get', resource: 'secrets', namespace: 'default', name: 'token' }), 'a pod\'s Secret volume');
    assert.ok(allowed('kubelet', { verb: 'get', resource: 'configmaps', namespace: 'default', name: 'conf' }));
    assert.ok(allowed('kubelet', { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'default' }));
    assert.ok(allowed('kubelet', { verb: 'create', resource: 'nodes' }));
    assert.ok(allowed('kubelet', { verb: 'update', resource: 'nodes', subresource: 'status', name: 'n1' }));
    assert.ok(allowed('kubelet', { verb: 'update', resource: 'leases.coordination.k8s.io', namespace: 'kube-node-lease', name: 'n1' }));
    assert.ok(allowed('kubelet', { verb: 'create', resource: 'events', namespace: 'default' }));
    assert.ok(!allowed('kubelet', { verb: 'list', resource: 'secrets' }));
    assert.ok(!allowed('kubelet', { verb: 'watch', resource: 'secrets', namespace: 'default' }));
    assert.ok(!allowed('kubelet', { verb: 'delete', resource: 'namespaces', name: 'default' }));
    assert.ok(!allowed('kubelet', { verb: 'create', resource: 'deployments.apps', namespace: 'default' }));
    assert.ok(!allowed('kubelet', { verb: 'create', resource: 'clusterrolebindings.rbac.authorization.k8s.io' }));
  });

  it('lets the scheduler bind and report, nothing more', () => {
    assert.ok(allowed('scheduler', { verb: 'create', resource: 'pods', subresource: 'binding', namespace: 'default', name: 'web' }));
    assert.ok(allowed('scheduler', { verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web' }));
    assert.ok(allowed('scheduler', { verb: 'list', resource: 'nodes' }));
    assert.ok(allowed('scheduler', { verb: 'update', resource: 'leases.coordination.k8s.io', namespace: 'kube-system', name: 'kube-scheduler' }));
    assert.ok(!allowed('scheduler', { verb: 'update', resource: 'leases.coordination.k8s.io', namespace: 'kube-system', name: 'kube-controller-manager' }));
    assert.ok(!allowed('scheduler', { verb: 'get', resource: 'secrets', namespace: 'default', name: 's' }));
    assert.ok(!allowed('scheduler', { verb: 'create', resource: 'pods', namespace: 'default' }));
  });

  it('gives the controller manager its controllers\' writes but not cluster-admin', () => {
    for (const resource of ['pods', 'replicasets.apps', 'controllerrevisions.apps', 'jobs.batch', 'endpointslices.discovery.k8s.io', 'serviceaccounts', 'configmaps', 'persistentvolumes', 'events', 'leases.coordination.k8s.io']) {
      assert.ok(allowed('controller-manager', { verb: 'create', resource, namespace: 'default' }), resource);
    }
    assert.ok(allowed('controller-manager', { verb: 'update', resource: 'deployments.apps', subresource: 'status', namespace: 'default', name: 'web' }));
    assert.ok(allowed('controller-manager', { verb: 'update', resource: 'namespaces', subresource: 'finalize', name: 'gone' }));
    assert.ok(allowed('controller-manager', { verb: 'deletecollection', resource: 'secrets', namespace: 'gone' }), 'the namespace controller empties namespaces');
    assert.ok(allowed('controller-manager', { verb: 'list', resource: 'secrets' }), 'the garbage collector watches every kind');
    assert.ok(!allowed('controller-manager', { verb: 'create', resource: 'secrets', namespace: 'default' }));
    assert.ok(!allowed('controller-manager', { verb: 'create', resource: 'clusterrolebindings.rbac.authorization.k8s.io' }));
    assert.ok(!allowed('controller-manager', { verb: 'create', resource: 'nodes' }));
  });

  it('lets kube-proxy, the DNS and the ingress controller read what they serve and no Secret', () => {
    for (const caller of ['kube-proxy', 'dns', 'ingress'] as const) {
      assert.ok(allowed(caller, { verb: 'list', resource: 'services' }), caller);
      assert.ok(allowed(caller, { verb: 'watch', resource: 'endpointslices.discovery.k8s.io' }), caller);
      assert.ok(!allowed(caller, { verb: 'get', resource: 'secrets', namespace: 'default', name: 's' }), caller);
      assert.ok(!allowed(caller, { verb: 'delete', resource: 'services', namespace: 'default', name: 's' }), caller);
    }
    assert.ok(allowed('kube-proxy', { verb: 'create', resource: 'events', namespace: 'default' }));
    assert.ok(allowed('dns', { verb: 'list', resource: 'namespaces' }));
    assert.ok(allowed('dns', { verb: 'list', resource: 'pods' }), 'pods verified mode');
    assert.ok(allowed('ingress', { verb: 'list', resource: 'ingressclasses.networking.k8s.io' }));
    assert.ok(allowed('ingress', { verb: 'create', resource: 'ingressclasses.networking.k8s.io' }), 'its own IngressClass');
    assert.ok(allowed('ingress', { verb: 'update', resource: 'ingresses.networking.k8s.io', subresource: 'status', namespace: 'default', name: 'web' }));
    assert.ok(!allowed('ingress', { verb: 'update', resource: 'ingresses.networking.k8s.io', namespace: 'default', name: 'web' }));
  });

  it('lets the admin do anything', () => {
    assert.ok(allowed('admin', { verb: 'delete', resource: 'namespaces', name: 'default' }));
    assert.ok(allowed('admin', { verb: 'list', resource: 'secrets' }));
  });
});
