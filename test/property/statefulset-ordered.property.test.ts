/**
 * Issue 7's property: for a StatefulSet under random scale changes, random pod
 * readiness, failures and terminations, under OrderedReady pod N+1 is never created
 * unless pods 0..N exist, Running and Ready and not terminating; a sync creates or
 * deletes at most one pod, and deletes only the highest condemned ordinal; and once
 * the world settles (every pod Ready) the set converges to exactly pods 0..replicas-1
 * with status to match. Under Parallel only convergence is asked.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { decideStatefulSet } from '../../src/controllers/statefulset/decide.ts';
import { ordinalOf } from '../../src/controllers/statefulset/identity.ts';
import type { StatefulSetStatus } from '../../src/controllers/statefulset/status.ts';
import { WorkloadWorld } from '../support/statefulset-world.ts';

const set = (replicas: number, podManagementPolicy: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db' },
  spec: {
    replicas,
    serviceName: 'db',
    podManagementPolicy,
    selector: { matchLabels: { app: 'db' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'busybox' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
});

type Op =
  | { kind: 'scale'; replicas: number }
  | { kind: 'ready'; ordinal: number; ready: boolean }
  | { kind: 'fail'; ordinal: number }
  | { kind: 'finish' }
  | { kind: 'image'; image: string }
  | { kind: 'sync' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('scale' as const), replicas: fc.integer({ min: 0, max: 5 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('ready' as const), ordinal: fc.integer({ min: 0, max: 5 }), ready: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('fail' as const), ordinal: fc.integer({ min: 0, max: 5 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('image' as const), image: fc.constantFrom('busybox:1', 'busybox:2') }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'finish' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'sync' as const }), weight: 6 },
);

const isReadyPod = (pod: KubeObject | undefined) => {
  const status = (pod?.status ?? {}) as { phase?: string; conditions?: { type: string; status: string }[] };
  return !!pod && !pod.metadata.deletionTimestamp && status.phase === 'Running' && status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
};

function play(world: WorkloadWorld, ops: readonly Op[], ordered: boolean): void {
  for (const o of ops) {
    switch (o.kind) {
      case 'scale':
        world.editSpec((s) => (s.replicas = o.replicas));
        break;
      case 'image':
        world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = o.image));
        break;
      case 'ready':
        world.setReady(`db-${o.ordinal}`, o.ready);
        break;
      case 'fail':
        world.setPhase(`db-${o.ordinal}`, 'Failed');
        break;
      case 'finish':
        world.finishTerminating();
        break;
      case 'sync': {
        const decision = decideStatefulSet(world.owner, world.view(), world.now);
        const creates = decision.actions.filter((a) => a.type === 'createPod');
        const deletes = decision.actions.filter((a) => a.type === 'deletePod');
        if (ordered) {
          assert.ok(creates.length + deletes.length <= 1, `one pod write per sync: ${decision.actions.map((a) => a.type).join(',')}`);
          for (const create of creates) {
            for (let i = 0; i < create.ordinal; i++) {
              assert.ok(isReadyPod(world.pods.get(`db-${i}`)), `db-${create.ordinal} created while db-${i} is not Running and Ready`);
            }
          }
          for (const del of deletes) {
            if (del.reason !== 'condemned') continue;
            const highest = Math.max(...[...world.pods.values()].map(ordinalOf));
            assert.equal(ordinalOf(del.pod), highest, 'scale-down takes the highest ordinal first');
          }
        }
        world.apply(decision.actions);
        break;
      }
    }
    world.now += 1000;
  }
}

function settle(world: WorkloadWorld): void {
  for (let i = 0; i < 60; i++) {
    world.readyAll();
    world.finishTerminating();
    const decision = decideStatefulSet(world.owner, world.view(), world.now);
    world.apply(decision.actions);
    world.now += 1000;
    if (decision.actions.length === 0) return;
  }
  assert.fail('did not settle');
}

function checkConverged(world: WorkloadWorld): void {
  const replicas = (world.owner.spec as { replicas: number }).replicas;
  assert.deepEqual(world.livePodNames(), Array.from({ length: replicas }, (_, i) => `db-${i}`).sort());
  const status = world.owner.status as StatefulSetStatus;
  assert.equal(status.replicas, replicas);
  assert.equal(status.readyReplicas, replicas);
  assert.equal(status.updatedReplicas, replicas);
  assert.equal(status.currentRevision, status.updateRevision);
  for (const pod of world.pods.values()) assert.equal(pod.metadata.labels?.['controller-revision-hash'], status.updateRevision);
  // Claims are kept (Retain) for every ordinal that ever existed, and exist for every live one.
  for (const name of world.livePodNames()) assert.ok(world.claims.has(`data-${name}`), `claim of ${name}`);
}

describe('StatefulSet under random scaling and readiness', () => {
  it('OrderedReady never creates pod N+1 before pods 0..N are Running and Ready, and converges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.array(op, { maxLength: 80 }), (replicas, ops) => {
        const world = new WorkloadWorld(set(replicas, 'OrderedReady'));
        play(world, ops, true);
        settle(world);
        checkConverged(world);
      }),
      { numRuns: 300 },
    );
  });

  it('Parallel converges to the same pods', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.array(op, { maxLength: 80 }), (replicas, ops) => {
        const world = new WorkloadWorld(set(replicas, 'Parallel'));
        play(world, ops, false);
        settle(world);
        checkConverged(world);
      }),
      { numRuns: 200 },
    );
  });
});
