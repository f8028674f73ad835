/**
 * Audit over a real nats-server and the HTTPS face: an allowed create, a 403 by RBAC for
 * a user without rights, a 422 invalid object, a 409 and a 401 without credentials all land
 * in the AUDIT stream with the right code and user; reads do not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readAuditEvents } from '../../streams/audit-stream.ts';
import type { AuditEvent } from '../../src/audit/event.ts';
import { addAlice, AUDIT_TEST_AGENT, call, makeAuditedWrites } from '../support/audit-writes.ts';
import { eventually } from '../support/cluster.ts';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

let cluster: HttpTestCluster;

async function auditRecords(): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const { event } of readAuditEvents(cluster.client.nc, { follow: false })) events.push(event);
  return events;
}

describe('the AUDIT stream', () => {
  let records: AuditEvent[] = [];

  before(async () => {
    cluster = await startHttpTestCluster();
    await addAlice(cluster);
    await makeAuditedWrites(cluster);
    records = await eventually(async () => {
      const found = (await auditRecords()).filter((e) => e.userAgent === AUDIT_TEST_AGENT);
      return found.length >= 6 ? found : undefined;
    }, 10_000, 'six audit records');
  });

  after(async () => {
    await cluster?.dispose();
  });

  it('records the allowed create with the admin user, 201, source IP and latency', () => {
    const created = records.find((e) => e.verb === 'create' && e.responseStatus.code === 201);
    assert.ok(created, JSON.stringify(records));
    assert.equal(created.user.username, 'admin');
    assert.ok(created.user.groups?.includes('system:masters'));
    const { resourceVersion, ...ref } = created.objectRef ?? { resource: '' };
    assert.deepEqual(ref, { resource: 'configmaps', namespace: 'default', name: 'allowed', apiGroup: '', apiVersion: 'v1' });
    assert.ok(Number(resourceVersion) > 0, `the revision the create stored: ${resourceVersion}`);
    assert.ok(created.sourceIPs?.some((ip) => ip.endsWith('127.0.0.1')), String(created.sourceIPs));
    assert.equal(created.requestURI, '/api/v1/namespaces/default/configmaps');
    assert.ok(created.latencyMs > 0 && created.latencyMs < 10_000);
  });

  it('records the 403 of RBAC with the user refused', () => {
    const refused = records.find((e) => e.responseStatus.code === 403);
    assert.ok(refused);
    assert.equal(refused.user.username, 'alice');
    assert.equal(refused.verb, 'create');
    assert.equal(refused.objectRef?.name, 'by-alice');
    assert.match(refused.responseStatus.message ?? '', /forbidden/);
  });

  it('records the 422 invalid object, the 409 and the delete', () => {
    const invalid = records.find((e) => e.responseStatus.code === 422);
    assert.equal(invalid?.user.username, 'admin');
    assert.equal(invalid?.responseStatus.reason, 'Invalid');
    assert.equal(records.filter((e) => e.responseStatus.code === 409).length, 1);
    assert.equal(records.filter((e) => e.verb === 'delete' && e.responseStatus.code === 200 && e.objectRef?.name === 'allowed').length, 1);
  });

  it('records the 401 with an empty user', () => {
    const unauthenticated = records.find((e) => e.responseStatus.code === 401);
    assert.ok(unauthenticated);
    assert.deepEqual(unauthenticated.user, {});
    assert.equal(unauthenticated.verb, 'create');
    assert.equal(unauthenticated.objectRef?.namespace, 'default');
  });

  it('does not record reads, allowed or refused', () => {
    assert.equal(records.filter((e) => !['create', 'update', 'patch', 'delete', 'deletecollection'].includes(e.verb)).length, 0);
    assert.equal(records.length, 6);
  });

  it('counts the records in the API server metrics', async () => {
    const metrics = await call(cluster, 'GET', '/metrics', cluster.pki.adminToken);
    const count = /^apiserver_audit_event_total (\d+)/m.exec(metrics.body);
    assert.ok(count && Number(count[1]) >= 6, metrics.body.slice(0, 200));
  });
});
