import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const gone = async (p: Promise<unknown>) => {
  try {
    await p;
    return undefined;
  } catch (error) {
    if (error instanceof StatusError && error.code === 404) return true;
    throw error;
  }
};
const conditions = (ns: KubeObject) => ((ns.status as { conditions?: { type: string; status: string }[] }).conditions ?? []);

describe('namespace controller against a real cluster', () => {
  let cluster: TestCluster;
  let manager: Actor<typeof controllerManagerMachine>;

  before(async () => {
    cluster = await startTestCluster();
    manager = createActor(controllerManagerMachine, { input: { natsUrl: cluster.nats.url } });
    manager.start();
    await waitFor(manager, (s) => s.matches('running'), { timeout: 30_000 });
    await waitFor(manager.system.get('namespace')!, (s) => s.matches('running'), { timeout: 30_000 });
  });

  after(async () => {
    manager.send({ type: 'stop' });
    await waitFor(manager, (s) => s.status === 'done', { timeout: 30_000 });
    await cluster.dispose();
  });

  it('deletes the content of a deleted namespace, waits for finalizers, then removes the namespace', async () => {
    const { client } = cluster;
    await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'doomed' }, data: { a: '1' } });
    await client.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace: 'doomed', finalizers: ['example.com/hold'] },
    });
    await client.create('replicasets.apps', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'doomed' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await eventually(async () => ((await client.list('pods', 'doomed')).items.length === 2 ? true : undefined), 15_000, 'two pods');

    await client.delete('namespaces', undefined, 'doomed');
    const waiting = await eventually(async () => {
      const ns = await client.get('namespaces', undefined, 'doomed');
      return conditions(ns).some((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True') ? ns : undefined;
    }, 15_000, 'NamespaceFinalizersRemaining');
    assert.equal((waiting.status as { phase: string }).phase, 'Terminating');
    for (const resource of ['pods', 'replicasets.apps']) assert.equal((await client.list(resource, 'doomed')).items.length, 0, resource);
    assert.deepEqual((await client.list('configmaps', 'doomed')).items.map((c) => c.metadata.name), ['held']);

    await client.patch('configmaps', 'doomed', 'held', { metadata: { finalizers: null } });
    await eventually(() => gone(client.get('namespaces', undefined, 'doomed')), 15_000, 'the namespace removed');
  });

  it('leaves active namespaces alone', async () => {
    const { client } = cluster;
    await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stay', namespace: 'default' } });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await client.get('configmaps', 'default', 'stay'));
  });
});
