/**
 * `why` and `history` over hand-written logs: a pod that could not be scheduled, then ran,
 * crashed and restarted, then was evicted; pods ended by the taint manager, by a client,
 * and by the garbage collector; events folded in; the writers of each history step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { formatWriters, objectHistory } from '../../src/replay/history.ts';
import { whyPod } from '../../src/replay/why.ts';

const T0 = Date.parse('2026-11-25T10:00:00Z');

class Recorder {
  entries: LogEntry[] = [];
  private seq = 0;
  write(type: LogEntry['type'], object: KubeObject): number {
    const rt = object.kind === 'Pod' ? 'pods' : object.kind === 'Event' ? 'events' : object.kind === 'ReplicaSet' ? 'replicasets.apps' : 'deployments.apps';
    this.seq++;
    this.entries.push({ seq: this.seq, time: T0 + this.seq * 1000, type, key: { resource: rt, namespace: object.metadata.namespace ?? '', name: object.metadata.name! }, object });
    return this.seq;
  }
}

const managed = (manager: string, fields: Record<string, unknown>, subresource?: string) => ({ manager, operation: 'Update', apiVersion: 'v1', time: '2026-11-25T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: fields, ...(subresource ? { subresource } : {}) });

function pod(name: string, extra: Partial<KubeObject> & { metadata?: Partial<KubeObject['metadata']> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    ...extra,
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra.metadata },
    spec: { containers: [{ name: 'app', image: 'busybox' }], ...(extra.spec as object | undefined) },
  };
}

const event = (n: number, about: string, reason: string, message: string, count = 1, type = 'Normal', component = 'kubelet'): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Event', metadata: { name: `${about}.${n}`, namespace: 'default' }, involvedObject: { kind: 'Pod', name: about, namespace: 'default' }, reason, message, type, count, source: { component } }) as KubeObject;

const texts = async (r: Recorder, name: string) => (await whyPod(r.entries, 'default', name)).map((l) => l.text);

describe('why pod', () => {
  it('tells unschedulable, then scheduled, running, crashing with exit codes, restarting, and evicted', async () => {
    const r = new Recorder();
    const created = pod('p', { metadata: { managedFields: [managed('kubectl-create', { 'f:spec': {} })] } });
    r.write('ADDED', created);
    const unschedulable: KubeObject = { ...created, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' }] } };
    r.write('MODIFIED', unschedulable);
    r.write('ADDED', event(1, 'p', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.', 1, 'Warning', 'default-scheduler'));
    r.write('MODIFIED', event(1, 'p', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.', 3, 'Warning', 'default-scheduler'));
    const bound = { ...unschedulable, spec: { ...(unschedulable.spec as object), nodeName: 'n1' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } };
    r.write('MODIFIED', bound);
    const running = { ...bound, status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'app', restartCount: 0, state: { running: { startedAt: '2026-11-25T10:00:09Z' } } }] } };
    r.write('MODIFIED', running);
    const crashed = { ...running, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }], containerStatuses: [{ name: 'app', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } }, lastState: { terminated: { exitCode: 2, reason: 'Error' } } }] } };
    r.write('MODIFIED', crashed);
    r.write('ADDED', event(2, 'p', 'BackOff', 'Back-off restarting failed container app', 1, 'Warning'));
    const target = { ...crashed, status: { ...(crashed.status as object), conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }] } };
    r.write('MODIFIED', target);
    r.write('MODIFIED', { ...target, metadata: { ...target.metadata, deletionTimestamp: '2026-11-25T10:00:20Z', deletionGracePeriodSeconds: 30 } });
    r.write('DELETED', target);
    r.write('ADDED', pod('other'));
    const lines = await texts(r, 'p');
    const expected = [
      /^pod created \(uid uid-p, busybox\) by kubectl-create \(Update\)$/,
      /^not schedulable: Unschedulable: 0\/1 nodes are available: 1 Insufficient cpu\. \(by kube-scheduler, inferred\)$/,
      /^phase Pending/,
      /^event Warning FailedScheduling from default-scheduler: 0\/1 nodes/,
      /^event Warning FailedScheduling .*\(seen 3 times\)$/,
      /^scheduled to node n1 \(by kube-scheduler, inferred\)$/,
      /^phase Pending -> Running \(by the kubelet of n1, inferred\)$/,
      /^container app running \(started 2026-11-25T10:00:09Z\)/,
      /^ready/,
      /^container app restarted \(restart 1\): it had exited with code 2 \(Error\)/,
      /^container app waiting: CrashLoopBackOff \(back-off 10s\)/,
      /^not ready \(ContainersNotReady\)/,
      /^event Warning BackOff from kubelet: Back-off restarting failed container app$/,
      /^marked as a disruption target: EvictionByEvictionAPI \(Eviction API: evicting\)$/,
      /^deletion started \(grace period 30s\): evicted through the Eviction API$/,
      /^removed from the store \(uid uid-p\)/,
    ];
    assert.equal(lines.length, expected.length, lines.join('\n'));
    expected.forEach((pattern, i) => assert.match(lines[i]!, pattern));
    assert.ok(!lines.some((l) => l.includes('other')), 'another pod does not leak in');
  });

  it('names the taint manager, a client, and the garbage collector as causes', async () => {
    const r = new Recorder();
    const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'default', uid: 'uid-rs' }, spec: { replicas: 2 } };
    r.write('ADDED', rs);
    const owned = (name: string) => pod(name, { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'uid-rs', controller: true }] } });
    for (const name of ['tainted', 'deleted', 'orphan']) r.write('ADDED', owned(name));
    const tainted = { ...owned('tainted'), status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' }] } };
    r.write('MODIFIED', tainted);
    r.write('MODIFIED', { ...tainted, metadata: { ...tainted.metadata, deletionTimestamp: '2026-11-25T10:00:10Z' } });
    r.write('MODIFIED', { ...owned('deleted'), metadata: { ...owned('deleted').metadata, deletionTimestamp: '2026-11-25T10:00:10Z', deletionGracePeriodSeconds: 0 } });
    r.write('DELETED', rs);
    r.write('MODIFIED', { ...owned('orphan'), metadata: { ...owned('orphan').metadata, deletionTimestamp: '2026-11-25T10:00:12Z' } });
    assert.ok((await texts(r, 'tainted')).some((l) => /^deletion started: deleted by the taint manager/.test(l)));
    assert.ok((await texts(r, 'deleted')).some((l) => /^deletion started \(grace period 0s\): deleted by a client \(the log does not say who deletes: `jetkube audit --verb delete` does\)$/.test(l)));
    assert.ok((await texts(r, 'orphan')).some((l) => /^deletion started: garbage collected: its owner ReplicaSet rs is gone$/.test(l)));
    assert.deepEqual(await texts(r, 'never'), []);
  });
});

describe('history', () => {
  it('names the writer from the managedFields entry the step changed, or the owner of the changed fields', async () => {
    const r = new Recorder();
    const v1 = pod('h', { metadata: { labels: { a: '1' }, managedFields: [managed('kubectl-client-side-apply', { 'f:metadata': { 'f:labels': { 'f:a': {} } } })] } });
    r.write('ADDED', v1);
    const v2 = { ...v1, metadata: { ...v1.metadata, labels: { a: '2' }, managedFields: [managed('kubectl-client-side-apply', { 'f:metadata': { 'f:labels': { 'f:a': {} } } }), managed('kubelet', { 'f:status': { 'f:phase': {} } }, 'status')] }, status: { phase: 'Running' } };
    r.write('MODIFIED', v2);
    const v3 = { ...v2, metadata: { ...v2.metadata, labels: { a: '3' } } };
    r.write('MODIFIED', v3);
    r.write('DELETED', v3);
    const steps = await objectHistory(r.entries, { resource: 'pods', namespace: 'default', name: 'h' });
    assert.deepEqual(steps.map((s) => s.type), ['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    assert.equal(formatWriters(steps[0]!), 'by kubectl-client-side-apply (Update)');
    assert.equal(formatWriters(steps[1]!), 'by kubelet (Update status)');
    assert.deepEqual(steps[1]!.changes.map((c) => c.path), ['metadata.labels.a', 'status']);
    assert.equal(formatWriters(steps[2]!), 'by kubectl-client-side-apply (Update) (owner of the changed fields)');
    assert.match(formatWriters(steps[3]!), /a delete leaves no managedFields entry/);
  });
});
