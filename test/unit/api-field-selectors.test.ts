import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import { escapeFieldValue, matchesFields, parseFieldSelector, selectableFields, supportedFieldLabels } from '../../src/api/field-selectors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';

const pods = resourceByKey('pods')!;
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'node-a', restartPolicy: 'Always', hostNetwork: true },
  status: { phase: 'Running', podIPs: [{ ip: '127.1.0.5' }] },
} as KubeObject;

describe('field selectors', () => {
  it('parses =, == and != terms', () => {
    assert.deepEqual(parseFieldSelector(pods, 'spec.nodeName=node-a,status.phase!=Failed,metadata.name==web-1'), [
      { field: 'metadata.name', operator: '==', value: 'web-1' },
      { field: 'spec.nodeName', operator: '=', value: 'node-a' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
  });

  it('matches the selectable fields of a pod', () => {
    assert.ok(matchesFields(parseFieldSelector(pods, 'spec.nodeName=node-a,status.phase=Running'), pods, pod));
    assert.ok(matchesFields(parseFieldSelector(pods, 'spec.hostNetwork=true,status.podIP=127.1.0.5'), pods, pod));
    assert.ok(!matchesFields(parseFieldSelector(pods, 'spec.nodeName!=node-a'), pods, pod));
    // Unscheduled pods have an empty nodeName, which is how schedulers list them.
    assert.ok(matchesFields(parseFieldSelector(pods, 'spec.nodeName='), pods, { ...pod, spec: {} }));
  });

  it('refuses fields a kind does not support', () => {
    assert.throws(
      () => parseFieldSelector(pods, 'spec.containers=x'),
      (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'field label not supported: spec.containers',
    );
    assert.throws(() => parseFieldSelector(resourceByKey('configmaps')!, 'type=x'), /field label not supported: type/);
  });

  it('refuses a term without an operator', () => {
    assert.throws(
      () => parseFieldSelector(pods, 'metadata.name'),
      (e: unknown) => e instanceof StatusError && e.message === "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    );
  });

  it('unescapes values and refuses bad escapes', () => {
    assert.deepEqual(parseFieldSelector(pods, `metadata.name=${escapeFieldValue('a,b=c')}`)[0]!.value, 'a,b=c');
    assert.throws(() => parseFieldSelector(pods, 'metadata.name=a\\b'), /invalid field selector: invalid escape sequence: \\b/);
  });

  it('knows the selectable fields of each kind', () => {
    assert.ok(supportedFieldLabels(resourceByKey('events')!).includes('involvedObject.uid'));
    assert.ok(supportedFieldLabels(resourceByKey('secrets')!).includes('type'));
    assert.ok(supportedFieldLabels(resourceByKey('nodes')!).includes('spec.unschedulable'));
    assert.deepEqual(selectableFields(resourceByKey('jobs.batch')!, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { succeeded: 2 } } as KubeObject), {
      'metadata.name': 'j',
      'metadata.namespace': '',
      'status.successful': '2',
    });
    const event = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'd' }, involvedObject: { kind: 'Pod', name: 'p' }, source: { component: 'kubelet' } } as KubeObject;
    assert.ok(matchesFields(parseFieldSelector(resourceByKey('events')!, 'involvedObject.kind=Pod,source=kubelet'), resourceByKey('events')!, event));
  });
});
