/**
 * Authentication and RBAC through the real kubectl: users with their own kubeconfigs
 * (client certificates made by `jetkube kubeconfig`'s function, a static token, a
 * ServiceAccount token from `kubectl create token`), a table of what each may do, `auth
 * can-i --list` and `auth whoami`, and bad credentials that get a 401 and write nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { tokenIssuer } from '../../src/auth/service-account-token.ts';
import { userKubeconfig } from '../../src/cli/kubeconfig-user.ts';
import { renderKubeconfig } from '../../src/http/kubeconfig.ts';
import { ensurePki } from '../../src/http/pki.ts';
import { eventually } from '../support/cluster.ts';
import { KUBECTL, kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster, type KubectlResult } from '../support/http-cluster.ts';

let cluster: HttpTestCluster;
let scratch: string;
const kubeconfigs: Record<string, string> = {};

function kubectlAs(who: string, ...args: string[]): Promise<KubectlResult> {
  const config = kubeconfigs[who]!;
  return new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', config, '--cache-dir', join(scratch, `cache-${who}`), ...args], { timeout: 30_000, env: { ...process.env, HOME: scratch } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

function tokenKubeconfig(token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: cluster.url, 'certificate-authority-data': Buffer.from(cluster.pki.caCert).toString('base64') } }],
    users: [{ name: 'u', user: { token } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
}

async function addKubeconfig(who: string, content: string): Promise<void> {
  kubeconfigs[who] = join(scratch, `${who}.kubeconfig`);
  await writeFile(kubeconfigs[who]!, content, { mode: 0o600 });
}

function postWithoutCredentials(path: string, object: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(object);
    const req = httpsRequest(`${cluster.url}${path}`, { method: 'POST', ca: cluster.pki.caCert, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function configMapExists(namespace: string, name: string): Promise<boolean> {
  const got = await cluster.kubectl('get', 'configmap', name, '-n', namespace);
  return got.code === 0;
}

const POLICY = `
apiVersion: v1
kind: Namespace
metadata: { name: team }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: developer, namespace: team }
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, create, delete]
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: dev-is-developer, namespace: team }
subjects: [{ kind: User, name: dev, apiGroup: rbac.authorization.k8s.io }]
roleRef: { kind: Role, name: developer, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: viewers-view }
subjects: [{ kind: Group, name: viewers, apiGroup: rbac.authorization.k8s.io }]
roleRef: { kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: robot-edits, namespace: team }
subjects: [{ kind: ServiceAccount, name: robot }]
roleRef: { kind: ClusterRole, name: edit, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: robot, namespace: team }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: team }
data: { a: "1" }
`;

const POD = (name: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: team }
spec: { containers: [{ name: c, image: busybox }] }
`;

before(async () => {
  cluster = await startHttpTestCluster();
  scratch = await mkdtemp(join(tmpdir(), 'jetkube-auth-e2e-'));
  // The bootstrap policy is the API server's own doing, at start.
  await eventually(async () => (await cluster.kubectl('get', 'clusterrole', 'view', 'system:basic-user')).code === 0, 15_000, 'the bootstrap ClusterRoles');
  await kubectlOk(cluster, 'apply', '-f', await writeManifest(cluster, 'policy.yaml', POLICY));
  await addKubeconfig('admin', await userKubeconfig({ dataDir: cluster.dataDir, user: 'admin', groups: ['system:masters'] }));
  await addKubeconfig('dev', await userKubeconfig({ dataDir: cluster.dataDir, user: 'dev' }));
  await addKubeconfig('viewer', await userKubeconfig({ dataDir: cluster.dataDir, user: 'vera', groups: ['viewers'] }));
  await writeFile(join(cluster.dataDir, 'tokens.csv'), 'ops-token-1234,ops,u-ops,"viewers,ops"\n');
  await addKubeconfig('ops', tokenKubeconfig('ops-token-1234'));
});

after(async () => {
  await cluster?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('RBAC through kubectl', () => {
  const cases: [who: string, args: string[], allowed: boolean][] = [
    ['dev', ['get', 'pods', '-n', 'team'], true],
    ['dev', ['get', 'configmap', 'settings', '-n', 'team'], true],
    ['dev', ['create', 'configmap', 'by-dev', '-n', 'team'], false],
    ['dev', ['get', 'secrets', '-n', 'team'], false],
    ['dev', ['get', 'pods', '-n', 'default'], false],
    ['dev', ['get', 'nodes'], false],
    ['viewer', ['get', 'pods', '-A'], true],
    ['viewer', ['get', 'configmaps', '-n', 'team'], true],
    ['viewer', ['create', 'configmap', 'by-viewer', '-n', 'team'], false],
    ['viewer', ['get', 'secrets', '-n', 'team'], false],
    ['ops', ['get', 'deployments', '-n', 'team'], true],
    ['ops', ['delete', 'configmap', 'settings', '-n', 'team'], false],
    ['admin', ['create', 'configmap', 'by-admin', '-n', 'team'], true],
    ['admin', ['get', 'nodes'], true],
    ['dev', ['get', '--raw', '/metrics'], false],
    ['admin', ['get', '--raw', '/metrics'], true],
  ];

  it('a table of users x verbs x resources', async () => {
    const wrong: string[] = [];
    for (const [who, args, allowed] of cases) {
      const result = await kubectlAs(who, ...args);
      const denied = result.code !== 0 && /Forbidden|forbidden/.test(result.stderr);
      if (allowed ? result.code !== 0 : !denied) wrong.push(`${who}: kubectl ${args.join(' ')} -> ${result.code} ${result.stderr.trim()}`);
    }
    assert.deepEqual(wrong, []);
    assert.equal(await configMapExists('team', 'by-dev'), false);
    assert.equal(await configMapExists('team', 'by-viewer'), false);
    assert.equal(await configMapExists('team', 'by-admin'), true);
  });

  it('the dev user can do what its Role allows and gets Kubernetes 403 for the rest', async () => {
    const pod = await writeManifest(cluster, 'dev-pod.yaml', POD('dev-pod'));
    await kubectlOk({ ...cluster, kubectl: (...a: string[]) => kubectlAs('dev', ...a) }, 'apply', '-f', pod);
    assert.match((await kubectlAs('dev', 'get', 'pod', 'dev-pod', '-n', 'team', '-o', 'name')).stdout, /pod\/dev-pod/);
    const denied = await kubectlAs('dev', 'get', 'pods', '-n', 'default');
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "default"/);
    const deniedDelete = await kubectlAs('dev', 'delete', 'configmap', 'settings', '-n', 'team');
    assert.match(deniedDelete.stderr, /configmaps "settings" is forbidden: User "dev" cannot delete resource "configmaps" in API group "" in the namespace "team"/);
    assert.equal(await configMapExists('team', 'settings'), true);
    await kubectlOk({ ...cluster, kubectl: (...a: string[]) => kubectlAs('dev', ...a) }, 'delete', 'pod', 'dev-pod', '-n', 'team', '--wait=false');
  });

  it('kubectl auth can-i, can-i --list and whoami', async () => {
    assert.equal((await kubectlAs('dev', 'auth', 'can-i', 'create', 'pods', '-n', 'team')).stdout.trim(), 'yes');
    const no = await kubectlAs('dev', 'auth', 'can-i', 'create', 'configmaps', '-n', 'team');
    assert.equal(no.stdout.trim(), 'no');
    assert.equal((await kubectlAs('dev', 'auth', 'can-i', 'list', 'pods', '-n', 'default')).stdout.trim(), 'no');
    const list = await kubectlAs('dev', 'auth', 'can-i', '--list', '-n', 'team');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^pods\s+\[\]\s+\[\]\s+\[get list watch create delete\]$/m);
    assert.match(list.stdout, /^configmaps\s+\[\]\s+\[\]\s+\[get list\]$/m);
    assert.match(list.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io/);
    const whoami = await kubectlAs('viewer', 'auth', 'whoami', '-o', 'json');
    assert.equal(whoami.code, 0, whoami.stderr);
    const info = JSON.parse(whoami.stdout).status.userInfo;
    assert.equal(info.username, 'vera');
    assert.deepEqual(info.groups, ['viewers', 'system:authenticated']);
  });

  it('a ServiceAccount token from kubectl create token works while its ServiceAccount lives', async () => {
    const token = (await kubectlOk(cluster, 'create', 'token', 'robot', '-n', 'team', '--duration', '20m')).stdout.trim();
    await addKubeconfig('robot', tokenKubeconfig(token));
    const whoami = await kubectlAs('robot', 'auth', 'whoami', '-o', 'json');
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal(JSON.parse(whoami.stdout).status.userInfo.username, 'system:serviceaccount:team:robot');
    await kubectlOk({ ...cluster, kubectl: (...a: string[]) => kubectlAs('robot', ...a) }, 'create', 'configmap', 'by-robot', '-n', 'team');

    await kubectlOk(cluster, 'delete', 'serviceaccount', 'robot', '-n', 'team');
    const after = await kubectlAs('robot', 'create', 'configmap', 'by-deleted-robot', '-n', 'team');
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /Unauthorized|must be logged in/);
    assert.equal(await configMapExists('team', 'by-deleted-robot'), false);
  });

  it('a token bound to a pod dies with the pod', async () => {
    await kubectlOk(cluster, 'create', 'serviceaccount', 'bot', '-n', 'team');
    await kubectlOk(cluster, 'apply', '-f', await writeManifest(cluster, 'bound-pod.yaml', POD('bound')));
    const token = (await kubectlOk(cluster, 'create', 'token', 'bot', '-n', 'team', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound')).stdout.trim();
    await addKubeconfig('bot', tokenKubeconfig(token));
    const whoami = await kubectlAs('bot', 'auth', 'whoami', '-o', 'json');
    assert.equal(whoami.code, 0, whoami.stderr);
    const info = JSON.parse(whoami.stdout).status.userInfo;
    assert.equal(info.username, 'system:serviceaccount:team:bot');
    assert.deepEqual(info.extra['authentication.kubernetes.io/pod-name'], ['bound']);
    await kubectlOk(cluster, 'delete', 'pod', 'bound', '-n', 'team', '--grace-period=0', '--force');
    await eventually(async () => (await cluster.kubectl('get', 'pod', 'bound', '-n', 'team')).code !== 0, 10_000, 'the pod gone');
    const after = await kubectlAs('bot', 'auth', 'whoami');
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /Unauthorized|must be logged in/);
  });

  it('bad credentials are a 401 and write nothing', async () => {
    // An expired token signed by the cluster's own key.
    const issuer = await tokenIssuer(cluster.pki.serviceAccountKey);
    const longAgo = Math.floor(Date.now() / 1000) - 7200;
    const expired = await issuer.sign({ namespace: 'team', serviceAccount: { name: 'robot', uid: 'x' }, audiences: ['https://kubernetes.default.svc.cluster.local'], issuedAt: longAgo, expiresAt: longAgo + 600 });
    await addKubeconfig('expired', tokenKubeconfig(expired));
    await addKubeconfig('wrong-token', tokenKubeconfig('not-a-known-token'));
    // A certificate from another CA, trusted by nobody here.
    const otherPki = await ensurePki(join(scratch, 'other-pki'));
    await addKubeconfig('other-ca', renderKubeconfig({ server: cluster.url, caCert: cluster.pki.caCert, clientCert: otherPki.adminCert, clientKey: otherPki.adminKey }));
    for (const who of ['expired', 'wrong-token', 'other-ca']) {
      const result = await kubectlAs(who, 'create', 'configmap', `by-${who}`, '-n', 'team');
      assert.notEqual(result.code, 0, who);
      assert.match(result.stderr, /Unauthorized|must be logged in/, `${who}: ${result.stderr}`);
      assert.equal(await configMapExists('team', `by-${who}`), false, who);
    }
    // No credentials at all (kubectl would prompt for a password): the raw answer is a 401 Status.
    const { status, body } = await postWithoutCredentials('/api/v1/namespaces/team/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'by-nobody' } });
    assert.equal(status, 401);
    assert.equal(JSON.parse(body).reason, 'Unauthorized');
    assert.equal(await configMapExists('team', 'by-nobody'), false);
  });
});
