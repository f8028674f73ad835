import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER } from '../../src/controllers/volume/annotations.ts';
import { claimBoundToVolume, claimStatusBound, volumeBoundToClaim, volumeUnbound } from '../../src/controllers/volume/binding.ts';
import { decideClaim, NO_CLASS_MESSAGE, WAIT_FOR_CONSUMER_MESSAGE } from '../../src/controllers/volume/decide-claim.ts';
import { decideVolume, NO_DELETER_MESSAGE } from '../../src/controllers/volume/decide-volume.ts';
import { findMatchingVolume, whyVolumeDoesNotSatisfy } from '../../src/controllers/volume/match.ts';

interface PvOptions {
  size?: string;
  modes?: string[];
  className?: string;
  labels?: Record<string, string>;
  phase?: string;
  claimRef?: Record<string, string>;
  policy?: string;
  annotations?: Record<string, string>;
  volumeMode?: string;
}
function pv(name: string, o: PvOptions = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, uid: `uid-${name}`, resourceVersion: '10', labels: o.labels ?? {}, annotations: o.annotations ?? {} },
    spec: {
      capacity: { storage: o.size ?? '1Gi' },
      accessModes: o.modes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: o.policy ?? 'Retain',
      ...(o.className !== undefined ? { storageClassName: o.className } : {}),
      ...(o.claimRef ? { claimRef: o.claimRef } : {}),
      ...(o.volumeMode ? { volumeMode: o.volumeMode } : {}),
      hostPath: { path: `/tmp/${name}` },
    },
    status: { phase: o.phase ?? 'Available' },
  };
}
interface PvcOptions {
  size?: string;
  modes?: string[];
  className?: string;
  selector?: unknown;
  volumeName?: string;
  annotations?: Record<string, string>;
  phase?: string;
}
function pvc(name: string, o: PvcOptions = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '20', annotations: o.annotations ?? {} },
    spec: {
      accessModes: o.modes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: o.size ?? '1Gi' } },
      ...(o.className !== undefined ? { storageClassName: o.className } : {}),
      ...(o.selector ? { selector: o.selector } : {}),
      ...(o.volumeName ? { volumeName: o.volumeName } : {}),
    },
    status: { phase: o.phase ?? 'Pending' },
  };
}
const storageClass = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner: 'jetkube.io/local-path',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
  ...extra,
});
const names = (o: KubeObject | undefined) => o?.metadata.name;

