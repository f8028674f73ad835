// ClusterIP and NodePort allocation against real API servers over one NATS log: values
// filled in as Kubernetes does, each recorded as its own object, a requested value
// honoured or refused with Kubernetes' 422, races between two API servers won by
// exactly one, values given back on a type change, and the repair loop releasing the
// records of deleted Services.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { IP_ADDRESSES, NODE_PORT_ALLOCATIONS } from '../../src/apiserver/service-allocation.ts';
import { newServiceAllocationRepairController } from '../../src/apiserver/service-allocation-repair.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { ensureKubernetesService } from '../../src/net/kubernetes-service.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
type Spec = { type: string; clusterIP?: string; clusterIPs?: string[]; ipFamilies?: string[]; ipFamilyPolicy?: string; ports?: Array<{ nodePort?: number; port: number }> };
const specOf = (o: KubeObject) => o.spec as Spec;

export const serviceManifest = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

describe('Service allocation on two API servers', { timeout: 90_000 }, () => {
  let cluster: TestCluster;
  let second: ApiClient;
  let factory: SharedInformerFactory;
  let repair: Actor<typeof controllerMachine>;

  before(async () => {
    cluster = await startTestCluster();
    await cluster.startApiServer('apiserver-2');
    second = await ApiClient.connect(cluster.nats.url, 'second-client', { timeoutMs: 10_000 });
    factory = new SharedInformerFactory(cluster.client);
    repair = createActor(controllerMachine, { input: { controller: newServiceAllocationRepairController(cluster.client, factory, { graceMs: 500 }) } });
    repair.start();
    await waitFor(repair, (s) => s.matches('running'), { timeout: 30_000 });
  });
  after(async () => {
    repair.send({ type: 'stop' });
    await waitFor(repair, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await second.close();
    await cluster.dispose();
  });

  it('gives a ClusterIP Service an address of 127.96.0.0/16, recorded as an IPAddress naming it', async () => {
    const svc = await cluster.client.create('services', serviceManifest('plain'));
    const spec = specOf(svc);
    assert.match(spec.clusterIP!, /^127\.96\.\d+\.\d+$/);
    assert.deepEqual(spec.clusterIPs, [spec.clusterIP]);
    assert.deepEqual(spec.ipFamilies, ['IPv4']);
    assert.equal(spec.ipFamilyPolicy, 'SingleStack');
    const record = await cluster.client.get(IP_ADDRESSES, undefined, spec.clusterIP!);
    assert.deepEqual(record.spec, { parentRef: { group: '', resource: 'services', namespace: NS, name: 'plain' } });
  });

  it('headless Services get None and ExternalName ones nothing', async () => {
    const headless = await cluster.client.create('services', serviceManifest('headless', { clusterIP: 'None' }));
    assert.deepEqual([specOf(headless).clusterIP, specOf(headless).clusterIPs], ['None', ['None']]);
    const external = await cluster.client.create('services', { ...serviceManifest('ext', { type: 'ExternalName', externalName: 'db.example.com' }), spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    assert.equal(specOf(external).clusterIP, undefined);
  });

  it('two API servers racing for one requested clusterIP: exactly one wins, the other gets 422', async () => {
    for (let round = 0; round < 5; round++) {
      const ip = `127.96.0.${100 + round}`;
      const results = await Promise.allSettled([
        cluster.client.create('services', serviceManifest(`race-a-${round}`, { clusterIP: ip })),
        second.create('services', serviceManifest(`race-b-${round}`, { clusterIP: ip })),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1, `round ${round}: one winner`);
      assert.ok(lost[0]!.reason instanceof StatusError && lost[0]!.reason.code === 422);
      assert.match(lost[0]!.reason.message, new RegExp(`spec\\.clusterIPs: Invalid value: \\["${ip.replace(/\./g, '\\.')}"\\]: failed to allocate IP ${ip.replace(/\./g, '\\.')}: provided IP is already allocated`));
    }
  });

  it('a NodePort Service gets a port of 30000-32767; a taken one asked for is refused; out of range too', async () => {
    const svc = await cluster.client.create('services', serviceManifest('np', { type: 'NodePort' }));
    const nodePort = specOf(svc).ports![0]!.nodePort!;
    assert.ok(nodePort >= 30000 && nodePort <= 32767);
    await cluster.client.get(NODE_PORT_ALLOCATIONS, undefined, String(nodePort));
    await assert.rejects(cluster.client.create('services', serviceManifest('np2', { type: 'NodePort', ports: [{ port: 80, nodePort }] })), (e: StatusError) => e.code === 422 && /spec\.ports\[0\]\.nodePort: Invalid value: \d+: provided port is already allocated/.test(e.message));
    await assert.rejects(cluster.client.create('services', serviceManifest('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })), (e: StatusError) => e.code === 422 && /provided port is not in the valid range/.test(e.message));
    // The refused create left no record behind for its address.
    const ips = (await cluster.client.list(IP_ADDRESSES)).items.filter((r) => (r.spec as { parentRef: { name: string } }).parentRef.name.startsWith('np2'));
    assert.equal(ips.length, 0);
  });

  it('changing the type back to ClusterIP gives the nodePort back; a replace keeps the ClusterIP', async () => {
    const svc = await cluster.client.create('services', serviceManifest('flip', { type: 'NodePort' }));
    const nodePort = specOf(svc).ports![0]!.nodePort!;
    const flipped = await cluster.client.update('services', { ...svc, spec: { ...(svc.spec as object), type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } });
    assert.equal(specOf(flipped).ports![0]!.nodePort, undefined);
    assert.equal(specOf(flipped).clusterIP, specOf(svc).clusterIP);
    await eventually(() => cluster.client.get(NODE_PORT_ALLOCATIONS, undefined, String(nodePort)).then(() => undefined, () => true), 5_000, 'the nodePort released');
    const again = await cluster.client.update('services', { ...flipped, spec: { ...(flipped.spec as object), type: 'NodePort' } });
    assert.ok(specOf(again).ports![0]!.nodePort! >= 30000);
  });

  it('the repair loop allocates what a patch to NodePort left out, and re-records a value whose record was lost', async () => {
    const svc = await cluster.client.create('services', serviceManifest('patched'));
    await cluster.client.patch('services', NS, 'patched', { spec: { type: 'NodePort' } }, 'merge');
    const nodePort = await eventually(async () => specOf(await cluster.client.get('services', NS, 'patched')).ports![0]!.nodePort, 10_000, 'a nodePort filled in');
    assert.ok(nodePort >= 30000 && nodePort <= 32767);
    await cluster.client.get(NODE_PORT_ALLOCATIONS, undefined, String(nodePort));
    const ip = specOf(svc).clusterIP!;
    await cluster.client.delete(IP_ADDRESSES, undefined, ip);
    const again = await eventually(() => cluster.client.get(IP_ADDRESSES, undefined, ip).catch(() => undefined), 10_000, 'the IPAddress recorded again');
    assert.equal(again.metadata.labels!['jetkube.io/service-uid'], svc.metadata.uid);
  });

  it('a deleted Service\'s address and port are free again', async () => {
    const svc = await cluster.client.create('services', serviceManifest('gone', { type: 'NodePort', clusterIP: '127.96.0.200' }));
    const nodePort = specOf(svc).ports![0]!.nodePort!;
    await cluster.client.delete('services', NS, 'gone');
    await eventually(() => cluster.client.get(IP_ADDRESSES, undefined, '127.96.0.200').then(() => undefined, () => true), 10_000, 'the IPAddress released');
    await eventually(() => cluster.client.get(NODE_PORT_ALLOCATIONS, undefined, String(nodePort)).then(() => undefined, () => true), 10_000, 'the NodePortAllocation released');
    const reused = await cluster.client.create('services', serviceManifest('reuse', { type: 'NodePort', clusterIP: '127.96.0.200', ports: [{ port: 80, nodePort }] }));
    assert.equal(specOf(reused).clusterIP, '127.96.0.200');
  });

  it('the kubernetes Service sits at 127.96.0.1:443 with the API server\'s HTTPS address as its endpoints', async () => {
    await ensureKubernetesService(cluster.client, { address: '127.0.0.1', port: 6443 });
    await ensureKubernetesService(second, { address: '127.0.0.1', port: 6443 });
    const svc = await cluster.client.get('services', NS, 'kubernetes');
    assert.equal(specOf(svc).clusterIP, '127.96.0.1');
    await cluster.client.get(IP_ADDRESSES, undefined, '127.96.0.1');
    const ep = await cluster.client.get('endpoints', NS, 'kubernetes');
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
    const slice = await cluster.client.get('endpointslices.discovery.k8s.io', NS, 'kubernetes');
    assert.deepEqual(slice.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
  });
});
