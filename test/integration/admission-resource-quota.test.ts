import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { newResourceQuotaController } from '../../src/controllers/resourcequota/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const pod = (name: string, cpu?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'busybox', ...(cpu ? { resources: { requests: { cpu }, limits: { cpu } } } : {}) }] },
});
const quota = (name: string, hard: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard } });

async function refusal(attempt: Promise<unknown>): Promise<StatusError> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StatusError, `expected a Status error, got ${String(error)}`);
  return error;
}

describe('ResourceQuota and LimitRanger through the API, with the quota controller', () => {
  let cluster: TestCluster;
  let factory: SharedInformerFactory;
  let actor: Actor<typeof controllerMachine>;
  const used = async (ns: string, name: string) => ((await cluster.client.get('resourcequotas', ns, name)).status as { used?: Record<string, string> } | undefined)?.used;

  before(async () => {
    cluster = await startTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    actor = createActor(controllerMachine, { input: { controller: newResourceQuotaController(cluster.client, factory) } });
    actor.start();
    await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
    for (const name of ['quota-a', 'quota-b', 'limits'])
      await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  });

  after(async () => {
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await cluster.dispose();
  });

  it('pods=2: the controller initialises the status, two creates are charged, the third is a 403 in Kubernetes words', async () => {
    await cluster.client.create('resourcequotas', { ...quota('q', { pods: '2', 'requests.cpu': '1' }), metadata: { name: 'q', namespace: 'quota-a' } });
    assert.deepEqual(await eventually(() => used('quota-a', 'q'), 10_000, 'status.used'), { pods: '0', 'requests.cpu': '0' });
    for (const name of ['one', 'two']) await cluster.client.create('pods', { ...pod(name, '250m'), metadata: { name, namespace: 'quota-a' } });
    assert.deepEqual(await used('quota-a', 'q'), { pods: '2', 'requests.cpu': '500m' }, 'charged before each pod was written');
    const error = await refusal(cluster.client.create('pods', { ...pod('three', '250m'), metadata: { name: 'three', namespace: 'quota-a' } }));
    assert.equal(error.code, 403);
    assert.equal(error.message, 'pods "three" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    await assert.rejects(cluster.client.get('pods', 'quota-a', 'three'), (e: unknown) => e instanceof StatusError && e.code === 404);
  });

  it('a dry run is checked but charges nothing', async () => {
    const error = await refusal(cluster.client.create('pods', { ...pod('dry', '250m'), metadata: { name: 'dry', namespace: 'quota-a' } }, { dryRun: true }));
    assert.equal(error.code, 403);
    assert.deepEqual(await used('quota-a', 'q'), { pods: '2', 'requests.cpu': '500m' });
  });

  it('the controller releases what a deleted pod held, and the freed room can be used', async () => {
    await cluster.client.delete('pods', 'quota-a', 'one', { gracePeriodSeconds: 0 });
    await eventually(async () => (await used('quota-a', 'q'))?.pods === '1' || undefined, 10_000, 'usage released');
    assert.deepEqual(await used('quota-a', 'q'), { pods: '1', 'requests.cpu': '250m' });
    await cluster.client.create('pods', { ...pod('four', '250m'), metadata: { name: 'four', namespace: 'quota-a' } });
    assert.equal((await used('quota-a', 'q'))?.pods, '2');
  });

  it('counts other kinds: configmaps and count/<resource>', async () => {
    await cluster.client.create('resourcequotas', { ...quota('objects', { configmaps: '1', 'count/secrets': '1' }), metadata: { name: 'objects', namespace: 'quota-b' } });
    await eventually(() => used('quota-b', 'objects'), 10_000, 'status.used');
    await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'quota-b' } });
    const error = await refusal(cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'quota-b' } }));
    assert.equal(error.message, 'configmaps "b" is forbidden: exceeded quota: objects, requested: configmaps=1, used: configmaps=1, limited: configmaps=1');
    await cluster.client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'quota-b' } });
    assert.equal((await refusal(cluster.client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 't', namespace: 'quota-b' } }))).code, 403);
  });

  it('LimitRanger: defaults and annotates a pod, refuses one outside the bounds', async () => {
    await cluster.client.create('limitranges', {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'bounds', namespace: 'limits' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, min: { cpu: '100m' }, max: { memory: '1Gi' } }] },
    });
    const created = await cluster.client.create('pods', { ...pod('plain'), metadata: { name: 'plain', namespace: 'limits' } });
    const app = (created.spec as { containers: { resources?: unknown }[] }).containers[0]!;
    assert.deepEqual(app.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    assert.equal(created.metadata.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');
    const error = await refusal(
      cluster.client.create('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'greedy', namespace: 'limits' },
        spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '1', memory: '2Gi' } } }] },
      }),
    );
    assert.equal(error.code, 403);
    assert.equal(error.message, 'pods "greedy" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi]');
  });
});
