import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserInfo } from '../../src/auth/attributes.ts';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from '../../src/auth/bootstrap-policy.ts';
import type { BindingLike, PolicySource, RoleLike } from '../../src/auth/rbac.ts';
import { serveReview } from '../../src/auth/reviews.ts';
import { StatusError } from '../../src/api/errors.ts';

const roles = [...BOOTSTRAP_CLUSTER_ROLES] as RoleLike[];
const bindings: BindingLike[] = [
  ...(BOOTSTRAP_CLUSTER_ROLE_BINDINGS as unknown as BindingLike[]),
  { metadata: { name: 'dev-edit', namespace: 'team' }, subjects: [{ kind: 'User', name: 'dev' }], roleRef: { kind: 'ClusterRole', name: 'edit' } },
];
const policy: PolicySource = {
  role: () => undefined,
  clusterRole: (name) => roles.find((r) => r.metadata.name === name),
  roleBindings: (ns) => bindings.filter((b) => b.metadata.namespace === ns),
  clusterRoleBindings: () => bindings.filter((b) => !b.metadata.namespace),
};
const dev: UserInfo = { name: 'dev', groups: ['system:authenticated'] };
const status = (reply: Awaited<ReturnType<typeof serveReview>>) => (reply.ok ? (reply.body as unknown as { status: Record<string, unknown> }).status : undefined);

describe('self reviews', () => {
  it('SelfSubjectAccessReview answers for the caller', () => {
    const ask = (verb: string, namespace: string) =>
      status(serveReview(policy, { verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io', user: dev, body: { spec: { resourceAttributes: { verb, resource: 'deployments', group: 'apps', namespace } } } }));
    assert.equal(ask('create', 'team')?.allowed, true);
    assert.equal(ask('create', 'default')?.allowed, false);
  });

  it('SelfSubjectRulesReview lists resource and URL rules', () => {
    const rules = status(serveReview(policy, { verb: 'create', resource: 'selfsubjectrulesreviews.authorization.k8s.io', user: dev, body: { spec: { namespace: 'team' } } }));
    const resourceRules = rules?.resourceRules as { resources: string[] }[];
    assert.ok(resourceRules.some((r) => r.resources.includes('deployments')));
    assert.ok((rules?.nonResourceRules as unknown[]).length > 0, 'system:discovery URLs');
  });

  it('SelfSubjectReview says who the caller is; a user without system:basic-user may not ask', () => {
    const whoami = status(serveReview(policy, { verb: 'create', resource: 'selfsubjectreviews.authentication.k8s.io', user: dev, body: {} }));
    assert.deepEqual(whoami?.userInfo, { username: 'dev', groups: ['system:authenticated'] });
    assert.throws(
      () => serveReview(policy, { verb: 'create', resource: 'selfsubjectreviews.authentication.k8s.io', user: { name: 'x', groups: [] }, body: {} }),
      (e: unknown) => e instanceof StatusError && e.code === 403,
    );
  });

  it('SubjectAccessReview from the trusted face answers about the named user', () => {
    const review = status(
      serveReview(policy, { verb: 'create', resource: 'subjectaccessreviews.authorization.k8s.io', body: { spec: { user: 'dev', groups: ['system:authenticated'], nonResourceAttributes: { verb: 'get', path: '/metrics' } } } }),
    );
    assert.equal(review?.allowed, false);
  });
});
