import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import { parseRoute, type ResourcePath } from '../../src/http/route.ts';
import { toApiRequest, type HttpCall } from '../../src/http/to-request.ts';

function resourcePath(path: string): ResourcePath {
  const route = parseRoute(path);
  assert.equal(route.kind, 'resource', `${path} is a resource path`);
  return route as ResourcePath;
}

function call(method: string, url: string, extra: Partial<HttpCall> = {}) {
  const parsed = new URL(url, 'https://x');
  return toApiRequest({ method, route: resourcePath(parsed.pathname), query: parsed.searchParams, ...extra });
}

function statusOf(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
    return { code: error.code, reason: error.reason, message: error.message };
  }
  assert.fail('expected a StatusError');
}

describe('parseRoute', () => {
  it('names the fixed endpoints and discovery documents', () => {
    assert.deepEqual(parseRoute('/version'), { kind: 'version' });
    assert.deepEqual(parseRoute('/readyz'), { kind: 'health', check: 'readyz' });
    assert.deepEqual(parseRoute('/livez/ping'), { kind: 'health', check: 'livez', detail: 'ping' });
    assert.deepEqual(parseRoute('/api'), { kind: 'apiVersions' });
    assert.deepEqual(parseRoute('/apis/'), { kind: 'apiGroups' });
    assert.deepEqual(parseRoute('/apis/apps'), { kind: 'group', group: 'apps' });
    assert.deepEqual(parseRoute('/api/v1'), { kind: 'resourceList', group: '', version: 'v1' });
    assert.deepEqual(parseRoute('/apis/apps/v1'), { kind: 'resourceList', group: 'apps', version: 'v1' });
    assert.equal(parseRoute('/openapi/v3').kind, 'openapi');
    assert.equal(parseRoute('/nothing').kind, 'unknown');
    assert.equal(parseRoute('/api/v1/namespaces/a/pods/b/status/extra').kind, 'unknown');
  });

  it('reads namespaced, cluster-scoped and subresource paths', () => {
    assert.deepEqual(parseRoute('/api/v1/namespaces/ns/pods/web/status'), {
      kind: 'resource', group: '', version: 'v1', plural: 'pods', namespace: 'ns', name: 'web', subresource: 'status', watchPrefix: false,
    });
    assert.deepEqual(parseRoute('/apis/apps/v1/deployments'), { kind: 'resource', group: 'apps', version: 'v1', plural: 'deployments', watchPrefix: false });
    assert.deepEqual(parseRoute('/api/v1/nodes/n1'), { kind: 'resource', group: '', version: 'v1', plural: 'nodes', name: 'n1', watchPrefix: false });
    assert.deepEqual(parseRoute('/api/v1/namespaces/kube-system'), {
      kind: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'kube-system', watchPrefix: false,
    });
    assert.deepEqual(parseRoute('/api/v1/namespaces/ns/status'), {
      kind: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'ns', subresource: 'status', watchPrefix: false,
    });
    assert.equal((parseRoute('/api/v1/watch/namespaces/ns/pods') as ResourcePath).watchPrefix, true);
    assert.equal((parseRoute('/api/v1/namespaces/ns/configmaps/a%2Fb') as ResourcePath).name, 'a/b');
  });
});

