import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/object.ts';
import { claimNamesOf, mountsFor, prepareVolumes, readOnlyVolumeNames, VolumeSetupError, type VolumeSources } from '../../src/runtime/volumes.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jetkube-pvc-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pod = (readOnly = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app', namespace: 'shop', uid: 'pod-1' },
  spec: { containers: [{ name: 'c', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'store', readOnly } }] },
});
const containerOf = (p: KubeObject) => (p.spec as { containers: Array<Record<string, unknown>> }).containers[0]!;
const claim = (phase = 'Bound', volumeName = 'pv-1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'store', namespace: 'shop', uid: 'claim-1' },
  spec: { volumeName },
  status: { phase },
});
const volume = (source: Record<string, unknown>, uid = 'claim-1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv-1' },
  spec: { claimRef: { namespace: 'shop', name: 'store', uid }, ...source },
});
const sources = (claims: KubeObject[], volumes: KubeObject[]): VolumeSources => ({
  configMaps: new Map(),
  secrets: new Map(),
  persistentVolumeClaims: new Map(claims.map((c) => [c.metadata.name!, c])),
  persistentVolumes: new Map(volumes.map((v) => [v.metadata.name!, v])),
});

async function setupError(s: VolumeSources): Promise<string> {
  try {
    await prepareVolumes(pod(), join(dir, 'pod'), s);
  } catch (error) {
    assert.ok(error instanceof VolumeSetupError);
    return error.message;
  }
  return assert.fail('expected a FailedMount');
}

describe('persistentVolumeClaim volumes', () => {
  it('are the bound volume\'s hostPath directory (made when DirectoryOrCreate)', async () => {
    const path = join(dir, 'volumes', 'pvc-claim-1');
    const paths = await prepareVolumes(pod(), join(dir, 'pod'), sources([claim()], [volume({ hostPath: { path, type: 'DirectoryOrCreate' } })]));
    assert.equal(paths.get('data'), path);
    assert.ok((await stat(path)).isDirectory());
    assert.deepEqual(mountsFor(containerOf(pod()), paths, [], readOnlyVolumeNames(pod())), [{ hostPath: path, containerPath: '/data', readOnly: false }]);
  });

  it('mount read-only when the pod says readOnly', async () => {
    const paths = await prepareVolumes(pod(true), join(dir, 'pod'), sources([claim()], [volume({ local: { path: dir } })]));
    assert.equal(paths.get('data'), dir);
    assert.deepEqual(readOnlyVolumeNames(pod(true)), new Set(['data']));
    assert.equal(mountsFor(containerOf(pod(true)), paths, [], readOnlyVolumeNames(pod(true)))[0]!.readOnly, true);
  });

  it('fail as kubelet says while the claim is missing, unbound, or its volume is missing or someone else\'s', async () => {
    assert.equal(await setupError(sources([], [])), 'MountVolume.SetUp failed for volume "data" : persistentvolumeclaim "store" not found');
    assert.equal(await setupError(sources([claim('Pending', '')], [])), 'MountVolume.SetUp failed for volume "data" : persistentvolumeclaim "store" is not bound');
    assert.equal(await setupError(sources([claim()], [])), 'MountVolume.SetUp failed for volume "data" : persistentvolume "pv-1" not found');
    assert.match(await setupError(sources([claim()], [volume({ hostPath: { path: dir } }, 'other')])), /persistentvolume "pv-1" is not bound to persistentvolumeclaim "store"/);
    assert.match(await setupError(sources([claim()], [volume({ nfs: { server: 'x', path: '/' } })])), /of type nfs is not supported/);
  });

  it('claimNamesOf lists the claims a pod uses', () => {
    assert.deepEqual(claimNamesOf(pod()), ['store']);
  });
});