describe('findMatchingVolume', () => {
  it('takes the smallest volume that is big enough', () => {
    const volumes = [pv('big', { size: '10Gi' }), pv('small', { size: '500Mi' }), pv('fit', { size: '2Gi' }), pv('exact', { size: '1Gi' })];
    assert.equal(names(findMatchingVolume(pvc('c'), volumes)), 'exact');
    assert.equal(names(findMatchingVolume(pvc('c', { size: '1500Mi' }), volumes)), 'fit');
    assert.equal(findMatchingVolume(pvc('c', { size: '20Gi' }), volumes), undefined);
  });

  it('needs the same class ("" and unset are one), every asked access mode, the volume mode, and Available', () => {
    assert.equal(findMatchingVolume(pvc('c', { className: 'fast' }), [pv('a', { className: 'slow' })]), undefined);
    assert.equal(names(findMatchingVolume(pvc('c', { className: '' }), [pv('a')])), 'a');
    assert.equal(names(findMatchingVolume(pvc('c', { className: 'fast' }), [pv('a', { className: 'fast' })])), 'a');
    assert.equal(findMatchingVolume(pvc('c', { modes: ['ReadWriteMany'] }), [pv('a')]), undefined);
    assert.equal(findMatchingVolume(pvc('c'), [pv('a', { volumeMode: 'Block' })]), undefined);
    assert.equal(findMatchingVolume(pvc('c'), [pv('a', { phase: 'Released' })]), undefined);
    assert.equal(findMatchingVolume(pvc('c'), [pv('a', { claimRef: { namespace: 'ns', name: 'other', uid: 'x' } })]), undefined);
  });

  it('prefers fewer access modes over size', () => {
    const volumes = [pv('many', { modes: ['ReadWriteOnce', 'ReadWriteMany'], size: '1Gi' }), pv('one', { modes: ['ReadWriteOnce'], size: '5Gi' })];
    assert.equal(names(findMatchingVolume(pvc('c'), volumes)), 'one');
  });

  it('honours matchLabels and matchExpressions', () => {
    const volumes = [pv('ssd', { labels: { disk: 'ssd', zone: 'a' } }), pv('hdd', { labels: { disk: 'hdd', zone: 'b' } })];
    assert.equal(names(findMatchingVolume(pvc('c', { selector: { matchLabels: { disk: 'hdd' } } }), volumes)), 'hdd');
    assert.equal(names(findMatchingVolume(pvc('c', { selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }), volumes)), 'ssd');
    assert.equal(findMatchingVolume(pvc('c', { selector: { matchLabels: { disk: 'nvme' } } }), volumes), undefined);
  });

  it('takes a volume pre-bound to the claim first, even when not the smallest, and skips ones pre-bound to others', () => {
    const volumes = [pv('small'), pv('mine', { size: '5Gi', phase: 'Available', claimRef: { namespace: 'ns', name: 'c' } }), pv('theirs', { claimRef: { namespace: 'ns', name: 'd' } })];
    assert.equal(names(findMatchingVolume(pvc('c'), volumes)), 'mine');
    assert.equal(names(findMatchingVolume(pvc('d'), volumes)), 'theirs');
  });

  it('with late binding and no node offers only pre-bound volumes', () => {
    assert.equal(findMatchingVolume(pvc('c'), [pv('a')], { delayBinding: true }), undefined);
    assert.equal(names(findMatchingVolume(pvc('c'), [pv('a')], { delayBinding: true, node: 'n1' })), 'a');
  });

  it('says why a named volume does not satisfy a claim', () => {
    assert.equal(whyVolumeDoesNotSatisfy(pv('a', { size: '1Mi' }), pvc('c')), 'requested PV is too small');
    assert.equal(whyVolumeDoesNotSatisfy(pv('a', { className: 'x' }), pvc('c')), 'storageClassName does not match');
    assert.equal(whyVolumeDoesNotSatisfy(pv('a'), pvc('c', { modes: ['ReadOnlyMany'] })), 'incompatible accessMode');
    assert.equal(whyVolumeDoesNotSatisfy(pv('a'), pvc('c')), undefined);
  });
});

