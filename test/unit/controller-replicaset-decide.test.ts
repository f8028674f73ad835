import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { decideReplicaSet } from '../../src/controllers/replicaset/decide.ts';
import { rankPodsForDeletion } from '../../src/controllers/replicaset/pods.ts';
import { Expectations } from '../../src/controllers/runtime/expectations.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const rs = (replicas: number, extra: Partial<KubeObject['metadata']> = {}, minReadySeconds = 0): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 2, ...extra },
  spec: { replicas, minReadySeconds, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } },
});
let n = 0;
const pod = (o: { owner?: string; labels?: Record<string, string>; ready?: string; node?: string; phase?: string; created?: string; deleting?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `p${++n}`,
    namespace: 'ns',
    uid: `u${n}`,
    labels: o.labels ?? { app: 'web' },
    creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: o.owner, controller: true }] } : {}),
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: o.node ? { nodeName: o.node } : {},
  status: { phase: o.phase ?? 'Pending', ...(o.ready ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: o.ready }] } : {}) },
});
const types = (d: ReturnType<typeof decideReplicaSet>) => d.actions.map((a) => a.type);
const ok = { expectationsSatisfied: true };

describe('decideReplicaSet', () => {
  it('given no pods, when replicas is 3, then three pods from the template, controlled by the RS', () => {
    const d = decideReplicaSet(rs(3), [], NOW, ok);
    const creates = d.actions.filter((a) => a.type === 'createPod');
    assert.equal(creates.length, 3);
    const p = creates[0]!.pod;
    assert.equal(p.metadata.generateName, 'web-');
    assert.deepEqual(p.metadata.labels, { app: 'web' });
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
  });
  it('given unsatisfied expectations, then no creates or deletes, only status', () => {
    assert.deepEqual(types(decideReplicaSet(rs(3), [], NOW, { expectationsSatisfied: false })), ['updateStatus']);
    const owned = [pod({ owner: 'rs-uid' }), pod({ owner: 'rs-uid' })];
    assert.ok(!types(decideReplicaSet(rs(1), owned, NOW, { expectationsSatisfied: false })).includes('deletePod'));
  });
  it('given the burst limit, then creates are capped', () => {
    assert.equal(decideReplicaSet(rs(10), [], NOW, { expectationsSatisfied: true, burst: 4 }).actions.filter((a) => a.type === 'createPod').length, 4);
  });
  it('given surplus pods, then it deletes unscheduled, then not-ready, then newest first', () => {
    const scheduledReady = pod({ owner: 'rs-uid', node: 'n1', phase: 'Running', ready: '2026-01-01T00:00:00Z' });
    const unscheduled = pod({ owner: 'rs-uid' });
    const notReady = pod({ owner: 'rs-uid', node: 'n2', phase: 'Running' });
    const d = decideReplicaSet(rs(1), [scheduledReady, unscheduled, notReady], NOW, ok);
    assert.deepEqual(d.actions.filter((a) => a.type === 'deletePod').map((a) => a.pod.metadata.name), [unscheduled.metadata.name, notReady.metadata.name]);
  });
  it('ranks newer pods before older ones when nothing else differs', () => {
    const old = pod({ created: '2026-01-01T00:00:00Z' });
    const young = pod({ created: '2026-01-01T00:05:00Z' });
    assert.equal(rankPodsForDeletion([old, young])[0], young);
  });
  it('adopts a matching orphan and counts it', () => {
    const d = decideReplicaSet(rs(1), [pod()], NOW, ok);
    assert.deepEqual(types(d), ['adoptPod', 'updateStatus']);
  });
  it('releases an owned pod that no longer matches, and replaces it', () => {
    const d = decideReplicaSet(rs(1), [pod({ owner: 'rs-uid', labels: { app: 'other' } })], NOW, ok);
    assert.deepEqual(types(d), ['releasePod', 'createPod', 'updateStatus']);
  });
  it('ignores pods of another controller and inactive pods', () => {
    const d = decideReplicaSet(rs(1), [pod({ owner: 'other' }), pod({ owner: 'rs-uid', deleting: true }), pod({ owner: 'rs-uid', phase: 'Failed' })], NOW, ok);
    assert.deepEqual(types(d), ['createPod', 'updateStatus']);
  });
  it('does nothing for an RS being deleted', () => {
    assert.deepEqual(decideReplicaSet(rs(3, { deletionTimestamp: '2026-01-01T00:00:00Z' }), [pod()], NOW, ok).actions, []);
  });
  it('computes status with minReadySeconds and asks to look again', () => {
    const longReady = pod({ owner: 'rs-uid', ready: '2026-01-01T00:00:00Z' });
    const justReady = pod({ owner: 'rs-uid', ready: '2026-01-01T00:09:59Z' });
    const d = decideReplicaSet(rs(2, {}, 30), [longReady, justReady], NOW, ok);
    const status = d.actions.find((a) => a.type === 'updateStatus');
    assert.deepEqual(status?.type === 'updateStatus' && status.status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 2 });
    assert.equal(d.requeueAfterMs, 30_000);
  });
  it('writes no status when nothing changed', () => {
    const owned = pod({ owner: 'rs-uid' });
    const current = { ...rs(1), status: { replicas: 1, fullyLabeledReplicas: 1, observedGeneration: 2 } };
    assert.deepEqual(decideReplicaSet(current, [owned], NOW, ok).actions, []);
  });
});

