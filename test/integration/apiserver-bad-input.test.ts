/**
 * Bad input never crashes the API server and never reaches the log: each gets a Status
 * with the right code and reason, the log's revision does not move, and the server keeps
 * answering.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { decode } from '@msgpack/msgpack';
import { StatusError } from '../../src/api/errors.ts';
import type { ApiReply } from '../../src/apiserver/request.ts';
import { apiSubject } from '../../streams/api-transport.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
let revisionBefore: string;

before(async () => {
  cluster = await startTestCluster();
  revisionBefore = (await cluster.client.list('namespaces')).metadata.resourceVersion;
});
after(async () => {
  await cluster.dispose();
});

it('wrote nothing for any of the bad requests above', async () => {
  const revisionAfter = (await cluster.client.list('namespaces')).metadata.resourceVersion;
  assert.equal(revisionAfter, revisionBefore);
});

async function statusOf(promise: Promise<unknown>): Promise<StatusError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StatusError) return error;
    throw error;
  }
  assert.fail('expected the request to fail');
}

it('answers 400 to a body that is not msgpack', async () => {
  const msg = await cluster.client.nc.request(apiSubject('create', 'configmaps'), new Uint8Array([0xc1, 0xff, 0x00]), { timeout: 5000 });
  const reply = decode(msg.data) as ApiReply;
  assert.equal(reply.ok, false);
  if (!reply.ok) {
    assert.equal(reply.status.code, 400);
    assert.equal(reply.status.reason, 'BadRequest');
    assert.match(reply.status.message ?? '', /msgpack/);
  }
});

it('answers 400 to a body that is msgpack but not a map', async () => {
  const msg = await cluster.client.nc.request(apiSubject('create', 'configmaps'), new Uint8Array([0x93, 1, 2, 3]), { timeout: 5000 });
  const reply = decode(msg.data) as ApiReply;
  assert.equal(reply.ok, false);
  if (!reply.ok) assert.equal(reply.status.code, 400);
});

it('answers 404 to an unknown resource', async () => {
  const error = await statusOf(cluster.client.send({ verb: 'get', resource: 'widgets', namespace: 'default', name: 'w' }));
  assert.equal(error.code, 404);
  assert.equal(error.reason, 'NotFound');
  assert.match(error.message, /the server could not find the requested resource/);
});

it('answers 422 to an invalid name, naming the field', async () => {
  const error = await statusOf(
    cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: 'default' } }),
  );
  assert.equal(error.code, 422);
  assert.equal(error.reason, 'Invalid');
  assert.match(error.message, /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
  assert.equal(error.details?.causes?.[0]?.field, 'metadata.name');
});

it('answers 422 when required fields are missing', async () => {
  const error = await statusOf(
    cluster.client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty', namespace: 'default' }, spec: { containers: [] } }),
  );
  assert.equal(error.code, 422);
  assert.match(error.message, /spec.containers: Required value/);
});

it('answers 400 to a body of another kind than the resource', async () => {
  const error = await statusOf(
    cluster.client.send({ verb: 'create', resource: 'configmaps', namespace: 'default', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } } }),
  );
  assert.equal(error.code, 400);
  assert.match(error.message, /the kind in the data \(Secret\) does not match the expected kind \(ConfigMap\)/);
});

it('answers 400 to a namespace in the body that differs from the request', async () => {
  const error = await statusOf(
    cluster.client.send({ verb: 'create', resource: 'configmaps', namespace: 'default', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } } }),
  );
  assert.equal(error.code, 400);
  assert.match(error.message, /does not match the namespace/);
});

it('answers 413 to an object over 1.5 MiB', async () => {
  const big = 'x'.repeat(2 * 1024 * 1024);
  const error = await statusOf(
    cluster.client.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'big', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'big' } },
        template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'BIG', value: big }] }] } },
      },
    }),
  );
  assert.equal(error.code, 413);
  assert.equal(error.reason, 'RequestEntityTooLarge');
});

it('answers 422 to a ConfigMap over its own 1 MiB limit, as Kubernetes', async () => {
  const error = await statusOf(
    cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'default' }, data: { big: 'x'.repeat(1024 * 1024 + 1) } }),
  );
  assert.equal(error.code, 422);
  assert.match(error.message, /must have at most 1048576 bytes/);
});

it('answers 400 to unknown fields under fieldValidation=Strict', async () => {
  const error = await statusOf(
    cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict', namespace: 'default' }, dataa: { a: '1' } }, { fieldValidation: 'Strict' }),
  );
  assert.equal(error.code, 400);
  assert.match(error.message, /strict decoding error: unknown field "dataa"/);
});

it('answers 400 to a malformed label selector', async () => {
  const error = await statusOf(cluster.client.list('configmaps', 'default', { labelSelector: 'a in (b' }));
  assert.equal(error.code, 400);
});

it('answers 400 to a field selector on an unsupported field', async () => {
  const error = await statusOf(cluster.client.list('configmaps', 'default', { fieldSelector: 'spec.nothing=1' }));
  assert.equal(error.code, 400);
  assert.match(error.message, /field label not supported: spec.nothing/);
});

it('answers 400 to a malformed JSON patch', async () => {
  await assert.rejects(cluster.client.patch('namespaces', undefined, 'default', [{ op: 'frobnicate', path: '/x' }], 'json'), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.ok(e.code === 400 || e.code === 422, `code ${e.code}`);
    return true;
  });
});

it('keeps serving after all of that', async () => {
  const ns = await cluster.client.get('namespaces', undefined, 'default');
  assert.equal(ns.metadata.name, 'default');
});
