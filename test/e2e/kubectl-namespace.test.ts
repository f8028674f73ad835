// The real kubectl deleting a namespace: the namespace controller (in a controller
// manager on the same cluster) empties it and removes the `kubernetes` finalizer, so
// `kubectl delete namespace` returns once it is gone; and PUT .../finalize by hand.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

describe('kubectl delete namespace', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  let manager: Actor<typeof controllerManagerMachine>;
  before(async () => {
    cluster = await startHttpTestCluster();
    manager = createActor(controllerManagerMachine, { input: { natsUrl: cluster.nats.url } });
    manager.start();
    await waitFor(manager, (s) => s.matches('running'), { timeout: 30_000 });
  });
  after(async () => {
    manager.send({ type: 'stop' });
    await waitFor(manager, (s) => s.status === 'done', { timeout: 30_000 });
    await cluster?.dispose();
  });

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout.trim();

  it('empties the namespace and returns once it is gone', async () => {
    assert.equal(await ok('create', 'namespace', 'team-a'), 'namespace/team-a created');
    await ok('create', 'configmap', 'settings', '-n', 'team-a', '--from-literal=k=v');
    assert.equal(await ok('delete', 'namespace', 'team-a', '--timeout=30s'), 'namespace "team-a" deleted');
    const get = await cluster.kubectl('get', 'namespace', 'team-a');
    assert.notEqual(get.code, 0);
    assert.match(get.stderr, /NotFound/);
    assert.equal((await cluster.client.list('configmaps', 'team-a')).items.length, 0);
  });

  it('refuses to delete the namespaces the cluster lives in (NamespaceLifecycle), writing nothing', async () => {
    const before = await cluster.client.get('namespaces', '', 'kube-system');
    for (const name of ['default', 'kube-system', 'kube-public']) {
      const deleted = await cluster.kubectl('delete', 'namespace', name);
      assert.notEqual(deleted.code, 0);
      assert.equal(deleted.stderr.trim(), `Error from server (Forbidden): namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    const after = await cluster.client.get('namespaces', '', 'kube-system');
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(after.metadata.deletionTimestamp, undefined);
  });

  it('PUT /api/v1/namespaces/{name}/finalize through kubectl replace --raw', async () => {
    // Stop the controllers first so the finalizer is ours to remove.
    manager.send({ type: 'stop' });
    await waitFor(manager, (s) => s.status === 'done', { timeout: 30_000 });
    await ok('create', 'namespace', 'by-hand');
    await ok('delete', 'namespace', 'by-hand', '--wait=false');
    const ns = JSON.parse(await ok('get', 'namespace', 'by-hand', '-o', 'json'));
    assert.equal(ns.status.phase, 'Terminating');
    const file = join(cluster.dataDir, 'finalize.json');
    await writeFile(file, JSON.stringify({ ...ns, spec: { finalizers: [] } }));
    const replaced = JSON.parse(await ok('replace', '--raw', '/api/v1/namespaces/by-hand/finalize', '-f', file));
    assert.equal(replaced.metadata.name, 'by-hand');
    const get = await cluster.kubectl('get', 'namespace', 'by-hand');
    assert.match(get.stderr, /NotFound/);
  });
});
