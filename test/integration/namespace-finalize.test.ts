import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

const spec = (o: KubeObject) => o.spec as { finalizers?: string[] };

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof StatusError, String(error));
    return error.code;
  }
  assert.fail('expected a StatusError');
}

describe('namespaces/finalize', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.dispose();
  });

  it('only the finalize subresource moves spec.finalizers; removing the last one removes a terminating namespace', async () => {
    const { client } = cluster;
    const ns = await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' } });
    assert.deepEqual(spec(ns).finalizers, ['kubernetes']);

    const plain = await client.update('namespaces', { ...ns, spec: { finalizers: [] } });
    assert.deepEqual(spec(plain).finalizers, ['kubernetes'], 'a plain update keeps spec.finalizers');

    await client.delete('namespaces', undefined, 'fin');
    const terminating = await client.get('namespaces', undefined, 'fin');
    assert.ok(terminating.metadata.deletionTimestamp);
    assert.equal((terminating.status as { phase?: string }).phase, 'Terminating');

    const extra = await client.update('namespaces', { ...terminating, spec: { finalizers: ['kubernetes', 'example.com/x'] } }, { subresource: 'finalize' });
    assert.deepEqual(spec(extra).finalizers, ['kubernetes', 'example.com/x']);
    const one = await client.update('namespaces', { ...extra, spec: { finalizers: ['example.com/x'] } }, { subresource: 'finalize' });
    assert.deepEqual(spec(one).finalizers, ['example.com/x']);
    assert.equal(await statusOf(client.update('namespaces', { ...extra, spec: { finalizers: [] } }, { subresource: 'finalize' })), 409, 'pinned to its resourceVersion');

    await client.update('namespaces', { ...one, spec: { finalizers: [] } }, { subresource: 'finalize' });
    assert.equal(await statusOf(client.get('namespaces', undefined, 'fin')), 404);
  });

  it('takes update only, and only on namespaces', async () => {
    const { client } = cluster;
    const patch = client.send({ verb: 'patch', resource: 'namespaces', name: 'default', subresource: 'finalize', body: {}, patchType: 'merge' });
    assert.equal(await statusOf(patch), 405);
    const pod = client.send({ verb: 'update', resource: 'pods', namespace: 'default', name: 'x', subresource: 'finalize', body: {} });
    assert.equal(await statusOf(pod), 404);
  });
});
