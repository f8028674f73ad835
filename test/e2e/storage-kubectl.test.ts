// Storage with the real kubectl against a whole cluster (API server, controller manager
// with the binder and the local-path provisioner, scheduler, a process kubelet):
// examples/pvc.yaml's claim is provisioned and Bound, its busybox pod writes into the
// volume's directory, a new pod after a delete finds the data, `kubectl get pv,pvc`
// shows both Bound, and deleting the claim removes the volume and its directory;
// examples/pv.yaml binds statically and keeps its volume (Retain) once the claim goes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually } from '../support/cluster.ts';
import { kubectlOk } from '../support/http-cluster.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

const PVC_EXAMPLE = fileURLToPath(new URL('../../examples/pvc.yaml', import.meta.url));
const PV_EXAMPLE = fileURLToPath(new URL('../../examples/pv.yaml', import.meta.url));

describe('persistent volumes with kubectl on a real node', { timeout: 180_000 }, () => {
  let cluster: NodeTestCluster;
  before(async () => {
    cluster = await startNodeCluster();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;
  let volumeName = '';
  let volumeDir = '';
  const startsFile = () => `${volumeDir}/starts`;
  const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

  it('the default StorageClass standard exists', async () => {
    await ok('wait', '--for=condition=Ready', `node/${cluster.nodeName}`, '--timeout=60s');
    const out = await eventually(async () => {
      const { stdout } = await cluster.kubectl('get', 'storageclass', '--no-headers');
      return stdout.includes('standard') ? stdout : undefined;
    }, 20_000, 'the default class');
    assert.match(out, /^standard \(default\)\s+jetkube\.io\/local-path\s+Delete\s+Immediate\s+false\s+/m);
  });

  it('kubectl apply -f examples/pvc.yaml: the claim is Bound and the pod writes into the volume\'s directory', async () => {
    await ok('apply', '-f', PVC_EXAMPLE);
    await ok('wait', '--for=jsonpath={.status.phase}=Bound', 'pvc/data', '--timeout=60s');
    await ok('wait', '--for=condition=Ready', 'pod/writer', '--timeout=90s');
    const claim = await cluster.client.get('persistentvolumeclaims', 'default', 'data');
    volumeName = (claim.spec as { volumeName: string }).volumeName;
    assert.equal(volumeName, `pvc-${claim.metadata.uid}`);
    const volume = (await cluster.client.get('persistentvolumes', undefined, volumeName)) as KubeObject & { spec: { hostPath: { path: string } } };
    volumeDir = volume.spec.hostPath.path;
    assert.ok(volumeDir.endsWith(`/volumes/${volumeName}`), volumeDir);
    await eventually(() => (lines(startsFile()).length === 1 ? true : undefined), 15_000, 'the pod\'s line in the volume');
    assert.deepEqual(lines(startsFile()), ['writer started']);
  });

  it('kubectl get pv,pvc shows them Bound to each other', async () => {
    const out = await ok('get', 'pv,pvc');
    assert.match(out, new RegExp(`^persistentvolume/${volumeName}\\s+128Mi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+standard\\s`, 'm'));
    assert.match(out, new RegExp(`^persistentvolumeclaim/data\\s+Bound\\s+${volumeName}\\s+128Mi\\s+RWO\\s+standard\\s`, 'm'));
  });

  it('a new pod after the old one is deleted finds the data', async () => {
    await ok('delete', 'pod', 'writer', '--wait=true', '--timeout=60s');
    await ok('apply', '-f', PVC_EXAMPLE);
    await ok('wait', '--for=condition=Ready', 'pod/writer', '--timeout=90s');
    await eventually(() => (lines(startsFile()).length === 2 ? true : undefined), 15_000, 'the second start\'s line');
    assert.equal(await ok('exec', 'writer', '--', 'cat', 'data/starts'), 'writer started\nwriter started\n');
  });

  it('kubectl delete -f examples/pvc.yaml: reclaim Delete removes the volume and its directory', async () => {
    await ok('delete', '-f', PVC_EXAMPLE, '--wait=true', '--timeout=60s');
    await eventually(async () => ((await cluster.kubectl('get', 'pv', volumeName)).code !== 0 ? true : undefined), 30_000, `pv ${volumeName} deleted`);
    assert.equal(existsSync(volumeDir), false);
  });

  it('a pod whose claim does not exist yet waits with FailedMount, then starts once the claim is Bound', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'early', namespace: 'default' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo early > data/early; exec sleep 3600'], volumeMounts: [{ name: 'v', mountPath: '/data' }] }],
        volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'later' } }],
      },
    };
    await cluster.client.create('pods', pod);
    await eventually(async () => {
      const events = (await cluster.client.list('events', 'default')).items;
      return events.some((e) => (e.involvedObject as { name?: string }).name === 'early' && e.reason === 'FailedMount' && String(e.message).includes('persistentvolumeclaim "later" not found')) || undefined;
    }, 30_000, 'the FailedMount event');
    assert.match(await ok('get', 'pod', 'early', '--no-headers'), /ContainerCreating/);
    await cluster.client.create('persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'later', namespace: 'default' },
      spec: { storageClassName: 'standard', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Mi' } } },
    });
    await ok('wait', '--for=condition=Ready', 'pod/early', '--timeout=60s');
    assert.equal(await ok('exec', 'early', '--', 'cat', 'data/early'), 'early\n');
    await ok('delete', 'pod', 'early', '--wait=true', '--timeout=60s');
    await ok('delete', 'pvc', 'later', '--wait=true');
  });

  it('examples/pv.yaml binds statically; the volume is kept, Released, once its claim goes (Retain)', async () => {
    await ok('apply', '-f', PV_EXAMPLE);
    await ok('wait', '--for=jsonpath={.status.phase}=Bound', 'pvc/static-claim', '--timeout=60s');
    assert.match(await ok('get', 'pvc', 'static-claim', '--no-headers'), /^static-claim\s+Bound\s+static-pv\s+256Mi\s+RWO,ROX\s+<unset>/m);
    await ok('delete', 'pvc', 'static-claim', '--wait=true');
    await ok('wait', '--for=jsonpath={.status.phase}=Released', 'pv/static-pv', '--timeout=60s');
    assert.match(await ok('get', 'pv', 'static-pv', '--no-headers'), /^static-pv\s+256Mi\s+RWO,ROX\s+Retain\s+Released\s+default\/static-claim\s/m);
    await ok('delete', 'pv', 'static-pv');
  });
});