describe('toApiRequest', () => {
  it('maps methods to verbs', () => {
    assert.equal(call('GET', '/api/v1/namespaces/d/pods/a').verb, 'get');
    assert.equal(call('GET', '/api/v1/pods').verb, 'list');
    assert.equal(call('GET', '/api/v1/pods?watch=true').verb, 'watch');
    assert.equal(call('GET', '/api/v1/watch/pods').verb, 'watch');
    assert.equal(call('POST', '/api/v1/namespaces/d/pods', { body: {} }).verb, 'create');
    assert.equal(call('PUT', '/api/v1/namespaces/d/pods/a', { body: {} }).verb, 'update');
    assert.equal(call('PATCH', '/api/v1/namespaces/d/pods/a', { body: {}, patchType: 'json' }).patchType, 'json');
    assert.equal(call('DELETE', '/api/v1/namespaces/d/pods/a').verb, 'delete');
    assert.equal(call('DELETE', '/api/v1/namespaces/d/pods').verb, 'deletecollection');
    assert.equal(statusOf(() => call('POST', '/api/v1/namespaces/d/pods/a')).code, 405);
    assert.equal(statusOf(() => call('PUT', '/api/v1/namespaces/d/pods')).code, 405);
  });

  it('resolves the resource through the registry', () => {
    const request = call('GET', '/apis/apps/v1/namespaces/prod/deployments/web');
    assert.deepEqual(request, { verb: 'get', resource: 'deployments.apps', namespace: 'prod', name: 'web' });
    assert.deepEqual(call('GET', '/api/v1/pods'), { verb: 'list', resource: 'pods' });
    assert.equal(call('PUT', '/api/v1/namespaces/d/pods/a/status', { body: {} }).subresource, 'status');
    assert.equal(statusOf(() => call('GET', '/apis/apps/v1/widgets')).code, 404);
    assert.equal(statusOf(() => call('GET', '/api/v1/namespaces/d/nodes/n')).code, 404, 'nodes have no namespace');
    assert.equal(statusOf(() => call('GET', '/api/v1/namespaces/d/pods/a/exec')).code, 404, 'not served in this half');
    assert.equal(statusOf(() => call('GET', '/api/v1/namespaces/d/configmaps/a/status')).code, 404, 'configmaps have no status');
  });

  it('reads the query options', () => {
    const request = call(
      'GET',
      '/api/v1/namespaces/d/pods?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dn1&limit=500&continue=abc&resourceVersion=12&watch=1&allowWatchBookmarks=true&timeoutSeconds=30',
    );
    assert.deepEqual(request.options, {
      labelSelector: 'app=web',
      fieldSelector: 'spec.nodeName=n1',
      limit: 500,
      continue: 'abc',
      resourceVersion: '12',
      allowWatchBookmarks: true,
      timeoutSeconds: 30,
    });
    assert.deepEqual(call('POST', '/api/v1/namespaces/d/pods?dryRun=All&fieldValidation=Strict&fieldManager=kubectl', { body: {} }).options, {
      dryRun: true,
      fieldValidation: 'Strict',
      fieldManager: 'kubectl',
    });
    assert.equal(statusOf(() => call('GET', '/api/v1/pods?limit=ten')).code, 400);
    assert.equal(statusOf(() => call('POST', '/api/v1/namespaces/d/pods?dryRun=Some', { body: {} })).code, 400);
    assert.equal(statusOf(() => call('POST', '/api/v1/namespaces/d/pods?fieldValidation=Loose', { body: {} })).code, 400);
  });

  it('watches one object through metadata.name', () => {
    const request = call('GET', '/api/v1/namespaces/d/pods/web?watch=true&fieldSelector=spec.nodeName%3Dn1');
    assert.equal(request.name, undefined);
    assert.equal(request.options?.fieldSelector, 'spec.nodeName=n1,metadata.name=web');
  });

  it('reads DeleteOptions from the body, the query winning', () => {
    const body = { kind: 'DeleteOptions', propagationPolicy: 'Foreground', gracePeriodSeconds: 5, preconditions: { uid: 'u1' }, dryRun: ['All'] };
    assert.deepEqual(call('DELETE', '/api/v1/namespaces/d/pods/a', { body }).options, {
      dryRun: true,
      gracePeriodSeconds: 5,
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u1' },
    });
    assert.equal(call('DELETE', '/api/v1/namespaces/d/pods/a?propagationPolicy=Orphan', { body }).options?.propagationPolicy, 'Orphan');
    assert.equal(call('DELETE', '/api/v1/namespaces/d/pods/a', { body: { orphanDependents: true } }).options?.propagationPolicy, 'Orphan');
    assert.equal(statusOf(() => call('DELETE', '/api/v1/namespaces/d/pods/a', { body: { propagationPolicy: 'Later' } })).code, 400);
    assert.equal(statusOf(() => call('DELETE', '/api/v1/namespaces/d/pods/a', { body: [1] })).code, 400);
  });

  it('names the field manager of writes: the fieldManager query, else the user agent; apply names its own and may force', () => {
    const ua = { userAgent: 'kubectl/v1.32.4 (linux/amd64) kubernetes/abc' };
    assert.equal(call('PUT', '/api/v1/namespaces/d/pods/a?fieldManager=kubectl-edit', { body: {}, ...ua }).options?.fieldManager, 'kubectl-edit');
    assert.equal(call('POST', '/api/v1/namespaces/d/pods', { body: {}, ...ua }).options?.fieldManager, 'kubectl');
    assert.equal(call('GET', '/api/v1/namespaces/d/pods', ua).options?.fieldManager, undefined);
    const apply = call('PATCH', '/apis/apps/v1/namespaces/d/deployments/a?fieldManager=kubectl&force=true', { body: {}, patchType: 'apply', ...ua });
    assert.deepEqual([apply.patchType, apply.options?.fieldManager, apply.options?.force], ['apply', 'kubectl', true]);
    const anonymous = call('PATCH', '/apis/apps/v1/namespaces/d/deployments/a', { body: {}, patchType: 'apply', ...ua });
    assert.equal(anonymous.options?.fieldManager, undefined, 'an apply never takes the user agent: the pipeline refuses it');
    assert.equal(statusOf(() => call('PATCH', '/api/v1/namespaces/d/pods/a?force=maybe', { body: {}, patchType: 'apply' })).code, 400);
    assert.equal(statusOf(() => call('PATCH', `/api/v1/namespaces/d/pods/a?fieldManager=${'m'.repeat(129)}`, { body: {} })).code, 400);
  });
});
