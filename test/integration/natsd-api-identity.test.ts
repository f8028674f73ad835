/**
 * The NATS face on a secured nats-server: every request names its caller's NATS user in
 * its subject, the server lets each user publish only under its own name, and the API
 * server has RBAC judge the Kubernetes user that name maps to. A kubelet may run its pods
 * but not read Secrets in bulk or delete a namespace; it cannot pose as the admin, neither
 * by subject (nats-server refuses) nor by a user in the request body (ignored); the
 * scheduler binds; the audit trail names the real user.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encode, decode } from '@msgpack/msgpack';
import type { Actor } from 'xstate';
import type { apiServerMachine } from '../../actors/apiserver.machine.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { ApiReply } from '../../src/apiserver/request.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import type { NatsUser } from '../../src/natsd/users.ts';
import { readAuditEvents } from '../../streams/audit-stream.ts';
import { apiSubject } from '../../streams/api-transport.ts';
import { eventually, startApiServer, stopApiServer } from '../support/cluster.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const NS = 'identity';
let nats: TestNats;
let apiserver: Actor<typeof apiServerMachine>;
const clients = new Map<NatsUser, ApiClient>();
const as = (user: NatsUser) => clients.get(user)!;

const isCode = (code: number) => (error: unknown) => error instanceof StatusError && error.code === code;

before(async () => {
  nats = await startTestNats({ secured: true });
  process.env.JETKUBE_NATS_CREDENTIALS = nats.credentialsDir;
  apiserver = await startApiServer(nats.urlAs('apiserver'));
  for (const user of ['admin', 'kubelet', 'scheduler', 'kube-proxy'] as const) {
    clients.set(user, await ApiClient.connect(nats.urlAs(user), `identity-test-${user}`, { timeoutMs: 10_000 }));
  }
  // The API server creates the bootstrap RBAC policy as it starts serving: wait for its last binding.
  await eventually(() => as('admin').get('clusterrolebindings.rbac.authorization.k8s.io', undefined, 'system:jetkube-ingress').catch(() => undefined), 10_000, 'bootstrap policy');
  await as('admin').create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await as('admin').create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: NS }, stringData: { password: 'hunter2' } });
  await as('admin').create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: NS },
    spec: { containers: [{ name: 'main', image: 'nginx' }] },
  });
});

after(async () => {
  for (const client of clients.values()) await client.close();
  if (apiserver) await stopApiServer(apiserver);
  delete process.env.JETKUBE_NATS_CREDENTIALS;
  await nats?.dispose();
});

describe('the NATS face on a secured server', () => {
  it('lets the kubelet read pods and write their status', async () => {
    const kubelet = as('kubelet');
    assert.ok((await kubelet.list('pods')).items.some((p) => p.metadata.name === 'web'));
    const pod = await kubelet.get('pods', NS, 'web');
    const updated = await kubelet.update('pods', { ...pod, status: { ...(pod.status as object), phase: 'Pending', message: 'from the kubelet' } }, { subresource: 'status' });
    assert.equal((updated.status as { message?: string }).message, 'from the kubelet');
    assert.equal((await kubelet.get('secrets', NS, 'db')).metadata.name, 'db', 'a pod\'s Secret, by name');
  });

  it('refuses the kubelet Secrets in bulk and namespace deletes, with 403s', async () => {
    const kubelet = as('kubelet');
    await assert.rejects(kubelet.list('secrets'), isCode(403));
    await assert.rejects(kubelet.list('secrets', NS), isCode(403));
    await assert.rejects(kubelet.delete('namespaces', undefined, NS), isCode(403));
    await assert.rejects(
      kubelet.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: NS } }),
      (error: unknown) => isCode(403)(error) && /User "system:node:kubelet" cannot create resource "configmaps"/.test((error as Error).message),
    );
    assert.equal((await as('admin').get('namespaces', undefined, NS)).metadata.name, NS, 'still there');
  });

  it('refuses a kubelet that publishes under the admin\'s name, at the NATS server', async () => {
    const nc = as('kubelet').nc;
    await assert.rejects(
      nc.request(apiSubject('list', 'secrets', 'admin'), encode({}), { timeout: 5_000 }),
      (error: { code?: string }) => error.code === 'PERMISSIONS_VIOLATION',
    );
    await assert.rejects(nc.request(apiSubject('list', 'secrets'), encode({}), { timeout: 5_000 }), (error: { code?: string }) => error.code === 'PERMISSIONS_VIOLATION', 'nor as an open server\'s trusted caller');
  });

  it('ignores a user claimed in the request body', async () => {
    const nc = as('kubelet').nc;
    const claimed = { name: 'jetkube:admin', groups: ['system:masters', 'system:authenticated'] };
    const msg = await nc.request(apiSubject('list', 'secrets', 'kubelet'), encode({ user: claimed }), { timeout: 5_000 });
    const reply = decode(msg.data) as ApiReply;
    assert.equal(reply.ok, false);
    assert.equal(!reply.ok && reply.status.code, 403);
  });

  it('lets the scheduler bind a pod, and not kube-proxy', async () => {
    await as('admin').create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    const pod = await as('admin').create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bound', namespace: NS },
      spec: { containers: [{ name: 'main', image: 'nginx' }] },
    });
    await assert.rejects(as('kube-proxy').bind(NS, 'bound', 'n1', { uid: pod.metadata.uid! }), isCode(403));
    await as('scheduler').bind(NS, 'bound', 'n1', { uid: pod.metadata.uid! });
    assert.equal(((await as('admin').get('pods', NS, 'bound')).spec as { nodeName?: string }).nodeName, 'n1');
    await assert.rejects(as('scheduler').list('secrets', NS), isCode(403));
  });

  it('audits each write under the Kubernetes user of its NATS user', async () => {
    const users = new Set<string>();
    const controller = new AbortController();
    const admin = clients.get('admin')!;
    await new Promise<void>((resolve, reject) => {
      (async () => {
        for await (const { event } of readAuditEvents(admin.nc, { follow: true, signal: controller.signal }, () => resolve())) {
          if (event.objectRef?.namespace === NS || event.objectRef?.name === NS) users.add(`${event.user.username} ${event.verb} ${event.responseStatus.code}`);
        }
      })().catch((error: unknown) => (controller.signal.aborted ? resolve() : reject(error)));
    });
    controller.abort();
    assert.ok(users.has('jetkube:admin create 201'), [...users].join(', '));
    assert.ok(users.has('system:node:kubelet update 200'), [...users].join(', '));
    assert.ok(users.has('system:node:kubelet delete 403'), [...users].join(', '));
    assert.ok(users.has('system:kube-scheduler create 201'), [...users].join(', '));
  });
});

export type { KubeObject };
