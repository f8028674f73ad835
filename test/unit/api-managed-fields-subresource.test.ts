// Writes through the status subresource record their own managedFields entry, as Kubernetes
// does since 1.22: manager, operation Update, subresource "status", the status fields it changed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeManagers, managersOf, recordUpdate, sameManager, withManagedFields, type ManagedFieldsEntry } from '../../src/api/managed-fields.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { schemaFor } from '../../src/api/schema/index.ts';
import { serverSideApply } from '../../src/api/server-side-apply.ts';
import { recordWrite } from '../../src/apiserver/field-manager.ts';
import { resourceByKey } from '../../src/api/registry.ts';

const POD = schemaFor('pods')!;
const NOW = '2026-01-01T00:00:00Z';

const pod = (status?: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', ...(labels ? { labels } : {}) },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
  ...(status ? { status } : {}),
});
const entries = (object: KubeObject) => (object.metadata.managedFields ?? []) as ManagedFieldsEntry[];
const write = (before: KubeObject | undefined, after: KubeObject, manager: string, subresource?: string) => {
  const recorded = recordUpdate(before, after, POD, { manager, now: NOW, apiVersion: 'v1', ...(subresource ? { subresource } : {}) });
  return recorded ? withManagedFields(after, recorded) : after;
};

describe('managedFields of status writes', () => {
  const created = write(undefined, pod(), 'kubectl');
  const running = write(created, { ...created, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'kubelet', 'status');

  it('a status write adds the writer\'s entry with subresource status, owning the status fields it set', () => {
    const kubelet = entries(running).find((e) => e.manager === 'kubelet');
    assert.deepEqual(kubelet, {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: NOW,
      fieldsType: 'FieldsV1',
      subresource: 'status',
      fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:phase': {} } },
    });
    // The main resource's entry is left as it was.
    assert.deepEqual(entries(running).find((e) => e.manager === 'kubectl'), entries(created)[0]);
  });

  it('one manager writing the pod and its status keeps two entries', () => {
    const labelled = write(running, { ...running, metadata: { ...running.metadata, labels: { app: 'web' } } }, 'kubelet');
    const kubelet = entries(labelled).filter((e) => e.manager === 'kubelet');
    assert.deepEqual(kubelet.map((e) => e.subresource ?? '(main)').sort(), ['(main)', 'status']);
    assert.deepEqual(kubelet.find((e) => !e.subresource)?.fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } });
    // The status entry is untouched by the main write.
    assert.deepEqual(kubelet.find((e) => e.subresource), entries(running).find((e) => e.manager === 'kubelet'));
  });

  it('a status write that changes nothing records nothing, and a second writer takes the fields it changed', () => {
    assert.equal(recordUpdate(running, running, POD, { manager: 'kubelet', now: NOW, apiVersion: 'v1', subresource: 'status' }), undefined);
    const failed = write(running, { ...running, status: { ...(running.status as Record<string, unknown>), phase: 'Failed' } }, 'node-controller', 'status');
    const byManager = new Map(entries(failed).map((e) => [e.manager, e]));
    assert.deepEqual(byManager.get('node-controller')?.fieldsV1, { 'f:status': { 'f:phase': {} } });
    assert.deepEqual(byManager.get('kubelet')?.fieldsV1, { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } } } });
  });

  it('decoded managers keep their subresource, and a status entry is not the same manager as the main one', () => {
    const managers = managersOf(running);
    assert.equal(managers.find((m) => m.manager === 'kubelet')?.subresource, 'status');
    assert.deepEqual(encodeManagers(managers), entries(running));
    assert.equal(sameManager({ manager: 'kubelet', operation: 'Update', subresource: 'status' }, { manager: 'kubelet', operation: 'Update' }), false);
  });

  it('server-side apply keeps a status entry as it is', () => {
    const applied = serverSideApply(running, pod(undefined, { tier: 'web' }), POD, { manager: 'kubectl', apiVersion: 'v1', now: NOW, force: false });
    const status = encodeManagers(applied.managers).find((e) => e.manager === 'kubelet');
    assert.deepEqual(status, entries(running).find((e) => e.manager === 'kubelet'));
  });

  it('recordWrite records a status write of the API (fieldManager of the request)', () => {
    const rt = resourceByKey('pods')!;
    const after = recordWrite(rt, created, { ...created, status: { phase: 'Pending' } }, { verb: 'update', resource: 'pods', namespace: 'default', name: 'web', subresource: 'status', options: { fieldManager: 'kubelet' } }, NOW);
    assert.deepEqual(
      entries(after).map((e) => [e.manager, e.subresource ?? '']),
      [
        ['kubectl', ''],
        ['kubelet', 'status'],
      ],
    );
  });
});
