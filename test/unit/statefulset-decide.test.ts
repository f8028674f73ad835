/**
 * decideStatefulSet, given a simulated namespace, when synced, then these writes: pod
 * identity and claims, OrderedReady and Parallel, scale-down order, claim retention,
 * RollingUpdate with partition, OnDelete, failed pods, history (renumbering on
 * rollback, collisions, truncation) and status.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideStatefulSet, type StatefulSetDecision } from '../../src/controllers/statefulset/decide.ts';
import { POD_INDEX_LABEL, POD_NAME_LABEL } from '../../src/controllers/statefulset/identity.ts';
import type { StatefulSetStatus } from '../../src/controllers/statefulset/status.ts';
import { WorkloadWorld } from '../support/statefulset-world.ts';

type Spec = Record<string, unknown>;

function statefulSet(spec: Spec = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}

const step = (world: WorkloadWorld): StatefulSetDecision => {
  const decision = decideStatefulSet(world.owner, world.view(), world.now);
  world.apply(decision.actions);
  return decision;
};
const writes = (decision: StatefulSetDecision) => decision.actions.filter((a) => a.type !== 'updateStatus').map((a) => a.type);
const status = (world: WorkloadWorld) => world.owner.status as StatefulSetStatus;

/** Sync, let the kubelet make every pod Ready and finish terminating ones, until nothing is left to do. */
function converge(world: WorkloadWorld, rounds = 50): void {
  for (let i = 0; i < rounds; i++) {
    world.readyAll();
    world.finishTerminating();
    const decision = step(world);
    if (decision.actions.length === 0) return;
  }
  assert.fail('did not converge');
}

