// The Endpoints and EndpointSlice controllers against a real API server: a pod's
// readiness change reaches both within a second (measured), named target ports resolve
// per pod, and the Service's deletion removes its Endpoints.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { newEndpointsController } from '../../src/controllers/endpoints/controller.ts';
import { newEndpointSliceController, ENDPOINT_SLICES } from '../../src/controllers/endpointslice/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';

describe('Endpoints and EndpointSlice controllers', { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  let factory: SharedInformerFactory;
  let actors: Actor<typeof controllerMachine>[];

  before(async () => {
    cluster = await startTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    actors = [newEndpointsController(cluster.client, factory), newEndpointSliceController(cluster.client, factory)].map((controller) => createActor(controllerMachine, { input: { controller } }));
    for (const actor of actors) actor.start();
    for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  });
  after(async () => {
    for (const actor of actors) actor.send({ type: 'stop' });
    for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await cluster.dispose();
  });

  const createPod = async (name: string, ip: string, port: number) => {
    const pod = await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS, labels: { app: 'api' } },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: port }] }] },
    });
    return setReady(pod, ip, false);
  };
  const setReady = (pod: KubeObject, ip: string, ready: boolean) =>
    cluster.client.update('pods', { ...pod, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }, { subresource: 'status' });
  const endpoints = () => cluster.client.get('endpoints', NS, 'api').catch(() => undefined);
  const readyIn = (ep: KubeObject | undefined) => ((ep?.subsets as Array<{ addresses?: Array<{ ip: string }> }> | undefined) ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  const slices = async () => (await cluster.client.list(ENDPOINT_SLICES, NS, { labelSelector: 'kubernetes.io/service-name=api' })).items;

  it('lists unready pods as notReadyAddresses, resolving the named port per pod', async () => {
    await cluster.client.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: NS }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 'http' }] } });
    await createPod('api-1', '127.130.0.2', 8080);
    await createPod('api-2', '127.130.0.3', 9090);
    const ep = await eventually(async () => {
      const e = await endpoints();
      return (e?.subsets as unknown[] | undefined)?.length === 2 ? e : undefined;
    }, 5_000, 'two subsets');
    const subsets = ep.subsets as Array<{ notReadyAddresses: Array<{ ip: string }>; ports: Array<{ port: number }> }>;
    assert.deepEqual(subsets.map((s) => [s.notReadyAddresses.map((a) => a.ip), s.ports[0]!.port]).sort(), [[['127.130.0.2'], 8080], [['127.130.0.3'], 9090]]);
    const [slice] = await eventually(async () => ((await slices()).length === 2 ? slices() : undefined), 5_000, 'one slice per port set');
    assert.equal(slice!.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  });

  it('a readiness change reaches the Endpoints and the EndpointSlice within a second', async () => {
    const pod = await cluster.client.get('pods', NS, 'api-1');
    const started = performance.now();
    await setReady(pod, '127.130.0.2', true);
    await eventually(async () => (readyIn(await endpoints()).includes('127.130.0.2') ? true : undefined), 1_000, 'the Endpoints');
    const endpointsMs = performance.now() - started;
    await eventually(async () => ((await slices()).some((s) => (s.endpoints as Array<{ addresses: string[]; conditions: { ready: boolean } }>).some((e) => e.addresses[0] === '127.130.0.2' && e.conditions.ready)) ? true : undefined), 1_000, 'the slice');
    const slicesMs = performance.now() - started;
    console.log(`readiness to Endpoints: ${endpointsMs.toFixed(0)} ms, to EndpointSlice: ${slicesMs.toFixed(0)} ms`);
    assert.ok(endpointsMs < 1_000 && slicesMs < 1_000);
  });

  it('deleting the Service deletes its Endpoints', async () => {
    await cluster.client.delete('services', NS, 'api');
    await eventually(async () => ((await endpoints()) === undefined ? true : undefined), 5_000, 'Endpoints gone');
  });
});
