import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/object.ts';
import { mountsFor, prepareVolumes, VolumeSetupError, type VolumeSources } from '../../src/runtime/volumes.ts';
import { ContainerStartError } from '../../src/runtime/runtime.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jetkube-volumes-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let podCount = 0;
function podWith(volumes: unknown[], containers: unknown[] = [{ name: 'app', resources: { limits: { memory: '64Mi' } } }]): { pod: KubeObject; podDir: string } {
  podCount++;
  return {
    podDir: join(dir, `pod-${podCount}`),
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'shop', uid: `uid-${podCount}`, labels: { app: 'web' }, annotations: { team: 'blue' } },
      spec: { nodeName: 'node-a', containers, volumes },
      status: { podIP: '127.1.0.7' },
    },
  };
}

const settings: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { 'app.conf': 'listen 80\n', color: 'blue' }, binaryData: { logo: Buffer.from([1, 2, 3]).toString('base64') } };
const creds: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'shop' }, data: { password: Buffer.from('s3cr3t').toString('base64') } };
const sources = (): VolumeSources => ({ configMaps: new Map([['settings', settings]]), secrets: new Map([['creds', creds]]) });

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const visible = async (volumeDir: string) => (await readdir(volumeDir)).filter((name) => !name.startsWith('..')).sort();

