/**
 * The audit record, pure: built from a request and its answer or error, the AUDIT
 * subjects and filters, and what `jetkube audit` parses and prints.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alreadyExists, forbidden } from '../../src/api/errors.ts';
import type { ApiReply, ApiRequest } from '../../src/apiserver/request.ts';
import { auditEvent, isAuditedVerb, microTime, NATS_USER, rejectedEvent, writeVerbOf } from '../../src/audit/event.ts';
import { auditRow, codeMatcher, formatLatency, matches, parseDuration } from '../../src/audit/query.ts';
import { auditFilterSubject, auditSubject } from '../../streams/audit-stream.ts';
import { auditQueryFrom } from '../../src/cli/audit.ts';

const received = new Date('2026-11-25T22:00:00.000Z');
const completed = new Date('2026-11-25T22:00:00.012Z');
const alice = { name: 'alice', groups: ['dev', 'system:authenticated'] };

function created(name: string, namespace = 'default'): ApiReply {
  return { ok: true, code: 201, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, resourceVersion: '7' } } };
}

describe('auditEvent', () => {
  it('records an allowed create with the user, the object the answer names, the code and the latency', () => {
    const request: ApiRequest = { verb: 'create', resource: 'pods', namespace: 'default', body: { metadata: { generateName: 'web-' } }, user: alice };
    const event = auditEvent({ auditID: 'a1', request, outcome: { reply: created('web-x7k2p') }, receivedAt: received, completedAt: completed });
    assert.deepEqual(event, {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: 'a1',
      stage: 'ResponseComplete',
      verb: 'create',
      user: { username: 'alice', groups: ['dev', 'system:authenticated'] },
      objectRef: { resource: 'pods', namespace: 'default', name: 'web-x7k2p', apiGroup: '', apiVersion: 'v1', resourceVersion: '7' },
      responseStatus: { code: 201 },
      requestReceivedTimestamp: '2026-11-25T22:00:00.000000Z',
      stageTimestamp: '2026-11-25T22:00:00.012000Z',
      latencyMs: 12,
    });
  });

  it('records a thrown 403 as a Failure with its reason, and group and version from the registry', () => {
    const request: ApiRequest = { verb: 'delete', resource: 'deployments.apps', namespace: 'team', name: 'web', user: alice };
    const error = forbidden('deployments.apps "web" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps" in the namespace "team"');
    const event = auditEvent({ auditID: 'a2', request, outcome: { error }, receivedAt: received, completedAt: completed, latencyMs: 0.4567 });
    assert.deepEqual(event.objectRef, { resource: 'deployments', namespace: 'team', name: 'web', apiGroup: 'apps', apiVersion: 'v1' });
    assert.equal(event.responseStatus.code, 403);
    assert.equal(event.responseStatus.status, 'Failure');
    assert.equal(event.responseStatus.reason, 'Forbidden');
    assert.match(event.responseStatus.message!, /cannot delete/);
    assert.equal(event.latencyMs, 0.457);
  });

  it('records a refused answer (ok: false) with its status code, and a create name from the body', () => {
    const request: ApiRequest = { verb: 'create', resource: 'configmaps', namespace: 'default', body: { metadata: { name: 'cfg' } } };
    const status = alreadyExists('configmaps', '', 'cfg').toStatus();
    const event = auditEvent({ auditID: 'a3', request, outcome: { reply: { ok: false, status } }, receivedAt: received, completedAt: completed });
    assert.equal(event.responseStatus.code, 409);
    assert.equal(event.objectRef?.name, 'cfg');
  });

  it('names the NATS face caller system:nats, with its field manager as the user agent', () => {
    const request: ApiRequest = { verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web', options: { fieldManager: 'kubelet' } };
    const event = auditEvent({ auditID: 'a4', request, outcome: { reply: created('web') }, receivedAt: received, completedAt: completed });
    assert.equal(event.user.username, NATS_USER);
    assert.equal(event.userAgent, 'kubelet');
    assert.equal(event.objectRef?.subresource, 'status');
  });

  it('takes source IPs, user agent and URI from the origin the face noted', () => {
    const request: ApiRequest = { verb: 'patch', resource: 'pods', namespace: 'default', name: 'web', user: alice, options: { fieldManager: 'kubectl' } };
    const origin = { sourceIPs: ['10.0.0.9', '127.0.0.1'], userAgent: 'kubectl/v1.32.4 (linux/amd64)', requestURI: '/api/v1/namespaces/default/pods/web' };
    const event = auditEvent({ auditID: 'a5', request, outcome: { reply: created('web') }, receivedAt: received, completedAt: completed, origin });
    assert.deepEqual(event.sourceIPs, origin.sourceIPs);
    assert.equal(event.userAgent, origin.userAgent);
    assert.equal(event.requestURI, origin.requestURI);
  });

  it('cuts very long messages', () => {
    const request: ApiRequest = { verb: 'create', resource: 'pods', namespace: 'default', user: alice };
    const event = auditEvent({ auditID: 'a6', request, outcome: { error: forbidden('x'.repeat(5000)) }, receivedAt: received, completedAt: completed });
    assert.ok(event.responseStatus.message!.length <= 1025);
  });

  it('audits writes only', () => {
    for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection']) assert.equal(isAuditedVerb(verb), true, verb);
    for (const verb of ['get', 'list', 'watch']) assert.equal(isAuditedVerb(verb), false, verb);
    assert.equal(writeVerbOf('POST', false), 'create');
    assert.equal(writeVerbOf('DELETE', false), 'deletecollection');
    assert.equal(writeVerbOf('DELETE', true), 'delete');
    assert.equal(writeVerbOf('GET', true), undefined);
  });

  it('records a 401 with an empty user', () => {
    const event = rejectedEvent({ auditID: 'r1', verb: 'create', objectRef: { resource: 'pods', namespace: 'default' }, code: 401, reason: 'Unauthorized', message: 'Unauthorized', receivedAt: received, completedAt: completed });
    assert.deepEqual(event.user, {});
    assert.equal(event.responseStatus.code, 401);
    assert.equal(microTime(received), '2026-11-25T22:00:00.000000Z');
  });
});

describe('AUDIT subjects', () => {
  it('puts verb, resource and namespace in tokens, _ for cluster scope', () => {
    assert.equal(auditSubject('create', 'deployments.apps', 'team'), 'audit.create.deployments_apps.team');
    assert.equal(auditSubject('delete', 'namespaces', undefined), 'audit.delete.namespaces._');
    assert.equal(auditSubject('create', '', '.'), 'audit.create._._');
  });

  it('filters on any of them', () => {
    assert.equal(auditFilterSubject(), 'audit.>');
    assert.equal(auditFilterSubject({ resource: 'pods' }), 'audit.*.pods.*');
    assert.equal(auditFilterSubject({ verb: 'delete', namespace: 'team' }), 'audit.delete.*.team');
    assert.equal(auditFilterSubject({ namespace: '' }), 'audit.*.*._');
  });
});

describe('jetkube audit parsing and printing', () => {
  it('parses Go-style durations', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.throws(() => parseDuration('10'), /invalid duration/);
    assert.throws(() => parseDuration('1x'), /invalid duration/);
  });

  it('matches codes exactly or by class, and users exactly', () => {
    assert.equal(codeMatcher('403')(403), true);
    assert.equal(codeMatcher('403')(404), false);
    assert.equal(codeMatcher('4xx')(422), true);
    assert.equal(codeMatcher('4xx')(201), false);
    assert.throws(() => codeMatcher('forty'), /invalid --code/);
    const event = rejectedEvent({ auditID: 'r', verb: 'create', code: 401, reason: 'Unauthorized', message: '', receivedAt: received, completedAt: completed });
    assert.equal(matches(event, { user: '' }), true);
    assert.equal(matches(event, { user: 'alice' }), false);
  });

  it('prints time, user, verb, resource, ns/name, code, latency', () => {
    const request: ApiRequest = { verb: 'delete', resource: 'deployments.apps', namespace: 'team', name: 'web', user: alice };
    const event = auditEvent({ auditID: 'a', request, outcome: { reply: created('web') }, receivedAt: received, completedAt: completed, latencyMs: 3.14159 });
    assert.deepEqual(auditRow(event), ['2026-11-25T22:00:00.000Z', 'alice', 'delete', 'deployments.apps', 'team/web', '201', '3.14ms']);
    assert.equal(formatLatency(1234), '1.23s');
  });
});

describe('jetkube audit flags', () => {
  const now = new Date('2026-11-25T22:00:00Z');

  it('turns flags into server-side subjects and client-side filters', () => {
    const query = auditQueryFrom({ verb: 'delete', resource: 'deploy', namespace: 'team', user: 'alice', code: '4xx', since: '15m', output: 'json' }, now);
    assert.deepEqual(query.subjects, { verb: 'delete', resource: 'deployments.apps', namespace: 'team' });
    assert.equal(query.client.user, 'alice');
    assert.equal(query.client.code?.(404), true);
    assert.equal(query.since?.toISOString(), '2026-11-25T21:45:00.000Z');
    assert.equal(query.output, 'json');
    assert.equal(query.follow, false);
  });

  it('refuses read verbs, unknown resources and formats', () => {
    assert.throws(() => auditQueryFrom({ verb: 'get' }, now), /reads are not audited/);
    assert.throws(() => auditQueryFrom({ resource: 'nothings' }, now), /doesn't have a resource type/);
    assert.throws(() => auditQueryFrom({ output: 'yaml' }, now), /table or json/);
  });
});
