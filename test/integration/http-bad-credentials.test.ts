/**
 * Bad credentials on the real HTTPS face: an expired ServiceAccount token, a token whose
 * ServiceAccount or bound pod was deleted, a client certificate from another CA, malformed
 * Authorization headers, and none at all. Each is a 401 Kubernetes Status, and the
 * REGISTRY stream's last sequence does not move (nothing written). With anonymous
 * authentication on (--anonymous-auth=true), a request without credentials is
 * system:anonymous, whom RBAC lets read only /version and the health checks
 * (system:public-info-viewer) and what a binding grants it.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import { apiServerMachine } from '../../actors/apiserver.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { DEFAULT_AUDIENCE, tokenIssuer } from '../../src/auth/service-account-token.ts';
import { ensurePki } from '../../src/http/pki.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { eventually } from '../support/cluster.ts';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';
import { httpsCall, type HttpsAnswer, type HttpsCredential } from '../support/https-call.ts';

let cluster: HttpTestCluster;
let log: RegistryLog;
const NS = 'bad-creds';

const lastSeq = async () => (await log.bounds()).lastSeq;

function call(method: string, path: string, credential: HttpsCredential, body?: unknown, url = cluster.url): Promise<HttpsAnswer> {
  return httpsCall(url, method, path, {
    ca: cluster.pki.caCert,
    ...credential,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
}

const asAdmin = (): HttpsCredential => ({ cert: cluster.pki.adminCert, key: cluster.pki.adminKey });
const bearer = (token: string): HttpsCredential => ({ authorization: `Bearer ${token}` });

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { a: '1' } });

function assertStatus(answer: HttpsAnswer, code: number, reason: string, what: string): void {
  assert.equal(answer.code, code, `${what}: ${answer.text()}`);
  const status = answer.json();
  assert.deepEqual([status.kind, status.apiVersion, status.code, status.reason, status.status], ['Status', 'v1', code, reason, 'Failure'], what);
}

/** A TokenRequest through the face as the admin: the token kubectl create token would print. */
async function requestToken(serviceAccount: string, spec: Record<string, unknown> = {}): Promise<string> {
  const answer = await call('POST', `/api/v1/namespaces/${NS}/serviceaccounts/${serviceAccount}/token`, asAdmin(), {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { audiences: [], ...spec },
  });
  assert.equal(answer.code, 201, answer.text());
  return answer.json().status.token as string;
}

async function whoAmI(credential: HttpsCredential, url = cluster.url): Promise<HttpsAnswer> {
  return call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', credential, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, url);
}

/** The `kubernetes` EndpointSlice names this port: the face's own start-up writes are done. */
async function settled(port: number): Promise<void> {
  await eventually(
    async () => {
      try {
        const slice = await cluster.client.get('endpointslices.discovery.k8s.io', 'default', 'kubernetes');
        return (slice as KubeObject & { ports?: { port: number }[] }).ports?.[0]?.port === port;
      } catch {
        return false;
      }
    },
    15_000,
    `the kubernetes EndpointSlice at port ${port}`,
  );
}

before(async () => {
  cluster = await startHttpTestCluster();
  log = new RegistryLog(cluster.client.nc);
  await eventually(async () => (await call('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:public-info-viewer', asAdmin())).code === 200, 15_000, 'the bootstrap policy');
  await settled(Number(new URL(cluster.url).port));
  await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  for (const name of ['robot', 'gone', 'bot']) {
    await cluster.client.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NS } });
  }
  // Everyone in the namespace's ServiceAccounts may write ConfigMaps there, so a 401 is authentication's doing.
  await cluster.client.create('rolebindings.rbac.authorization.k8s.io', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'accounts-edit', namespace: NS },
    subjects: [{ kind: 'Group', name: `system:serviceaccounts:${NS}`, apiGroup: 'rbac.authorization.k8s.io' }],
    roleRef: { kind: 'ClusterRole', name: 'edit', apiGroup: 'rbac.authorization.k8s.io' },
  });
});

after(async () => {
  await cluster?.dispose();
});

