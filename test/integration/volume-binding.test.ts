// The persistent volume binder and the local-path provisioner against a real cluster
// (nats-server + API server): static binding (smallest fit, selector, pre-bound claims
// and volumes), dynamic provisioning on the default class `standard` (created by the
// provisioner at start), late binding (WaitForFirstConsumer), and reclaim: Delete
// removes the volume and its directory, Retain keeps both, Released.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { StatusError } from '../../src/api/errors.ts';
import { newPersistentVolumeBinder } from '../../src/controllers/volume/binder-controller.ts';
import { newLocalPathProvisioner } from '../../src/controllers/volume/provisioner-controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const PVS = 'persistentvolumes';
const PVCS = 'persistentvolumeclaims';
const CLASSES = 'storageclasses.storage.k8s.io';

type Spec = Record<string, any>;
const specOf = (o: KubeObject) => o.spec as Spec;
const statusOf = (o: KubeObject) => (o.status ?? {}) as Spec;

describe('persistent volume binder and local-path provisioner against a real cluster', { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  let factory: SharedInformerFactory;
  let actors: Actor<typeof controllerMachine>[];
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'jetkube-local-path-'));
    cluster = await startTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    actors = [newPersistentVolumeBinder(cluster.client, factory), newLocalPathProvisioner(cluster.client, factory, { root })].map((controller) =>
      createActor(controllerMachine, { input: { controller } }),
    );
    for (const actor of actors) actor.start();
    for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  });

  after(async () => {
    for (const actor of actors ?? []) actor.send({ type: 'stop' });
    for (const actor of actors ?? []) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory?.shutdown();
    await cluster?.dispose();
    await rm(root, { recursive: true, force: true });
  });

  const get = (resource: string, namespace: string | undefined, name: string) =>
    cluster.client.get(resource, namespace, name).catch((error: unknown) => {
      if (error instanceof StatusError && error.code === 404) return undefined;
      throw error;
    });
  const pv = (name: string, spec: Spec, labels: Record<string, string> = {}): Promise<KubeObject> =>
    cluster.client.create(PVS, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, labels },
      spec: { accessModes: ['ReadWriteOnce'], hostPath: { path: join(root, 'static', name), type: 'DirectoryOrCreate' }, ...spec },
    });
  const pvc = (name: string, spec: Spec): Promise<KubeObject> =>
    cluster.client.create(PVCS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], ...spec } });
  const storage = (size: string) => ({ requests: { storage: size } });
  const boundClaim = (name: string) =>
    eventually(async () => {
      const claim = await get(PVCS, NS, name);
      return claim && statusOf(claim).phase === 'Bound' ? claim : undefined;
    }, 15_000, `claim ${name} Bound`);
  const volumeIn = (name: string, phase: string) =>
    eventually(async () => {
      const volume = await get(PVS, undefined, name);
      return volume && statusOf(volume).phase === phase ? volume : undefined;
    }, 15_000, `volume ${name} ${phase}`);

  it('binds a claim to the smallest fitting volume of its class, writing both sides', async () => {
    await pv('manual-1g', { storageClassName: 'manual', capacity: { storage: '1Gi' } });
    await pv('manual-10g', { storageClassName: 'manual', capacity: { storage: '10Gi' } });
    await pv('manual-3g', { storageClassName: 'manual', capacity: { storage: '3Gi' } });
    await pv('other-2g', { storageClassName: 'other', capacity: { storage: '2Gi' } });
    await volumeIn('manual-3g', 'Available');
    const created = await pvc('wants-2g', { storageClassName: 'manual', resources: storage('2Gi') });

    const claim = await boundClaim('wants-2g');
    assert.equal(specOf(claim).volumeName, 'manual-3g');
    assert.deepEqual(statusOf(claim).capacity, { storage: '3Gi' });
    assert.deepEqual(statusOf(claim).accessModes, ['ReadWriteOnce']);
    assert.equal(claim.metadata.annotations!['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(claim.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');
    const volume = await volumeIn('manual-3g', 'Bound');
    assert.equal(specOf(volume).claimRef.uid, created.metadata.uid);
    assert.equal(specOf(volume).claimRef.name, 'wants-2g');
    assert.equal(volume.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal(statusOf((await get(PVS, undefined, 'manual-10g'))!).phase, 'Available');
  });

  it('honours selectors, pre-bound claims and pre-bound volumes', async () => {
    await pv('fast-a', { storageClassName: 'sel', capacity: { storage: '1Gi' } }, { disk: 'hdd' });
    await pv('fast-b', { storageClassName: 'sel', capacity: { storage: '5Gi' } }, { disk: 'ssd' });
    await pvc('wants-ssd', { storageClassName: 'sel', resources: storage('1Gi'), selector: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } });
    assert.equal(specOf(await boundClaim('wants-ssd')).volumeName, 'fast-b');

    await pv('named', { storageClassName: 'pre', capacity: { storage: '1Gi' } });
    await pv('decoy', { storageClassName: 'pre', capacity: { storage: '1Gi' } });
    await pvc('names-its-volume', { storageClassName: 'pre', resources: storage('1Gi'), volumeName: 'named' });
    const named = await boundClaim('names-its-volume');
    assert.equal(specOf(named).volumeName, 'named');
    assert.equal(named.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], undefined, 'the user chose the volume');

    await pv('reserved', { storageClassName: 'pre', capacity: { storage: '1Gi' }, claimRef: { namespace: NS, name: 'has-a-reservation' } });
    await pvc('has-a-reservation', { storageClassName: 'pre', resources: storage('1Gi') });
    assert.equal(specOf(await boundClaim('has-a-reservation')).volumeName, 'reserved');
    assert.equal(statusOf((await get(PVS, undefined, 'decoy'))!).phase, 'Available');
  });

  it('provisions a directory and a volume for a claim of the default class, which it created', async () => {
    const standard = await eventually(() => get(CLASSES, undefined, 'standard'), 10_000, 'the default class');
    assert.equal(standard.metadata.annotations!['storageclass.kubernetes.io/is-default-class'], 'true');
    assert.equal(standard.provisioner, 'jetkube.io/local-path');

    const created = await pvc('dynamic', { storageClassName: 'standard', resources: storage('64Mi') });
    const claim = await boundClaim('dynamic');
    const name = `pvc-${created.metadata.uid}`;
    assert.equal(specOf(claim).volumeName, name);
    assert.equal(claim.metadata.annotations!['volume.kubernetes.io/storage-provisioner'], 'jetkube.io/local-path');
    const volume = await volumeIn(name, 'Bound');
    assert.equal(volume.metadata.annotations!['pv.kubernetes.io/provisioned-by'], 'jetkube.io/local-path');
    assert.equal(specOf(volume).persistentVolumeReclaimPolicy, 'Delete');
    assert.deepEqual(specOf(volume).capacity, { storage: '64Mi' });
    assert.equal(specOf(volume).hostPath.path, join(root, name));
    assert.ok(existsSync(join(root, name)), 'the directory is made');

    const reasons = async () => (await cluster.client.list('events', NS)).items.filter((e) => (e.involvedObject as Spec).name === 'dynamic').map((e) => e.reason);
    await eventually(async () => ((await reasons()).includes('ProvisioningSucceeded') ? true : undefined), 10_000, 'the ProvisioningSucceeded event');
    assert.ok((await reasons()).includes('Provisioning'));
  });

  it('reclaim Delete: the claim goes, the volume is Released, then deleted with its directory', async () => {
    const created = await pvc('short-lived', { storageClassName: 'standard', resources: storage('16Mi') });
    await boundClaim('short-lived');
    const name = `pvc-${created.metadata.uid}`;
    await writeFile(join(root, name, 'data.txt'), 'bye');
    await cluster.client.delete(PVCS, NS, 'short-lived');
    await eventually(async () => ((await get(PVS, undefined, name)) === undefined ? true : undefined), 15_000, `volume ${name} deleted`);
    assert.equal(existsSync(join(root, name)), false, 'the directory is removed');
  });

  it('reclaim Retain: the claim goes, the volume stays Released with its data; a static Delete volume fails', async () => {
    await cluster.client.create(CLASSES, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'keep' }, provisioner: 'jetkube.io/local-path', reclaimPolicy: 'Retain' });
    const created = await pvc('kept', { storageClassName: 'keep', resources: storage('16Mi') });
    await boundClaim('kept');
    const name = `pvc-${created.metadata.uid}`;
    await writeFile(join(root, name, 'data.txt'), 'keep me');

    await pv('static-delete', { storageClassName: 'gone', capacity: { storage: '1Gi' }, persistentVolumeReclaimPolicy: 'Delete' });
    await pvc('static-delete-claim', { storageClassName: 'gone', resources: storage('1Gi') });
    await boundClaim('static-delete-claim');

    await cluster.client.delete(PVCS, NS, 'kept');
    await cluster.client.delete(PVCS, NS, 'static-delete-claim');
    const released = await volumeIn(name, 'Released');
    assert.equal(specOf(released).claimRef.name, 'kept', 'the claimRef stays, so nobody else binds it');
    const failed = await volumeIn('static-delete', 'Failed');
    assert.match(String(statusOf(failed).message), /no deletable volume plugin matched/);
    // The Delete volume failed after the Retain one was released: both syncs are done.
    assert.equal(statusOf((await get(PVS, undefined, name))!).phase, 'Released');
    assert.ok(existsSync(join(root, name, 'data.txt')), 'the data is retained');

    await pvc('latecomer', { storageClassName: 'keep', resources: storage('16Mi') });
    const latecomer = await boundClaim('latecomer');
    assert.notEqual(specOf(latecomer).volumeName, name, 'a Released volume is not offered again');
  });

  it('WaitForFirstConsumer: the claim waits for a scheduled pod, then is provisioned on its node', async () => {
    await cluster.client.create(CLASSES, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'late' },
      provisioner: 'jetkube.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    await pvc('late-claim', { storageClassName: 'late', resources: storage('16Mi') });
    await eventually(async () => {
      const events = (await cluster.client.list('events', NS)).items;
      return events.some((e) => (e.involvedObject as Spec).name === 'late-claim' && e.reason === 'WaitForFirstConsumer') || undefined;
    }, 10_000, 'the WaitForFirstConsumer event');
    assert.equal(specOf((await get(PVCS, NS, 'late-claim'))!).volumeName, undefined);

    await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'consumer', namespace: NS },
      spec: { nodeName: 'node-7', containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'late-claim' } }] },
    });
    const claim = await boundClaim('late-claim');
    assert.equal(claim.metadata.annotations!['volume.kubernetes.io/selected-node'], 'node-7');
    const volume = (await get(PVS, undefined, specOf(claim).volumeName))!;
    assert.deepEqual(specOf(volume).nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, ['node-7']);
  });
});