describe('StatefulSet decision', () => {
  it('creates the revision, then the claim, then pod 0 with its identity, and waits', () => {
    const world = new WorkloadWorld(statefulSet());
    step(world);
    assert.deepEqual(world.log, [`createRevision ${[...world.revisions.keys()][0]}`, 'createClaim www-web-0', 'createPod web-0']);
    const pod = world.pods.get('web-0')!;
    const revision = [...world.revisions.values()][0]!;
    assert.equal((revision as { revision?: number }).revision, 1);
    assert.equal(revision.metadata.ownerReferences?.[0]?.uid, 'owner-uid');
    assert.deepEqual(pod.metadata.labels, { app: 'nginx', [POD_NAME_LABEL]: 'web-0', [POD_INDEX_LABEL]: '0', 'controller-revision-hash': revision.metadata.name });
    const spec = pod.spec as { hostname: string; subdomain: string; volumes: unknown[] };
    assert.equal(spec.hostname, 'web-0');
    assert.equal(spec.subdomain, 'nginx');
    assert.deepEqual(spec.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }]);
    assert.deepEqual(pod.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['StatefulSet', 'web', true]]);
    const claim = world.claims.get('www-web-0')!;
    assert.deepEqual(claim.metadata.labels, { app: 'nginx' });
    assert.equal(claim.metadata.ownerReferences, undefined, 'Retain: the claim has no owner');
    assert.deepEqual(claim.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
    // Pending pod 0: nothing more.
    assert.deepEqual(writes(step(world)), []);
  });

  it('OrderedReady creates pod i+1 only once pods 0..i are Running and Ready', () => {
    const world = new WorkloadWorld(statefulSet());
    step(world);
    world.setReady('web-0', false);
    assert.deepEqual(writes(step(world)), [], 'running but not ready: wait');
    world.setReady('web-0', true);
    step(world);
    assert.deepEqual(world.livePodNames(), ['web-0', 'web-1']);
    world.setReady('web-1', true);
    world.setReady('web-0', false);
    step(world);
    assert.deepEqual(world.livePodNames(), ['web-0', 'web-1'], 'pod 0 lost readiness: pod 2 waits');
    world.setReady('web-0', true);
    step(world);
    assert.deepEqual(world.livePodNames(), ['web-0', 'web-1', 'web-2']);
    world.readyAll();
    step(world);
    assert.deepEqual(
      { replicas: status(world).replicas, ready: status(world).readyReplicas, current: status(world).currentReplicas, updated: status(world).updatedReplicas, observed: status(world).observedGeneration },
      { replicas: 3, ready: 3, current: 3, updated: 3, observed: 1 },
    );
    assert.equal(status(world).currentRevision, status(world).updateRevision);
  });

  it('Parallel creates every pod (and claim) in one sync', () => {
    const world = new WorkloadWorld(statefulSet({ podManagementPolicy: 'Parallel' }));
    step(world);
    assert.deepEqual(world.livePodNames(), ['web-0', 'web-1', 'web-2']);
    assert.deepEqual([...world.claims.keys()].sort(), ['www-web-0', 'www-web-1', 'www-web-2']);
  });

  it('scales down from the highest ordinal, one at a time, keeping the claims under Retain', () => {
    const world = new WorkloadWorld(statefulSet());
    converge(world);
    world.editSpec((s) => (s.replicas = 1));
    step(world);
    assert.deepEqual(world.log.slice(-1), ['deletePod web-2']);
    assert.deepEqual(writes(step(world)), [], 'web-2 still terminating: wait');
    world.finishTerminating();
    step(world);
    assert.deepEqual(world.log.slice(-1), ['deletePod web-1']);
    world.finishTerminating();
    converge(world);
    assert.deepEqual(world.livePodNames(), ['web-0']);
    assert.deepEqual([...world.claims.keys()].sort(), ['www-web-0', 'www-web-1', 'www-web-2']);
    assert.equal(status(world).replicas, 1);
  });

  it('Parallel scale-down deletes every condemned pod at once', () => {
    const world = new WorkloadWorld(statefulSet({ podManagementPolicy: 'Parallel', replicas: 4 }));
    converge(world);
    world.editSpec((s) => (s.replicas = 2));
    step(world);
    assert.deepEqual(world.log.slice(-2).sort(), ['deletePod web-2', 'deletePod web-3']);
  });

  it('whenScaled=Delete makes the scaled-away pod own its claim before it is deleted; whenDeleted=Delete makes the set own them', () => {
    const world = new WorkloadWorld(statefulSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
    converge(world);
    for (const claim of world.claims.values()) assert.deepEqual(claim.metadata.ownerReferences?.map((r) => r.kind), ['StatefulSet']);
    world.editSpec((s) => (s.replicas = 2));
    const pod2 = world.pods.get('web-2')!;
    const decision = step(world);
    const types = decision.actions.map((a) => a.type);
    assert.ok(types.indexOf('setClaimOwners') < types.indexOf('deletePod'), `claim first: ${types.join(',')}`);
    assert.deepEqual(world.claims.get('www-web-2')!.metadata.ownerReferences?.map((r) => [r.kind, r.uid]), [['Pod', pod2.metadata.uid]]);
    assert.deepEqual(world.claims.get('www-web-1')!.metadata.ownerReferences?.map((r) => r.kind), ['StatefulSet']);
  });

  it('a claim still owned by a scaled-away pod is waited out before its ordinal comes back', () => {
    const world = new WorkloadWorld(statefulSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }));
    converge(world);
    world.editSpec((s) => (s.replicas = 2));
    step(world);
    world.finishTerminating();
    world.editSpec((s) => (s.replicas = 3));
    assert.deepEqual(writes(step(world)), [], 'www-web-2 belongs to the old web-2: the garbage collector will take it');
    world.claims.delete('www-web-2');
    step(world);
    assert.deepEqual(world.log.slice(-2), ['createClaim www-web-2', 'createPod web-2']);
    assert.equal(world.claims.get('www-web-2')!.metadata.ownerReferences, undefined);
  });

  it('RollingUpdate replaces pods from the highest ordinal, each after the one above is Ready, then makes the update revision current', () => {
    const world = new WorkloadWorld(statefulSet());
    converge(world);
    const first = status(world).currentRevision;
    world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = 'nginx:2'));
    step(world);
    const second = status(world).updateRevision;
    assert.notEqual(second, first);
    assert.equal((world.revisions.get(second!) as { revision?: number }).revision, 2);
    assert.deepEqual(world.log.slice(-2), [`createRevision ${second}`, 'deletePod web-2']);
    world.finishTerminating();
    step(world);
    assert.deepEqual(world.log.slice(-1), ['createPod web-2']);
    assert.equal(world.pods.get('web-2')!.metadata.labels?.['controller-revision-hash'], second);
    assert.equal((world.pods.get('web-2')!.spec as { containers: { image: string }[] }).containers[0]!.image, 'nginx:2');
    assert.deepEqual(writes(step(world)), [], 'the new web-2 is not ready: wait');
    world.setReady('web-2', true);
    step(world);
    assert.deepEqual(world.log.slice(-1), ['deletePod web-1']);
    assert.equal(status(world).currentRevision, first, 'still rolling');
    converge(world);
    assert.equal(status(world).currentRevision, second);
    assert.equal(status(world).updatedReplicas, 3);
    assert.equal(status(world).currentReplicas, 3);
    assert.deepEqual(world.log.filter((l) => l.startsWith('deletePod')), ['deletePod web-2', 'deletePod web-1', 'deletePod web-0']);
  });

  it('a partition keeps the ordinals below it at the current revision, also when they are recreated', () => {
    const world = new WorkloadWorld(statefulSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }));
    converge(world);
    const first = status(world).currentRevision;
    world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = 'nginx:2'));
    converge(world);
    const revisionOf = (name: string) => world.pods.get(name)!.metadata.labels?.['controller-revision-hash'];
    assert.equal(revisionOf('web-2'), status(world).updateRevision);
    assert.equal(revisionOf('web-1'), first);
    assert.equal(revisionOf('web-0'), first);
    assert.equal(status(world).updatedReplicas, 1);
    assert.equal(status(world).currentRevision, first);
    // web-0 deleted by hand comes back at the current revision.
    world.apply([{ type: 'deletePod', pod: world.pods.get('web-0')!, reason: 'update' }]);
    world.finishTerminating();
    converge(world);
    assert.equal(revisionOf('web-0'), first);
  });

  it('OnDelete leaves old pods alone; a pod deleted by hand comes back at the update revision', () => {
    const world = new WorkloadWorld(statefulSet({ updateStrategy: { type: 'OnDelete' } }));
    converge(world);
    world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = 'nginx:2'));
    converge(world);
    assert.equal(world.log.filter((l) => l.startsWith('deletePod')).length, 0);
    world.apply([{ type: 'deletePod', pod: world.pods.get('web-1')!, reason: 'update' }]);
    world.finishTerminating();
    converge(world);
    assert.equal(world.pods.get('web-1')!.metadata.labels?.['controller-revision-hash'], status(world).updateRevision);
    assert.equal(status(world).updatedReplicas, 1);
  });

  it('deletes a failed pod and recreates it under the same name', () => {
    const world = new WorkloadWorld(statefulSet({ replicas: 1 }));
    converge(world);
    const uid = world.pods.get('web-0')!.metadata.uid;
    world.setPhase('web-0', 'Failed');
    step(world);
    assert.deepEqual(world.log.slice(-1), ['deletePod web-0']);
    world.finishTerminating();
    converge(world);
    assert.notEqual(world.pods.get('web-0')!.metadata.uid, uid);
  });

  it('a rollback reuses the old revision with the next number instead of making another', () => {
    const world = new WorkloadWorld(statefulSet({ replicas: 1 }));
    converge(world);
    const first = status(world).currentRevision!;
    world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = 'nginx:2'));
    converge(world);
    world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = 'nginx:1'));
    converge(world);
    assert.equal(world.revisions.size, 2);
    assert.equal(status(world).currentRevision, first);
    assert.equal((world.revisions.get(first) as { revision?: number }).revision, 3);
  });

  it('a revision name taken by other data bumps collisionCount, and the next sync picks another name', () => {
    const world = new WorkloadWorld(statefulSet({ replicas: 1 }));
    const probe = decideStatefulSet(world.owner, world.view(), world.now).actions.find((a) => a.type === 'createRevision')!;
    const name = (probe as { revision: KubeObject }).revision.metadata.name!;
    world.revisions.set(name, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name, namespace: 'default', uid: 'other' }, data: { other: true }, revision: 1 } as KubeObject);
    const decision = step(world);
    assert.deepEqual(decision.actions.map((a) => a.type), ['updateStatus']);
    assert.equal(status(world).collisionCount, 1);
    converge(world);
    assert.notEqual(status(world).updateRevision, name);
    assert.equal(status(world).collisionCount, 1);
  });

  it('keeps at most revisionHistoryLimit unused revisions', () => {
    const world = new WorkloadWorld(statefulSet({ replicas: 1, revisionHistoryLimit: 1 }));
    for (const image of ['nginx:1', 'nginx:2', 'nginx:3', 'nginx:4']) {
      world.editSpec((s) => ((s.template as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image = image));
      converge(world);
    }
    assert.equal(world.revisions.size, 2, 'the live one and one more');
    assert.deepEqual([...world.revisions.values()].map((r) => (r as { revision?: number }).revision).sort(), [3, 4]);
  });

  it('adopts an orphan pod named like a member, and leaves other orphans alone', () => {
    const world = new WorkloadWorld(statefulSet({ replicas: 1 }));
    world.pods.set('web-0', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'p0', labels: { app: 'nginx' }, resourceVersion: '1' } });
    world.pods.set('other', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'default', uid: 'p1', labels: { app: 'nginx' }, resourceVersion: '1' } });
    step(world);
    assert.equal(world.pods.get('web-0')!.metadata.ownerReferences?.[0]?.uid, 'owner-uid');
    assert.equal(world.pods.get('other')!.metadata.ownerReferences, undefined);
  });

  it('a set being deleted gets only its status', () => {
    const world = new WorkloadWorld(statefulSet());
    world.owner.metadata.deletionTimestamp = world.time();
    assert.deepEqual(writes(step(world)), []);
  });
});