describe('prepareVolumes', () => {
  it('makes an emptyDir that survives a second preparation', async () => {
    const { pod, podDir } = podWith([{ name: 'scratch', emptyDir: {} }, { name: 'ram', emptyDir: { medium: 'Memory' } }]);
    const paths = await prepareVolumes(pod, podDir, sources());
    assert.equal(paths.get('scratch'), join(podDir, 'volumes', 'kubernetes.io~empty-dir', 'scratch'));
    assert.ok((await stat(paths.get('ram')!)).isDirectory());
    await writeFile(join(paths.get('scratch')!, 'kept'), 'data');
    await prepareVolumes(pod, podDir, sources());
    assert.equal(await readFile(join(paths.get('scratch')!, 'kept'), 'utf8'), 'data');
  });

  it('writes one file per ConfigMap key, with the default mode', async () => {
    const { pod, podDir } = podWith([{ name: 'config', configMap: { name: 'settings' } }]);
    const volume = (await prepareVolumes(pod, podDir, sources())).get('config')!;
    assert.equal(volume, join(podDir, 'volumes', 'kubernetes.io~configmap', 'config'));
    assert.deepEqual(await visible(volume), ['app.conf', 'color', 'logo']);
    assert.equal(await readFile(join(volume, 'app.conf'), 'utf8'), 'listen 80\n');
    assert.deepEqual([...(await readFile(join(volume, 'logo')))], [1, 2, 3]);
    assert.equal(await mode(join(volume, 'color')), 0o644);
    assert.ok((await lstat(join(volume, 'color'))).isSymbolicLink(), 'keys go through ..data, as kubelet lays them out');
  });

  it('remaps items to paths with their own modes, and fails on a missing key unless optional', async () => {
    const { pod, podDir } = podWith([
      { name: 'config', configMap: { name: 'settings', defaultMode: 0o600, items: [{ key: 'app.conf', path: 'conf/nginx.conf' }, { key: 'color', path: 'color.txt', mode: 0o400 }] } },
    ]);
    const volume = (await prepareVolumes(pod, podDir, sources())).get('config')!;
    assert.deepEqual(await visible(volume), ['color.txt', 'conf']);
    assert.equal(await readFile(join(volume, 'conf', 'nginx.conf'), 'utf8'), 'listen 80\n');
    assert.equal(await mode(join(volume, 'conf', 'nginx.conf')), 0o600);
    assert.equal(await mode(join(volume, 'color.txt')), 0o400);

    const missing = podWith([{ name: 'config', configMap: { name: 'settings', items: [{ key: 'nope', path: 'x' }] } }]);
    await assert.rejects(prepareVolumes(missing.pod, missing.podDir, sources()), (error: unknown) => {
      assert.ok(error instanceof VolumeSetupError);
      assert.equal(error.message, 'MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: nope');
      return true;
    });
    const optional = podWith([{ name: 'config', configMap: { name: 'settings', optional: true, items: [{ key: 'nope', path: 'x' }, { key: 'color', path: 'c' }] } }]);
    const optionalVolume = (await prepareVolumes(optional.pod, optional.podDir, sources())).get('config')!;
    assert.deepEqual(await visible(optionalVolume), ['c']);
  });

  it('fails on a missing ConfigMap or Secret unless optional, which leaves the volume empty', async () => {
    const absent = podWith([{ name: 'config', configMap: { name: 'absent' } }]);
    await assert.rejects(prepareVolumes(absent.pod, absent.podDir, sources()), /^VolumeSetupError: MountVolume.SetUp failed for volume "config" : configmap "absent" not found$/);
    const absentSecret = podWith([{ name: 'tls', secret: { secretName: 'absent' } }]);
    await assert.rejects(prepareVolumes(absentSecret.pod, absentSecret.podDir, sources()), /volume "tls" : secret "absent" not found/);
    const optional = podWith([{ name: 'config', configMap: { name: 'absent', optional: true } }]);
    const volume = (await prepareVolumes(optional.pod, optional.podDir, sources())).get('config')!;
    assert.deepEqual(await visible(volume), []);
  });

  it('decodes Secret data into files', async () => {
    const { pod, podDir } = podWith([{ name: 'creds', secret: { secretName: 'creds', defaultMode: 0o400 } }]);
    const volume = (await prepareVolumes(pod, podDir, sources())).get('creds')!;
    assert.equal(volume, join(podDir, 'volumes', 'kubernetes.io~secret', 'creds'));
    assert.equal(await readFile(join(volume, 'password'), 'utf8'), 's3cr3t');
    assert.equal(await mode(join(volume, 'password')), 0o400);
  });

  it('updates API data in place when the object changes, switching ..data at once', async () => {
    const { pod, podDir } = podWith([{ name: 'config', configMap: { name: 'settings' } }]);
    const volume = (await prepareVolumes(pod, podDir, sources())).get('config')!;
    const first = await readlink(join(volume, '..data'));
    await prepareVolumes(pod, podDir, sources());
    assert.equal(await readlink(join(volume, '..data')), first, 'the same payload writes nothing');

    const changed = { ...sources(), configMaps: new Map([['settings', { ...settings, data: { color: 'red' }, binaryData: {} }]]) };
    await prepareVolumes(pod, podDir, changed);
    const second = await readlink(join(volume, '..data'));
    assert.notEqual(second, first);
    assert.equal(existsSync(join(volume, first)), false, 'the old version is removed');
    assert.deepEqual(await visible(volume), ['color']);
    assert.equal(await readFile(join(volume, 'color'), 'utf8'), 'red');
  });

  it('writes downward API files from pod fields and container resources', async () => {
    const { pod, podDir } = podWith([
      {
        name: 'info',
        downwardAPI: {
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'team', fieldRef: { fieldPath: "metadata.annotations['team']" } },
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
          ],
        },
      },
    ]);
    const volume = (await prepareVolumes(pod, podDir, sources())).get('info')!;
    assert.equal(volume, join(podDir, 'volumes', 'kubernetes.io~downward-api', 'info'));
    assert.equal(await readFile(join(volume, 'labels'), 'utf8'), 'app="web"');
    assert.equal(await readFile(join(volume, 'team'), 'utf8'), 'blue');
    assert.equal(await readFile(join(volume, 'name'), 'utf8'), 'web');
    assert.equal(await readFile(join(volume, 'mem'), 'utf8'), '64');
  });

  it('projects ConfigMap, Secret, downward API and token sources into one directory', async () => {
    const { pod, podDir } = podWith([
      {
        name: 'all',
        projected: {
          defaultMode: 0o440,
          sources: [
            { configMap: { name: 'settings', items: [{ key: 'color', path: 'color' }] } },
            { secret: { name: 'creds' } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            { serviceAccountToken: { path: 'token', expirationSeconds: 600 } },
            { configMap: { name: 'absent', optional: true } },
          ],
        },
      },
    ]);
    const requests: unknown[] = [];
    const withToken: VolumeSources = {
      ...sources(),
      serviceAccountToken: async (request) => {
        requests.push(request);
        return 'token-value';
      },
    };
    const volume = (await prepareVolumes(pod, podDir, withToken)).get('all')!;
    assert.equal(volume, join(podDir, 'volumes', 'kubernetes.io~projected', 'all'));
    assert.deepEqual(await visible(volume), ['color', 'namespace', 'password', 'token']);
    assert.equal(await readFile(join(volume, 'namespace'), 'utf8'), 'shop');
    assert.equal(await readFile(join(volume, 'token'), 'utf8'), 'token-value');
    assert.equal(await mode(join(volume, 'password')), 0o440);
    assert.deepEqual(requests, [{ expirationSeconds: 600 }]);
  });

  it('uses a hostPath as it is, creating it for DirectoryOrCreate and FileOrCreate and checking the other types', async () => {
    const made = join(dir, 'host', 'made');
    const file = join(dir, 'host', 'sub', 'file.log');
    const { pod, podDir } = podWith([
      { name: 'd', hostPath: { path: made, type: 'DirectoryOrCreate' } },
      { name: 'f', hostPath: { path: file, type: 'FileOrCreate' } },
      { name: 'plain', hostPath: { path: join(dir, 'host') } },
    ]);
    const paths = await prepareVolumes(pod, podDir, sources());
    assert.equal(paths.get('d'), made);
    assert.ok((await stat(made)).isDirectory());
    assert.ok((await stat(file)).isFile());
    assert.equal(paths.get('plain'), join(dir, 'host'));

    const wrong = podWith([{ name: 'd', hostPath: { path: file, type: 'Directory' } }]);
    await assert.rejects(prepareVolumes(wrong.pod, wrong.podDir, sources()), new RegExp(`volume "d" : hostPath type check failed: ${file} is not a directory`));
    const gone = podWith([{ name: 'f', hostPath: { path: join(dir, 'nope'), type: 'File' } }]);
    await assert.rejects(prepareVolumes(gone.pod, gone.podDir, sources()), /is not a file/);
  });

  it('refuses volume types it cannot provide', async () => {
    const { pod, podDir } = podWith([{ name: 'data', nfs: { server: 'nfs.local', path: '/exports' } }]);
    await assert.rejects(prepareVolumes(pod, podDir, sources()), /volume "data" : volume type nfs is not supported/);
  });
});

