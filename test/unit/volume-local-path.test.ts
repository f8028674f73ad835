import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER } from '../../src/controllers/volume/annotations.ts';
import { decideProvisioning, defaultStorageClass, LOCAL_PATH_PROVISIONER, shouldDeleteVolume } from '../../src/controllers/volume/local-path.ts';

const ROOT = '/var/lib/jetkube/volumes';
const standard = defaultStorageClass();
function claim(extra: { annotations?: Record<string, string>; spec?: Record<string, unknown> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'shop', uid: 'u-1', resourceVersion: '7', annotations: { [ANN_STORAGE_PROVISIONER]: LOCAL_PATH_PROVISIONER, ...extra.annotations } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem', ...extra.spec },
    status: { phase: 'Pending' },
  };
}

describe('local-path provisioner decisions', () => {
  it('brings a default class standard: local-path, Delete, Immediate', () => {
    assert.equal(standard.metadata.name, 'standard');
    assert.equal(standard.metadata.annotations!['storageclass.kubernetes.io/is-default-class'], 'true');
    assert.deepEqual([standard.provisioner, standard.reclaimPolicy, standard.volumeBindingMode], ['jetkube.io/local-path', 'Delete', 'Immediate']);
  });

  it('makes a volume pre-bound to the claim, in a directory of its own under the root', () => {
    const decision = decideProvisioning(claim(), standard, ROOT);
    assert.equal(decision.type, 'provision');
    const pv = (decision as { volume: KubeObject }).volume;
    assert.equal(pv.metadata.name, 'pvc-u-1');
    assert.equal(pv.metadata.annotations![ANN_PROVISIONED_BY], LOCAL_PATH_PROVISIONER);
    assert.ok(pv.metadata.labels && Object.keys(pv.metadata.labels).length > 0, 'labelled');
    assert.deepEqual(pv.spec, {
      capacity: { storage: '2Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'standard',
      volumeMode: 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data', uid: 'u-1', apiVersion: 'v1', resourceVersion: '7' },
      hostPath: { path: `${ROOT}/pvc-u-1`, type: 'DirectoryOrCreate' },
    });
  });

  it('provisions only what the binder handed to it, for its own class, not yet bound', () => {
    assert.equal(decideProvisioning(claim({ annotations: { [ANN_STORAGE_PROVISIONER]: 'other.io/x' } }), standard, ROOT).type, 'none');
    assert.equal(decideProvisioning(claim(), { ...standard, provisioner: 'other.io/x' }, ROOT).type, 'none');
    assert.equal(decideProvisioning(claim(), undefined, ROOT).type, 'none');
    assert.equal(decideProvisioning(claim({ spec: { volumeName: 'pv-1' } }), standard, ROOT).type, 'none');
    assert.equal(decideProvisioning(claim({ spec: { volumeMode: 'Block' } }), standard, ROOT).type, 'fail');
  });

  it('waits for the selected node under WaitForFirstConsumer, then pins the volume to it', () => {
    const late = { ...standard, volumeBindingMode: 'WaitForFirstConsumer' };
    assert.equal(decideProvisioning(claim(), late, ROOT).type, 'none');
    const decision = decideProvisioning(claim({ annotations: { [ANN_SELECTED_NODE]: 'node-1' } }), late, ROOT) as { volume: KubeObject };
    assert.deepEqual((decision.volume.spec as { nodeAffinity: unknown }).nodeAffinity, {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] },
    });
  });

  it('deletes only its own Released Delete volumes whose directory it would have made', () => {
    const pv = (decideProvisioning(claim(), standard, ROOT) as { volume: KubeObject }).volume;
    const released = { ...pv, status: { phase: 'Released' } };
    assert.equal(shouldDeleteVolume(released), true);
    assert.equal(shouldDeleteVolume({ ...pv, status: { phase: 'Bound' } }), false);
    assert.equal(shouldDeleteVolume({ ...released, spec: { ...(pv.spec as object), persistentVolumeReclaimPolicy: 'Retain' } }), false);
    assert.equal(shouldDeleteVolume({ ...released, metadata: { ...pv.metadata, annotations: {} } }), false);
    assert.equal(shouldDeleteVolume({ ...released, spec: { ...(pv.spec as object), hostPath: { path: '/home' } } }), false, 'never a directory it did not make');
  });
});
