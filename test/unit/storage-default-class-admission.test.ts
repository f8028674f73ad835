import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { defaultStorageClass } from '../../src/admission/default-storage-class.ts';

const sc = (name: string, isDefault: boolean, created = '2026-01-01T00:00:00Z', beta = false): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: {
    name,
    creationTimestamp: created,
    annotations: isDefault ? { [beta ? 'storageclass.beta.kubernetes.io/is-default-class' : 'storageclass.kubernetes.io/is-default-class']: 'true' } : {},
  },
  provisioner: 'jetkube.io/local-path',
});
const claim = (spec: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});
const classOf = (o: KubeObject) => (o.spec as { storageClassName?: string }).storageClassName;

describe('DefaultStorageClass admission', () => {
  it('gives a claim without class the default class', () => {
    const input = claim();
    const admitted = defaultStorageClass(input, [sc('slow', false), sc('standard', true)]);
    assert.equal(classOf(admitted), 'standard');
    assert.equal(classOf(input), undefined, 'the input is not mutated');
  });

  it('keeps an explicit class, an explicit "" and the beta annotation', () => {
    const classes = [sc('standard', true)];
    assert.equal(classOf(defaultStorageClass(claim({ storageClassName: 'fast' }), classes)), 'fast');
    assert.equal(classOf(defaultStorageClass(claim({ storageClassName: '' }), classes)), '');
    assert.equal(classOf(defaultStorageClass(claim({}, { 'volume.beta.kubernetes.io/storage-class': 'old' }), classes)), undefined);
  });

  it('leaves the claim alone without a default class, and other kinds alone', () => {
    assert.equal(classOf(defaultStorageClass(claim(), [sc('slow', false)])), undefined);
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} };
    assert.equal(defaultStorageClass(pod, [sc('standard', true)]), pod);
  });

  it('with several defaults takes the newest, then the first by name; the beta annotation counts', () => {
    const classes = [sc('old', true, '2026-01-01T00:00:00Z'), sc('new', true, '2026-02-01T00:00:00Z'), sc('beta', true, '2026-02-01T00:00:00Z', true)];
    assert.equal(classOf(defaultStorageClass(claim(), classes)), 'beta');
    assert.equal(classOf(defaultStorageClass(claim(), classes.slice(0, 2))), 'new');
  });
});
