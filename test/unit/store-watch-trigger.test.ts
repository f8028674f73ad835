/**
 * watchTriggerOf: which pods watches the watch cache may index by spec.nodeName (an exact
 * `=`/`==` requirement only), and triggerFieldValue reading the field as selectors do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { triggerFieldValue, watchTriggerOf } from '../../src/store/watch-trigger.ts';

describe('watchTriggerOf', () => {
  it('a pods watch with spec.nodeName= or == is triggered by that node', () => {
    assert.deepEqual(watchTriggerOf('pods', 'spec.nodeName=node-1'), { field: 'spec.nodeName', value: 'node-1' });
    assert.deepEqual(watchTriggerOf('pods', 'spec.nodeName==node-1'), { field: 'spec.nodeName', value: 'node-1' });
    assert.deepEqual(watchTriggerOf('pods', 'status.phase!=Failed,spec.nodeName=node-2'), { field: 'spec.nodeName', value: 'node-2' });
  });

  it('spec.nodeName= (unscheduled pods, the scheduler\'s watch) is triggered by the empty value', () => {
    assert.deepEqual(watchTriggerOf('pods', 'spec.nodeName=,status.phase!=Succeeded'), { field: 'spec.nodeName', value: '' });
  });

  it('no trigger for !=, other fields, no selector, other resources, or an invalid selector', () => {
    assert.equal(watchTriggerOf('pods', 'spec.nodeName!=node-1'), undefined);
    assert.equal(watchTriggerOf('pods', 'metadata.name=a'), undefined);
    assert.equal(watchTriggerOf('pods', ''), undefined);
    assert.equal(watchTriggerOf('pods', undefined), undefined);
    assert.equal(watchTriggerOf('events', 'metadata.name=a'), undefined);
    assert.equal(watchTriggerOf('pods', 'spec.nodeName'), undefined);
    assert.equal(watchTriggerOf('pods', 'spec.nodeName=a=b'), undefined);
  });

  it('an escaped value is unescaped as the filter reads it', () => {
    assert.deepEqual(watchTriggerOf('pods', 'spec.nodeName=a\\,b'), { field: 'spec.nodeName', value: 'a,b' });
  });
});

describe('triggerFieldValue', () => {
  const pod = (spec: unknown): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }) as KubeObject;
  it('reads spec.nodeName; missing (no spec, no nodeName, a tombstone without spec) is ""', () => {
    assert.equal(triggerFieldValue(pod({ nodeName: 'n1' })), 'n1');
    assert.equal(triggerFieldValue(pod({})), '');
    assert.equal(triggerFieldValue(pod(undefined)), '');
    assert.equal(triggerFieldValue(pod(null)), '');
    assert.equal(triggerFieldValue({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }), '');
  });
});
