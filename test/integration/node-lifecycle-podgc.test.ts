import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { newPodGcController } from '../../src/controllers/podgc/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const QUARANTINE_MS = 500;

describe('pod garbage collector against a real cluster', () => {
  let cluster: TestCluster;
  let factory: SharedInformerFactory;
  let actor: Actor<typeof controllerMachine>;

  before(async () => {
    cluster = await startTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    const controller = newPodGcController(cluster.client, factory, { quarantineMs: QUARANTINE_MS, checkPeriodMs: 200, terminatedPodThreshold: 1 });
    actor = createActor(controllerMachine, { input: { controller } });
    actor.start();
    await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  });

  after(async () => {
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await cluster.dispose();
  });

  const client = () => cluster.client;
  const createPod = async (name: string, nodeName: string | undefined, phase: string): Promise<KubeObject> => {
    const pod = await client().create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
    });
    return client().update('pods', { ...pod, status: { phase } }, { subresource: 'status' });
  };
  const gone = (name: string) =>
    client()
      .get('pods', 'default', name)
      .then(
        () => false,
        (e: unknown) => e instanceof StatusError && e.code === 404,
      );

  it('force-deletes the pods of a deleted node once its quarantine has passed, and leaves those of live nodes', async () => {
    await client().create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'doomed' }, spec: {} });
    await client().create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'alive' }, spec: {} });
    await createPod('orphan', 'doomed', 'Running');
    await createPod('kept', 'alive', 'Running');
    await client().delete('nodes', undefined, 'doomed');
    const deletedAt = Date.now();
    await eventually(() => gone('orphan'), 10_000, 'the orphan pod removed');
    const tookMs = Date.now() - deletedAt;
    assert.ok(tookMs >= QUARANTINE_MS - 50, `not before the quarantine (${tookMs} ms)`);
    assert.equal(await gone('kept'), false);
  });

  it('keeps at most terminatedPodGCThreshold terminated pods, deleting the oldest', async () => {
    await createPod('done-1', 'alive', 'Succeeded');
    await new Promise((r) => setTimeout(r, 1_100)); // creationTimestamp has second precision
    await createPod('done-2', 'alive', 'Failed');
    await eventually(() => gone('done-1'), 10_000, 'the older terminated pod removed');
    assert.equal(await gone('done-2'), false, 'the newest terminated pod is kept');
    assert.equal(await gone('kept'), false, 'running pods are not counted');
  });
});