describe('binding edits', () => {
  it('write both sides with the binder annotations, pinned to the versions read', () => {
    const claim = pvc('c');
    const volume = volumeBoundToClaim(pv('a'), claim)!;
    assert.deepEqual((volume.spec as { claimRef: unknown }).claimRef, { kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'c', uid: 'uid-c', apiVersion: 'v1', resourceVersion: '20' });
    assert.equal(volume.metadata.annotations![ANN_BOUND_BY_CONTROLLER], 'yes');
    assert.equal(volume.metadata.resourceVersion, '10');
    assert.equal(volumeBoundToClaim(volume, claim), undefined, 'nothing more to write');

    const bound = claimBoundToVolume(claim, volume)!;
    assert.equal((bound.spec as { volumeName: string }).volumeName, 'a');
    assert.equal(bound.metadata.annotations![ANN_BIND_COMPLETED], 'yes');
    assert.equal(bound.metadata.annotations![ANN_BOUND_BY_CONTROLLER], 'yes');
    assert.deepEqual(claimStatusBound(bound, volume)!.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
  });

  it('a user pre-bound volume keeps the claim name when unbound; a controller-bound one loses the claimRef', () => {
    const userBound = pv('a', { claimRef: { namespace: 'ns', name: 'c', uid: 'u1', resourceVersion: '3' } });
    assert.deepEqual((volumeUnbound(userBound).spec as { claimRef: unknown }).claimRef, { namespace: 'ns', name: 'c' });
    const controllerBound = pv('b', { claimRef: { namespace: 'ns', name: 'c', uid: 'u1' }, annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' } });
    const unbound = volumeUnbound(controllerBound);
    assert.equal((unbound.spec as { claimRef?: unknown }).claimRef, undefined);
    assert.equal(unbound.metadata.annotations![ANN_BOUND_BY_CONTROLLER], undefined);
  });
});

describe('decideClaim', () => {
  it('binds an unbound claim to its best volume', () => {
    const actions = decideClaim(pvc('c'), { volumes: [pv('a', { size: '2Gi' }), pv('b')] });
    assert.deepEqual(actions.map((a) => a.type), ['bind']);
    assert.equal(names((actions[0] as { volume: KubeObject }).volume), 'b');
  });

  it('without a volume and without a class: Pending with FailedBinding', () => {
    const actions = decideClaim(pvc('c', { phase: '' }), { volumes: [] });
    assert.deepEqual(actions, [{ type: 'event', event: { type: 'Normal', reason: 'FailedBinding', message: NO_CLASS_MESSAGE } }, { type: 'setPhase', phase: 'Pending' }]);
  });

  it('without a volume, with a class: asks its provisioner once', () => {
    const claim = pvc('c', { className: 'standard' });
    const actions = decideClaim(claim, { volumes: [], storageClass: storageClass('standard') });
    assert.deepEqual(actions[0], { type: 'annotate', annotations: { [ANN_STORAGE_PROVISIONER]: 'jetkube.io/local-path', 'volume.beta.kubernetes.io/storage-provisioner': 'jetkube.io/local-path' } });
    assert.equal(actions[1]?.type === 'event' && actions[1].event.reason, 'ExternalProvisioning');
    const asked = pvc('c', { className: 'standard', annotations: { [ANN_STORAGE_PROVISIONER]: 'jetkube.io/local-path' } });
    assert.deepEqual(decideClaim(asked, { volumes: [], storageClass: storageClass('standard') }), []);
    const missing = decideClaim(pvc('c', { className: 'gone' }), { volumes: [] });
    assert.equal(missing[0]?.type === 'event' && missing[0].event.message, 'storageclass.storage.k8s.io "gone" not found');
  });

  it('a WaitForFirstConsumer claim waits, then takes its consumer\'s node, then binds', () => {
    const late = storageClass('late', { volumeBindingMode: 'WaitForFirstConsumer' });
    const claim = pvc('c', { className: 'late' });
    const volumes = [pv('a', { className: 'late' })];
    assert.deepEqual(decideClaim(claim, { volumes, storageClass: late })[0], { type: 'event', event: { type: 'Normal', reason: 'WaitForFirstConsumer', message: WAIT_FOR_CONSUMER_MESSAGE } });
    assert.deepEqual(decideClaim(claim, { volumes, storageClass: late, consumerNode: 'n1' }), [{ type: 'annotate', annotations: { [ANN_SELECTED_NODE]: 'n1' } }]);
    const selected = pvc('c', { className: 'late', annotations: { [ANN_SELECTED_NODE]: 'n1' } });
    assert.deepEqual(decideClaim(selected, { volumes, storageClass: late }).map((a) => a.type), ['bind']);
  });

  it('a claim naming its volume binds to it if it is free and fits, else stays Pending with why', () => {
    assert.deepEqual(decideClaim(pvc('c', { volumeName: 'a' }), { volumes: [pv('a', { size: '5Gi', phase: 'Available' })] }).map((a) => a.type), ['bind']);
    const small = decideClaim(pvc('c', { volumeName: 'a', size: '2Gi' }), { volumes: [pv('a')] });
    assert.equal(small[0]?.type === 'event' && small[0].event.message, 'Cannot bind to requested volume "a": requested PV is too small');
    const taken = decideClaim(pvc('c', { volumeName: 'a' }), { volumes: [pv('a', { claimRef: { namespace: 'ns', name: 'd', uid: 'uid-d' } })] });
    assert.equal(taken[0]?.type === 'event' && taken[0].event.message, 'volume "a" already bound to a different claim.');
    assert.deepEqual(decideClaim(pvc('c', { volumeName: 'later' }), { volumes: [] }), []);
  });

  it('a bound claim whose volume is gone or bound elsewhere is Lost, once', () => {
    const bound = pvc('c', { volumeName: 'a', phase: 'Bound', annotations: { [ANN_BIND_COMPLETED]: 'yes' } });
    const gone = decideClaim(bound, { volumes: [] });
    assert.deepEqual(gone.map((a) => a.type), ['setPhase', 'event']);
    assert.equal(gone[1]?.type === 'event' && gone[1].event.reason, 'ClaimLost');
    const misbound = decideClaim(bound, { volumes: [pv('a', { claimRef: { namespace: 'ns', name: 'd', uid: 'uid-d' } })] });
    assert.equal(misbound[1]?.type === 'event' && misbound[1].event.reason, 'ClaimMisbound');
    assert.deepEqual(decideClaim({ ...bound, status: { phase: 'Lost' } }, { volumes: [] }), []);
    assert.deepEqual(decideClaim(bound, { volumes: [pv('a', { phase: 'Bound', claimRef: { namespace: 'ns', name: 'c', uid: 'uid-c' } })] }).map((a) => a.type), ['bind']);
  });
});

describe('decideVolume', () => {
  const ref = { namespace: 'ns', name: 'c', uid: 'uid-c' };
  it('a free volume is Available; a bound one Bound', () => {
    assert.deepEqual(decideVolume(pv('a', { phase: 'Pending' }), undefined), [{ type: 'setPhase', phase: 'Available' }]);
    assert.deepEqual(decideVolume(pv('a', { phase: 'Available' }), undefined), []);
    assert.deepEqual(decideVolume(pv('a', { phase: 'Available', claimRef: ref }), pvc('c', { volumeName: 'a' })), [{ type: 'setPhase', phase: 'Bound' }]);
    assert.deepEqual(decideVolume(pv('a', { phase: 'Pending', claimRef: ref }), pvc('c')), [{ type: 'syncClaim', namespace: 'ns', name: 'c' }]);
  });

  it('a volume whose claim is gone is Released; Retain keeps it, Delete without a provisioner fails', () => {
    assert.deepEqual(decideVolume(pv('a', { phase: 'Bound', claimRef: ref }), undefined), [{ type: 'setPhase', phase: 'Released' }]);
    assert.deepEqual(decideVolume(pv('a', { phase: 'Released', claimRef: ref }), undefined), []);
    const recreated = { ...pvc('c'), metadata: { ...pvc('c').metadata, uid: 'another' } };
    assert.deepEqual(decideVolume(pv('a', { phase: 'Bound', claimRef: ref }), recreated), [{ type: 'setPhase', phase: 'Released' }]);
    const provisioned = pv('a', { phase: 'Bound', claimRef: ref, policy: 'Delete', annotations: { [ANN_PROVISIONED_BY]: 'jetkube.io/local-path' } });
    assert.deepEqual(decideVolume(provisioned, undefined), [{ type: 'setPhase', phase: 'Released' }]);
    const staticDelete = decideVolume(pv('a', { phase: 'Bound', claimRef: ref, policy: 'Delete' }), undefined);
    assert.deepEqual(staticDelete.map((a) => a.type), ['setPhase', 'setPhase', 'event']);
    assert.deepEqual(staticDelete[1], { type: 'setPhase', phase: 'Failed', message: NO_DELETER_MESSAGE('a') });
  });

  it('a volume whose claim bound elsewhere goes back to Available', () => {
    const byController = pv('a', { phase: 'Bound', claimRef: ref, annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' } });
    assert.deepEqual(decideVolume(byController, pvc('c', { volumeName: 'b' })), [{ type: 'unbind' }, { type: 'setPhase', phase: 'Available' }]);
  });
});
