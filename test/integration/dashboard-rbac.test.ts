// The dashboard's data obeys the API's RBAC, user by user (static tokens from tokens.csv):
// the cluster admin reads the timeline and any past revision; a "dev" bound to a Role in
// namespace dev reads that namespace's objects (the API the page calls) but nothing of
// another namespace, and not the timeline; a cluster-wide "view" user reads but cannot
// write; the timeline is a non-resource permission (get /dashboard/api/timeline) that a
// ClusterRole can grant.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { DASHBOARD_PERMISSIONS } from '../../src/dashboard/serve.ts';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';
import { httpsCall } from '../support/https-call.ts';

const RBAC = 'rbac.authorization.k8s.io';
const TOKENS = { dev: 'dev-token-0001', viewer: 'viewer-token-0002', historian: 'historian-token-0003' };

describe('the dashboard API under RBAC', { timeout: 60_000 }, () => {
  let cluster: HttpTestCluster;
  let revision: number;
  const call = (token: string | undefined, method: string, path: string, body?: unknown) =>
    httpsCall(cluster.url, method, path, {
      ca: cluster.pki.caCert,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
  const admin = () => cluster.pki.adminToken;

  before(async () => {
    cluster = await startHttpTestCluster();
    await writeFile(join(cluster.dataDir, 'tokens.csv'), `${TOKENS.dev},dev,u-dev\n${TOKENS.viewer},viewer,u-viewer\n${TOKENS.historian},historian,u-historian\n`);
    const create = (resource: string, object: Record<string, unknown>) => cluster.client.create(resource, object as unknown as KubeObject);
    await create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
    await create(`roles.${RBAC}`, {
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: { name: 'developer', namespace: 'dev' },
      rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'pods/log', 'deployments', 'services', 'events'], verbs: ['get', 'list', 'watch', 'update', 'patch'] }],
    });
    await create(`rolebindings.${RBAC}`, {
      apiVersion: `${RBAC}/v1`,
      kind: 'RoleBinding',
      metadata: { name: 'dev-is-developer', namespace: 'dev' },
      roleRef: { apiGroup: RBAC, kind: 'Role', name: 'developer' },
      subjects: [{ apiGroup: RBAC, kind: 'User', name: 'dev' }],
    });
    await create(`clusterrolebindings.${RBAC}`, {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'viewer-views' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: RBAC, kind: 'User', name: 'viewer' }],
    });
    await create(`clusterroles.${RBAC}`, {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name: 'dashboard-time-travel' },
      rules: [{ nonResourceURLs: ['/dashboard/api/*'], verbs: ['get'] }],
    });
    await create(`clusterrolebindings.${RBAC}`, {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'historian-travels' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'dashboard-time-travel' },
      subjects: [{ apiGroup: RBAC, kind: 'User', name: 'historian' }],
    });
    for (const namespace of ['dev', 'default']) {
      const pod = await create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `app-${namespace}`, namespace }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
      revision = Number(pod.metadata.resourceVersion);
    }
  });
  after(async () => cluster?.dispose());

  it('answers 401 without a token or with a wrong one, before any permission is looked at', async () => {
    assert.equal((await call(undefined, 'GET', '/dashboard/api/timeline')).code, 401);
    assert.equal((await call('no-such-token', 'GET', '/dashboard/api/timeline')).code, 401);
    // The page itself is public: it holds the login form.
    assert.equal((await call(undefined, 'GET', '/dashboard/')).code, 200);
  });

  it('lets the cluster admin travel: the timeline and any kind at a past revision', async () => {
    const timeline = await call(admin(), 'GET', '/dashboard/api/timeline');
    assert.equal(timeline.code, 200);
    assert.ok(timeline.json().rows.some((r: { resource: string; name: string }) => r.resource === `roles.${RBAC}` && r.name === 'developer'), 'every kind is on the timeline');
    const past = await call(admin(), 'GET', `/dashboard/api/state?revision=${revision}&kind=pods&kind=roles.${RBAC}&namespace=dev`);
    assert.equal(past.code, 200);
    const state = past.json();
    assert.deepEqual(state.objects.pods.map((p: KubeObject) => p.metadata.name), ['app-dev']);
    assert.deepEqual(state.objects[`roles.${RBAC}`].map((r: KubeObject) => r.metadata.name), ['developer']);
    assert.equal(state.kinds.pods, 2, 'the kinds summary counts the whole store');
    assert.equal((await call(admin(), 'GET', '/dashboard/api/controllers')).code, 200);
  });

  it('refuses time travel to a namespaced dev with a 403 Status that names the permission', async () => {
    for (const path of ['/dashboard/api/timeline', `/dashboard/api/state?revision=${revision}`, '/dashboard/api/controllers']) {
      const answer = await call(TOKENS.dev, 'GET', path);
      assert.equal(answer.code, 403, path);
      const status = answer.json();
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, 'Forbidden');
      assert.match(status.message, /User "dev" cannot get path "\/dashboard\/api\/(timeline|controllers)"/);
    }
  });

  it("shows the dev their namespace's objects and refuses another namespace's, through the API the page calls", async () => {
    const own = await call(TOKENS.dev, 'GET', '/api/v1/namespaces/dev/pods');
    assert.equal(own.code, 200);
    assert.deepEqual(own.json().items.map((p: KubeObject) => p.metadata.name), ['app-dev']);
    const other = await call(TOKENS.dev, 'GET', '/api/v1/namespaces/default/pods');
    assert.equal(other.code, 403);
    assert.match(other.json().message, /cannot list resource "pods" in API group "" in the namespace "default"/);
    assert.equal((await call(TOKENS.dev, 'GET', '/api/v1/pods')).code, 403, 'all namespaces at once is another namespace too');
  });

  it('lets a view user see everything live but change nothing', async () => {
    const pod = await call(TOKENS.viewer, 'GET', '/api/v1/namespaces/default/pods/app-default');
    assert.equal(pod.code, 200);
    const object = pod.json() as KubeObject;
    const put = await call(TOKENS.viewer, 'PUT', '/api/v1/namespaces/default/pods/app-default', { ...object, metadata: { ...object.metadata, labels: { edited: 'yes' } } });
    assert.equal(put.code, 403);
    assert.match(put.json().message, /User "viewer" cannot update resource "pods"/);
    assert.equal((await call(TOKENS.viewer, 'GET', '/dashboard/api/timeline')).code, 403, 'view does not include time travel');
  });

  it('grants the timeline to whoever a ClusterRole gives get on its non-resource URL', async () => {
    assert.equal(DASHBOARD_PERMISSIONS.timeline, '/dashboard/api/timeline');
    assert.equal(DASHBOARD_PERMISSIONS.state, DASHBOARD_PERMISSIONS.timeline, 'the past states are part of the timeline');
    assert.equal((await call(TOKENS.historian, 'GET', '/dashboard/api/timeline')).code, 200);
    assert.equal((await call(TOKENS.historian, 'GET', `/dashboard/api/state?revision=${revision}&kind=pods`)).code, 200);
    // Time travel is not live access: the API itself still says no.
    assert.equal((await call(TOKENS.historian, 'GET', '/api/v1/namespaces/dev/pods')).code, 403);
  });
});
