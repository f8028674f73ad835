import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../src/audit/event.ts';
import { auditedWriters, formatAuditedWriter } from '../../src/replay/audit-writers.ts';

const event = (over: { name?: string; rv?: string; code?: number; user?: string; verb?: string; subresource?: string }): AuditEvent =>
  ({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'x',
    stage: 'ResponseComplete',
    verb: over.verb ?? 'update',
    user: { username: over.user ?? 'dev' },
    objectRef: { resource: 'pods', namespace: 'default', name: over.name ?? 'web', ...(over.rv ? { resourceVersion: over.rv } : {}), ...(over.subresource ? { subresource: over.subresource } : {}) },
    responseStatus: { code: over.code ?? 200 },
  }) as unknown as AuditEvent;

describe('auditedWriters', () => {
  it('maps each successful write of the object to the revision it stored', () => {
    const writers = auditedWriters([event({ rv: '12', user: 'dev', verb: 'create', code: 201 }), event({ rv: '15', user: 'system:kube-scheduler', verb: 'create', subresource: 'binding', code: 201 })], 'web');
    assert.deepEqual([...writers.keys()], [12, 15]);
    assert.equal(formatAuditedWriter(writers.get(12)), '; audit: user dev (create)');
    assert.equal(formatAuditedWriter(writers.get(15)), '; audit: user system:kube-scheduler (create binding)');
  });

  it('leaves out refused writes, other objects and records without a revision', () => {
    const writers = auditedWriters([event({ rv: '3', code: 403 }), event({ rv: '4', name: 'other' }), event({}), event({ rv: 'x' })], 'web');
    assert.equal(writers.size, 0);
    assert.equal(formatAuditedWriter(undefined), '');
  });
});
