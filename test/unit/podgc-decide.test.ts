import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decidePodGc, ORPHAN_CONDITION, orphanedPods, type PodGcOptions } from '../../src/controllers/podgc/decide.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const options: PodGcOptions = { terminatedPodThreshold: 2, quarantineMs: 40_000 };

let n = 0;
const pod = (o: { node?: string; phase?: string; reason?: string; created?: number; deleting?: boolean; name?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: o.name ?? `p${++n}`,
    namespace: 'ns',
    uid: `u${n}`,
    creationTimestamp: new Date(o.created ?? T0).toISOString(),
    ...(o.deleting ? { deletionTimestamp: new Date(T0).toISOString() } : {}),
  },
  spec: o.node ? { nodeName: o.node } : {},
  status: { phase: o.phase ?? 'Running', ...(o.reason ? { reason: o.reason } : {}) },
});
const node = (name: string, ready = 'True', taints: unknown[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: { taints },
  status: { conditions: [{ type: 'Ready', status: ready }] },
});
const nodes = (...list: KubeObject[]) => new Map(list.map((x) => [x.metadata.name!, x]));
const names = (d: { pod: KubeObject }[]) => d.map((x) => x.pod.metadata.name);

describe('decidePodGc', () => {
  it('given more terminated pods than the threshold, then the excess goes, evicted first, then oldest first', () => {
    const pods = [
      pod({ name: 'new', node: 'n1', phase: 'Succeeded', created: T0 + 3 }),
      pod({ name: 'old', node: 'n1', phase: 'Failed', created: T0 + 1 }),
      pod({ name: 'evicted', node: 'n1', phase: 'Failed', reason: 'Evicted', created: T0 + 9 }),
      pod({ name: 'middle', node: 'n1', phase: 'Succeeded', created: T0 + 2 }),
      pod({ name: 'running', node: 'n1', created: T0 }),
    ];
    const d = decidePodGc(pods, nodes(node('n1')), new Map(), T0, options);
    assert.deepEqual(names(d.deletes), ['evicted', 'old']);
    assert.ok(d.deletes.every((x) => x.reason === 'terminated' && !x.markFailed));
  });

  it('given a threshold of 0, then terminated pods are never collected for their number', () => {
    const pods = [pod({ node: 'n1', phase: 'Succeeded' }), pod({ node: 'n1', phase: 'Succeeded' })];
    assert.deepEqual(decidePodGc(pods, nodes(node('n1')), new Map(), T0, { ...options, terminatedPodThreshold: 0 }).deletes, []);
  });

  it('given a node missing from the cache, then it is quarantined, and checked once the quarantine has passed', () => {
    const pods = [pod({ node: 'gone' }), pod({ node: 'gone' }), pod({ node: 'n1' })];
    const first = decidePodGc(pods, nodes(node('n1')), new Map(), T0, options);
    assert.deepEqual([...first.quarantine], [['gone', T0]]);
    assert.deepEqual(first.nodesToVerify, []);
    assert.equal(first.nextQuarantineEndsInMs, 40_000);
    const later = decidePodGc(pods, nodes(node('n1')), first.quarantine, T0 + 40_000, options);
    assert.deepEqual(later.nodesToVerify, ['gone']);
    assert.deepEqual(later.deletes, [], 'orphans are only named once the node is confirmed gone');
  });

  it('given a quarantined node that shows up again, then it leaves the quarantine', () => {
    const pods = [pod({ node: 'late' })];
    const d = decidePodGc(pods, nodes(node('late')), new Map([['late', T0]]), T0 + 50_000, options);
    assert.deepEqual([...d.quarantine], []);
    assert.deepEqual(d.nodesToVerify, []);
  });

  it('orphanedPods: pods of confirmed-gone nodes go, marked Failed with DisruptionTarget unless already terminal', () => {
    const running = pod({ node: 'gone' });
    const done = pod({ node: 'gone', phase: 'Succeeded' });
    const d = orphanedPods([running, done, pod({ node: 'n1' })], new Set(['gone']));
    assert.deepEqual(names(d), [running.metadata.name, done.metadata.name]);
    assert.deepEqual(d[0], { pod: running, reason: 'orphaned', markFailed: true, condition: ORPHAN_CONDITION });
    assert.deepEqual(d[1], { pod: done, reason: 'orphaned', markFailed: false });
    assert.equal(ORPHAN_CONDITION.reason, 'DeletionByPodGC');
  });

  it('given a terminating pod on a not-ready node with the out-of-service taint, then it is force-deleted', () => {
    const outOfService = [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }];
    const stuck = pod({ node: 'down', deleting: true });
    const d = decidePodGc(
      [stuck, pod({ node: 'down' }), pod({ node: 'ready', deleting: true }), pod({ node: 'untainted', deleting: true })],
      nodes(node('down', 'Unknown', outOfService), node('ready', 'True', outOfService), node('untainted', 'False')),
      new Map(),
      T0,
      options,
    );
    assert.deepEqual(names(d.deletes), [stuck.metadata.name]);
    assert.equal(d.deletes[0]!.reason, 'terminatingOutOfService');
    assert.equal(d.deletes[0]!.markFailed, true);
  });

  it('given a pod being deleted that was never scheduled, then it is force-deleted', () => {
    const unscheduled = pod({ deleting: true });
    const d = decidePodGc([unscheduled, pod()], nodes(), new Map(), T0, options);
    assert.deepEqual(names(d.deletes), [unscheduled.metadata.name]);
    assert.equal(d.deletes[0]!.reason, 'unscheduledTerminating');
  });

  it('names a pod once even when several rules match it', () => {
    const pods = [pod({ deleting: true, phase: 'Failed' }), pod({ phase: 'Failed' }), pod({ phase: 'Failed' })];
    const d = decidePodGc(pods, nodes(), new Map(), T0, options);
    assert.equal(new Set(names(d.deletes)).size, d.deletes.length);
  });
});