describe('Expectations', () => {
  it('is satisfied with nothing recorded', () => assert.ok(new Expectations().satisfied('k', 0)));
  it('waits for every expected creation', () => {
    const e = new Expectations();
    e.expectCreations('k', 2, 0);
    assert.ok(!e.satisfied('k', 0));
    e.creationObserved('k');
    assert.ok(!e.satisfied('k', 0));
    e.creationObserved('k');
    assert.ok(e.satisfied('k', 0));
  });
  it('tracks deletions by pod key, so a key seen twice counts once', () => {
    const e = new Expectations();
    e.expectDeletions('k', ['ns/a', 'ns/b'], 0);
    e.deletionObserved('k', 'ns/a');
    e.deletionObserved('k', 'ns/a');
    assert.ok(!e.satisfied('k', 0));
    e.deletionObserved('k', 'ns/b');
    assert.ok(e.satisfied('k', 0));
  });
  it('expires after its TTL', () => {
    const e = new Expectations(1000);
    e.expectCreations('k', 1, 0);
    assert.ok(!e.satisfied('k', 1000));
    assert.ok(e.satisfied('k', 1001));
  });
});

describe('property: the decision converges the pod count to spec.replicas', () => {
  it('for random scale changes and pod deletions', () => {
    const step = fc.oneof(fc.record({ scale: fc.integer({ min: 0, max: 8 }) }), fc.record({ kill: fc.nat(10) }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(step, { maxLength: 12 }), (initial, steps) => {
        let replicas = initial;
        let pods: KubeObject[] = [];
        const settle = () => {
          for (let round = 0; round < 5; round++) {
            const d = decideReplicaSet(rs(replicas), pods, NOW, ok);
            for (const a of d.actions) {
              if (a.type === 'createPod') pods.push({ ...a.pod, metadata: { ...a.pod.metadata, name: `g${++n}`, uid: `g${n}` } });
              if (a.type === 'deletePod') pods = pods.filter((p) => p !== a.pod);
            }
          }
        };
        settle();
        for (const s of steps) {
          if ('scale' in s) replicas = s.scale;
          else if (pods.length > 0) pods.splice(s.kill % pods.length, 1);
          settle();
          assert.equal(pods.length, replicas);
        }
      }),
    );
  });
});

describe('decideReplicaSet: ReplicaFailure', () => {
  const failure = { reason: 'FailedCreate' as const, message: 'pods "web-x" is forbidden: unable to create new content in namespace ns because it is being terminated' };
  const statusOf = (d: ReturnType<typeof decideReplicaSet>) => d.actions.find((a) => a.type === 'updateStatus')?.status;
  it('given the last creates failed, then the status carries ReplicaFailure with its reason and message', () => {
    const status = statusOf(decideReplicaSet(rs(1), [], NOW, { ...ok, manageFailure: failure }));
    assert.deepEqual(status?.conditions, [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: failure.message, lastTransitionTime: '2026-01-01T00:10:00Z' }]);
  });
  it('given ReplicaFailure already set, then another failure keeps it as is (no status write for it)', () => {
    const first = statusOf(decideReplicaSet(rs(1), [], NOW, { ...ok, manageFailure: failure }))!;
    const again = decideReplicaSet({ ...rs(1), status: first }, [], NOW + 5000, { ...ok, manageFailure: { reason: 'FailedDelete', message: 'other' } });
    assert.equal(statusOf(again), undefined);
  });
  it('given ReplicaFailure set and a sync without failure, then it is removed', () => {
    const first = statusOf(decideReplicaSet(rs(1), [], NOW, { ...ok, manageFailure: failure }))!;
    const status = statusOf(decideReplicaSet({ ...rs(1), status: first }, [], NOW, ok));
    assert.ok(status, 'the removal is a status write');
    assert.equal(status.conditions, undefined);
  });
});
