/**
 * The audit writer never makes a request wait: record() returns at once, at most
 * maxInFlight publishes run, the rest are dropped and counted, failures are counted, and
 * the counts reach the Prometheus registry. The audited pipeline records writes only,
 * passes answers and errors through unchanged, and uses the origin the face noted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { forbidden } from '../../src/api/errors.ts';
import type { Pipeline } from '../../src/apiserver/pipeline.ts';
import type { ApiReply, ApiRequest } from '../../src/apiserver/request.ts';
import { auditedPipeline } from '../../src/audit/audited-pipeline.ts';
import type { AuditEvent } from '../../src/audit/event.ts';
import { noteOrigin } from '../../src/audit/origin.ts';
import { AuditWriter, type AuditSink } from '../../src/audit/writer.ts';
import { componentLogger } from '../../src/log.ts';

const logger = componentLogger('audit-test');


function someEvent(id: string): AuditEvent {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: id,
    stage: 'ResponseComplete',
    verb: 'create',
    user: { username: 'alice' },
    responseStatus: { code: 201 },
    requestReceivedTimestamp: '',
    stageTimestamp: '',
    latencyMs: 1,
  };
}

describe('AuditWriter', () => {
  it('drops and counts what is over the in-flight bound, without waiting', async () => {
    const acks: ((error?: Error) => void)[] = [];
    const registry = new Registry();
    const writer = new AuditWriter((_event, _key, settled) => void acks.push(settled), { logger, maxInFlight: 3, registry });
    for (let i = 0; i < 5; i++) writer.record(someEvent(`e${i}`), 'pods');
    assert.equal(acks.length, 3);
    assert.equal(writer.stats.droppedOverload, 2);
    for (const ack of acks) ack();
    await writer.flush();
    assert.equal(writer.stats.published, 3);
    writer.record(someEvent('e5'), 'pods');
    assert.equal(acks.length, 4, 'room again once acknowledged');
    acks[3]!(new Error('no JetStream'));
    await writer.flush();
    assert.equal(writer.stats.failed, 1);
    const text = await registry.metrics();
    assert.match(text, /apiserver_audit_event_total 4/);
    assert.match(text, /apiserver_audit_error_total\{plugin="buffered"\} 2/);
    assert.match(text, /apiserver_audit_error_total\{plugin="jetstream"\} 1/);
  });

  it('shares one set of counters between writers on one registry', () => {
    const registry = new Registry();
    new AuditWriter((_e, _k, settled) => settled(), { logger, registry });
    assert.doesNotThrow(() => new AuditWriter((_e, _k, settled) => settled(), { logger, registry }));
  });
});

function fakePipeline(answer: (request: ApiRequest) => ApiReply): Pipeline {
  return {
    handle: async (request) => answer(request),
    watch: async () => ({ stop() {} }),
  };
}

function memorySink(): AuditSink & { events: { event: AuditEvent; key: string }[] } {
  const events: { event: AuditEvent; key: string }[] = [];
  return { events, record: (event, key) => void events.push({ event, key }) };
}

describe('auditedPipeline', () => {
  const ok: ApiReply = { ok: true, code: 201, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } } };

  it('records writes, not reads', async () => {
    const sink = memorySink();
    const pipeline = auditedPipeline(fakePipeline(() => ok), sink, { newAuditId: () => 'id' });
    await pipeline.handle({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'c' });
    await pipeline.handle({ verb: 'list', resource: 'configmaps' });
    assert.equal(sink.events.length, 0);
    const reply = await pipeline.handle({ verb: 'create', resource: 'configmaps', namespace: 'default', body: {} });
    assert.equal(reply, ok, 'the answer passes through');
    assert.equal(sink.events.length, 1);
    assert.equal(sink.events[0]!.key, 'configmaps');
    assert.equal(sink.events[0]!.event.objectRef?.name, 'c');
  });

  it('records a thrown error and throws it on', async () => {
    const sink = memorySink();
    const error = forbidden('no');
    const pipeline = auditedPipeline({ handle: async () => Promise.reject(error), watch: async () => ({ stop() {} }) }, sink);
    await assert.rejects(pipeline.handle({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'p', user: { name: 'bob', groups: [] } }), (e) => e === error);
    assert.equal(sink.events[0]!.event.responseStatus.code, 403);
    assert.equal(sink.events[0]!.event.user.username, 'bob');
  });

  it('uses the origin the face noted for this request object', async () => {
    const sink = memorySink();
    const pipeline = auditedPipeline(fakePipeline(() => ok), sink);
    const request: ApiRequest = { verb: 'create', resource: 'configmaps', namespace: 'default', body: {} };
    const receivedAt = new Date(Date.now() - 50);
    noteOrigin(request, { receivedAt, receivedPerf: performance.now() - 50, sourceIPs: ['192.0.2.1'], userAgent: 'kubectl/v1.32' });
    await pipeline.handle(request);
    const event = sink.events[0]!.event;
    assert.deepEqual(event.sourceIPs, ['192.0.2.1']);
    assert.equal(event.userAgent, 'kubectl/v1.32');
    assert.ok(event.latencyMs >= 50, `latency from arrival: ${event.latencyMs}`);
  });

  it('answers even when the sink throws', async () => {
    const pipeline = auditedPipeline(fakePipeline(() => ok), { record: () => { throw new Error('broken sink'); } }, { logger });
    assert.equal(await pipeline.handle({ verb: 'create', resource: 'configmaps', namespace: 'default', body: {} }), ok);
  });
});
