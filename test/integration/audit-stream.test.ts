/**
 * The AUDIT publisher against a real nats-server: before the stream exists a record is
 * settled as lost (no responders), and the writer counts it; once ensured (twice: it is
 * idempotent) records are acknowledged, stored on their subjects and read back in order,
 * filtered on the server by verb, resource and namespace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditPublisher, ensureAuditStream, readAuditEvents, type AuditPublisher } from '../../streams/audit-stream.ts';
import { connectNats, type NatsConnection } from '../../streams/connection.ts';
import { auditEvent, type AuditEvent } from '../../src/audit/event.ts';
import type { ApiRequest } from '../../src/apiserver/request.ts';
import { AuditWriter } from '../../src/audit/writer.ts';
import { componentLogger } from '../../src/log.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let nc: NatsConnection;
let publisher: AuditPublisher;

const at = new Date('2026-11-25T22:00:00Z');
function record(request: ApiRequest, code = 201): AuditEvent {
  const reply = { ok: true as const, code: code as 201, body: { apiVersion: 'v1', kind: 'X', metadata: { name: request.name ?? 'n' } } };
  return auditEvent({ auditID: `${request.verb}-${request.resource}-${request.name}`, request, outcome: { reply }, receivedAt: at, completedAt: at });
}

function settle(event: AuditEvent, key: string): Promise<Error | undefined> {
  return new Promise((resolve) => publisher.publish(event, key, resolve));
}

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'audit-stream-test');
  publisher = auditPublisher(nc);
});

after(async () => {
  publisher.close();
  await nc.close();
  await nats.dispose();
});

describe('auditPublisher', () => {
  it('settles a record as lost while no stream takes it, and the writer counts it', async () => {
    const error = await settle(record({ verb: 'create', resource: 'pods', namespace: 'default', name: 'early' }), 'pods');
    assert.match(String(error?.message), /no AUDIT stream/);
    const writer = new AuditWriter((e, k, settled) => publisher.publish(e, k, settled), { logger: componentLogger('audit-test') });
    writer.record(record({ verb: 'create', resource: 'pods', namespace: 'default', name: 'early2' }), 'pods');
    await writer.flush();
    assert.equal(writer.stats.failed, 1);
  });

  it('stores acknowledged records on their subjects and reads them back, filtered', async () => {
    await ensureAuditStream(nc);
    await ensureAuditStream(nc);
    const requests: ApiRequest[] = [
      { verb: 'create', resource: 'pods', namespace: 'default', name: 'a' },
      { verb: 'delete', resource: 'deployments.apps', namespace: 'team', name: 'web' },
      { verb: 'update', resource: 'namespaces', name: 'team' },
      { verb: 'delete', resource: 'pods', namespace: 'team', name: 'b' },
    ];
    const errors = await Promise.all(requests.map((r) => settle(record(r), r.resource)));
    assert.deepEqual(errors, [undefined, undefined, undefined, undefined]);
    const read = async (filter: Parameters<typeof readAuditEvents>[1]['filter']) => {
      const names: string[] = [];
      for await (const { event } of readAuditEvents(nc, { follow: false, ...(filter ? { filter } : {}) })) names.push(event.objectRef?.name ?? '');
      return names;
    };
    assert.deepEqual(await read(undefined), ['a', 'web', 'team', 'b']);
    assert.deepEqual(await read({ verb: 'delete' }), ['web', 'b']);
    assert.deepEqual(await read({ resource: 'deployments.apps' }), ['web']);
    assert.deepEqual(await read({ namespace: 'team' }), ['web', 'b']);
    assert.deepEqual(await read({ namespace: '' }), ['team']);
    assert.deepEqual(await read({ verb: 'patch' }), []);
  });
});