describe('bad credentials on the HTTPS face', { timeout: 60_000 }, () => {
  const refusedEverywhere = async (credential: HttpsCredential, what: string) => {
    const before = await lastSeq();
    assertStatus(await call('POST', `/api/v1/namespaces/${NS}/configmaps`, credential, configMap(`by-${what.replace(/[^a-z]/g, '')}`)), 401, 'Unauthorized', `${what}: create`);
    assertStatus(await call('GET', `/api/v1/namespaces/${NS}/configmaps`, credential), 401, 'Unauthorized', `${what}: list`);
    assertStatus(await call('DELETE', `/api/v1/namespaces/${NS}`, credential), 401, 'Unauthorized', `${what}: delete`);
    assertStatus(await call('GET', '/apis', credential), 401, 'Unauthorized', `${what}: discovery`);
    assertStatus(await whoAmI(credential), 401, 'Unauthorized', `${what}: whoami`);
    assert.equal(await lastSeq(), before, `${what}: nothing written`);
  };

  it('an expired ServiceAccount token (signed by the cluster, its ServiceAccount alive) is a 401', async () => {
    const robot = await cluster.client.get('serviceaccounts', NS, 'robot');
    const issuer = await tokenIssuer(cluster.pki.serviceAccountKey);
    const sign = (issuedAt: number, lifetime: number) =>
      issuer.sign({ namespace: NS, serviceAccount: { name: 'robot', uid: robot.metadata.uid! }, audiences: [DEFAULT_AUDIENCE], issuedAt, expiresAt: issuedAt + lifetime });
    const now = Math.floor(Date.now() / 1000);
    // The same claims with good dates pass: only the expiry differs.
    const fresh = await whoAmI(bearer(await sign(now, 600)));
    assert.equal(fresh.code, 201, fresh.text());
    assert.equal(fresh.json().status.userInfo.username, `system:serviceaccount:${NS}:robot`);
    await refusedEverywhere(bearer(await sign(now - 7200, 600)), 'expired token');
    // One second past its expiry is already too late; a token not yet valid is refused too.
    await refusedEverywhere(bearer(await sign(now - 601, 600)), 'just expired token');
    await refusedEverywhere(bearer(await sign(now + 3600, 600)), 'future token');
  });

  it('a TokenRequest token works while its ServiceAccount lives and is a 401 once it is deleted', async () => {
    const token = await requestToken('gone', { expirationSeconds: 3600 });
    const created = await call('POST', `/api/v1/namespaces/${NS}/configmaps`, bearer(token), configMap('by-gone-alive'));
    assert.equal(created.code, 201, created.text());
    await cluster.client.delete('serviceaccounts', NS, 'gone');
    await refusedEverywhere(bearer(token), 'deleted serviceaccount');
    // A ServiceAccount of the same name made again has another uid: the old token stays dead.
    await cluster.client.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gone', namespace: NS } });
    await refusedEverywhere(bearer(token), 'recreated serviceaccount');
  });

  it('a token bound to a pod is a 401 once the pod is deleted', async () => {
    const pod = await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bound', namespace: NS },
      spec: { serviceAccountName: 'bot', containers: [{ name: 'c', image: 'busybox' }] },
    });
    const token = await requestToken('bot', { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'bound', uid: pod.metadata.uid } });
    const alive = await whoAmI(bearer(token));
    assert.equal(alive.code, 201, alive.text());
    assert.deepEqual(alive.json().status.userInfo.extra['authentication.kubernetes.io/pod-name'], ['bound']);
    await cluster.client.delete('pods', NS, 'bound', { gracePeriodSeconds: 0 });
    await eventually(async () => (await cluster.client.get('pods', NS, 'bound').then(() => false, () => true)), 10_000, 'the pod gone');
    await refusedEverywhere(bearer(token), 'deleted bound pod');
  });

  it('a client certificate signed by another CA is a 401, even with the admin subject', async () => {
    const other = await ensurePki(join(cluster.dataDir, 'other-pki'));
    await refusedEverywhere({ cert: other.adminCert, key: other.adminKey }, 'certificate from another ca');
    // Nor does the other cluster's admin token work here.
    await refusedEverywhere(bearer(other.adminToken), 'another clusters admin token');
  });

  it('malformed Authorization headers and tokens signed by a stranger are 401s', async () => {
    const strangerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const robot = await cluster.client.get('serviceaccounts', NS, 'robot');
    const now = Math.floor(Date.now() / 1000);
    const forged = await (await tokenIssuer(strangerKey)).sign({ namespace: NS, serviceAccount: { name: 'robot', uid: robot.metadata.uid! }, audiences: [DEFAULT_AUDIENCE], issuedAt: now, expiresAt: now + 600 });
    const headers = [
      'Bearer',
      'Bearer ',
      'Bearer two words',
      `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      'Token abc',
      'bearer-without-space',
      `Bearer ${'x'.repeat(8000)}`,
      'Bearer aaa.bbb.ccc',
      `Bearer ${forged}`,
      `Bearer ${forged.slice(0, -4)}`,
      `Bearer ${cluster.pki.adminToken}x`,
    ];
    for (const authorization of headers) await refusedEverywhere({ authorization }, `authorization ${authorization.slice(0, 24)}`);
  });

  it('no credentials at all is a 401, but /version and the health checks answer anyone', async () => {
    await refusedEverywhere({}, 'no credentials');
    assert.equal((await call('GET', '/version', {})).json().major, '1');
    for (const path of ['/healthz', '/livez', '/readyz']) assert.equal((await call('GET', path, {})).text(), 'ok', path);
  });

  it('the admin credential still works, so the 401s above were about credentials', async () => {
    const list = await call('GET', `/api/v1/namespaces/${NS}/configmaps`, asAdmin());
    assert.equal(list.code, 200, list.text());
    assert.deepEqual(list.json().items.map((c: KubeObject) => c.metadata.name), ['by-gone-alive']);
  });
});

describe('anonymous authentication, when on', { timeout: 60_000 }, () => {
  let open: Actor<typeof apiServerMachine>;
  let openUrl: string;

  before(async () => {
    // A second API server on the same NATS, its HTTPS face with --anonymous-auth=true.
    open = createActor(apiServerMachine, {
      input: { natsUrl: cluster.nats.url, name: 'apiserver-anonymous', http: { address: '127.0.0.1:0', pkiDir: cluster.pki.dir, anonymous: true } },
    });
    open.start();
    const ready = await waitFor(open, (s) => !!s.context.httpUrl || /^HTTP face/.test(s.context.lastError ?? ''), { timeout: 30_000 });
    assert.ok(ready.context.httpUrl, ready.context.lastError);
    openUrl = ready.context.httpUrl;
    await settled(Number(new URL(openUrl).port));
    // RBAC, not authentication, decides: one grant to system:anonymous, read ConfigMaps in the namespace.
    await cluster.client.create('roles.rbac.authorization.k8s.io', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'read-configmaps', namespace: NS },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    });
    await cluster.client.create('rolebindings.rbac.authorization.k8s.io', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'anonymous-reads', namespace: NS },
      subjects: [{ kind: 'User', name: 'system:anonymous', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'Role', name: 'read-configmaps', apiGroup: 'rbac.authorization.k8s.io' },
    });
  });

  after(async () => {
    if (open?.getSnapshot().status === 'active') {
      open.send({ type: 'stop' });
      await waitFor(open, (s) => s.status === 'done', { timeout: 30_000 });
    }
  });

  it('makes a request without credentials system:anonymous, which RBAC forbids everything not granted', async () => {
    const before = await lastSeq();
    const forbiddenTo = async (method: string, path: string, body?: unknown) => {
      const answer = await call(method, path, {}, body, openUrl);
      assertStatus(answer, 403, 'Forbidden', `${method} ${path}`);
      assert.match(answer.json().message, /User "system:anonymous" cannot/, `${method} ${path}`);
      return answer;
    };
    await forbiddenTo('GET', '/api/v1/namespaces');
    await forbiddenTo('POST', `/api/v1/namespaces/${NS}/configmaps`, configMap('by-anonymous'));
    await forbiddenTo('DELETE', `/api/v1/namespaces/${NS}/configmaps/by-gone-alive`);
    await forbiddenTo('GET', `/api/v1/namespaces/${NS}/secrets`);
    assert.equal((await forbiddenTo('GET', '/api')).json().message, 'forbidden: User "system:anonymous" cannot get path "/api"');
    await forbiddenTo('GET', '/apis');
    await forbiddenTo('GET', '/apis/apps/v1');
    await forbiddenTo('GET', '/openapi/v3');
    await forbiddenTo('GET', '/metrics');
    await forbiddenTo('GET', '/no/such/path');
    // system:basic-user is bound to system:authenticated only: no whoami for nobody.
    await forbiddenTo('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    assert.equal(await lastSeq(), before, 'nothing written');
  });

  it('lets system:anonymous read /version, the health checks, and what a binding grants it', async () => {
    assert.equal((await call('GET', '/version', {}, undefined, openUrl)).json().major, '1');
    for (const path of ['/healthz', '/livez', '/readyz']) assert.equal((await call('GET', path, {}, undefined, openUrl)).text(), 'ok', path);
    const list = await call('GET', `/api/v1/namespaces/${NS}/configmaps`, {}, undefined, openUrl);
    assert.equal(list.code, 200, list.text());
    assert.deepEqual(list.json().items.map((c: KubeObject) => c.metadata.name), ['by-gone-alive']);
  });

  it('keeps bad credentials a 401 with anonymous on, and admins unaffected', async () => {
    const before = await lastSeq();
    for (const credential of [bearer('nope'), bearer('aaa.bbb.ccc'), { authorization: 'Basic Zm9vOmJhcg==' }]) {
      assertStatus(await call('GET', `/api/v1/namespaces/${NS}/configmaps`, credential, undefined, openUrl), 401, 'Unauthorized', credential.authorization!);
    }
    assert.equal(await lastSeq(), before, 'nothing written');
    assert.equal((await call('GET', '/api/v1/namespaces', asAdmin(), undefined, openUrl)).code, 200);
    assert.equal((await call('GET', '/apis', asAdmin(), undefined, openUrl)).json().kind, 'APIGroupList');
  });

  it('is off on the face started without the flag', async () => {
    assertStatus(await call('GET', `/api/v1/namespaces/${NS}/configmaps`, {}), 401, 'Unauthorized', 'anonymous off');
  });
});
