/**
 * Writes through the NATS face are recorded under the client's field manager (what the
 * user agent gives over HTTP: kube-controller-manager, kubelet, ...), unless a request
 * names its own.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ApiClient } from '../../src/client/api-client.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
let controller: ApiClient;
before(async () => {
  cluster = await startTestCluster();
  controller = await ApiClient.connect(cluster.nats.url, 'test-controller', { fieldManager: 'kube-controller-manager' });
});
after(async () => {
  await controller.close();
  await cluster.dispose();
});

const managers = (o: { metadata: { managedFields?: unknown[] } }) => (o.metadata.managedFields as Array<{ manager: string; operation: string }>).map((m) => `${m.manager}/${m.operation}`);

it('records a client\'s writes under its field manager, and a request\'s own name over it', async () => {
  const created = await controller.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned', namespace: 'default' }, data: { a: '1' } });
  assert.deepEqual(managers(created), ['kube-controller-manager/Update']);
  const patched = await controller.patch('configmaps', 'default', 'owned', { data: { b: '2' } }, 'merge', { fieldManager: 'someone-else' });
  assert.deepEqual(managers(patched).sort(), ['kube-controller-manager/Update', 'someone-else/Update']);
  const plain = await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'default' }, data: { c: '3' } });
  assert.deepEqual(managers(plain), ['unknown/Update']);
});
