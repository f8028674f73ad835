import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

describe('controller manager machine against a real cluster', () => {
  let cluster: TestCluster;
  let manager: Actor<typeof controllerManagerMachine>;

  before(async () => {
    cluster = await startTestCluster();
    // The default: the garbage collector watches every collectable resource of the registry.
    manager = createActor(controllerManagerMachine, { input: { natsUrl: cluster.nats.url } });
    manager.start();
  });

  after(async () => {
    await cluster.dispose();
  });

  it('syncs every controller, converges a ReplicaSet, collects its pods, and drains on stop', async () => {
    await waitFor(manager, (s) => s.matches('running'), { timeout: 30_000 });
    for (const id of ['replicaset', 'garbage-collector']) {
      await waitFor(manager.system.get(id)!, (s) => s.matches('running'), { timeout: 30_000 });
    }
    const rs = await cluster.client.create('replicasets.apps', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'cm', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'cm' } }, template: { metadata: { labels: { app: 'cm' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const pods = () => cluster.client.list('pods', 'default', { labelSelector: 'app=cm' }).then((l) => l.items);
    await eventually(async () => ((await pods()).length === 2 ? true : undefined), 15_000, 'two pods');
    assert.ok((await pods()).every((p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid));
    await cluster.client.delete('replicasets.apps', 'default', 'cm');
    await eventually(async () => ((await pods()).length === 0 ? true : undefined), 15_000, 'the pods collected');

    manager.send({ type: 'stop' });
    await waitFor(manager, (s) => s.status === 'done', { timeout: 30_000 });
  });
});