describe('mountsFor', () => {
  const paths = new Map([
    ['config', '/nonexistent/jetkube/v/kubernetes.io~configmap/config'],
    ['scratch', '/nonexistent/jetkube/v/kubernetes.io~empty-dir/scratch'],
  ]);

  it('maps volumeMounts to host paths, marks API data read-only and resolves subPath and subPathExpr', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'jetkube-mounts-'));
    const volumePaths = new Map([...paths, ['scratch', join(scratch, 'kubernetes.io~empty-dir', 'scratch')]]);
    try {
      const mounts = mountsFor(
        {
          name: 'app',
          volumeMounts: [
            { name: 'config', mountPath: '/etc/config' },
            { name: 'scratch', mountPath: '/data' },
            { name: 'scratch', mountPath: '/cache', subPath: 'cache', readOnly: true },
            { name: 'scratch', mountPath: '/logs', subPathExpr: 'logs/$(POD_NAME)' },
          ],
        },
        volumePaths,
        [{ name: 'POD_NAME', value: 'web-1' }],
      );
      const scratchDir = volumePaths.get('scratch')!;
      assert.deepEqual(mounts, [
        { hostPath: paths.get('config'), containerPath: '/etc/config', readOnly: true },
        { hostPath: scratchDir, containerPath: '/data', readOnly: false },
        { hostPath: join(scratchDir, 'cache'), containerPath: '/cache', readOnly: true },
        { hostPath: join(scratchDir, 'logs', 'web-1'), containerPath: '/logs', readOnly: false },
      ]);
      assert.ok((await stat(join(scratchDir, 'logs', 'web-1'))).isDirectory(), 'a missing subPath is created');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('fails for a volume the pod does not have and for a subPath that climbs out', () => {
    assert.throws(
      () => mountsFor({ name: 'app', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, paths),
      (error: unknown) => error instanceof ContainerStartError && error.message === 'cannot find volume "nope" to mount into container "app"',
    );
    assert.throws(() => mountsFor({ name: 'app', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: '../../etc' }] }, paths), ContainerStartError);
  });
});
