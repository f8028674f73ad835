/**
 * The pod admission plugins through the real API server (over NATS, no controller
 * manager): ServiceAccount (default account, token volume, refusal of a missing account),
 * AlwaysPullImages (enabled through the API server's admission selection) and PodSecurity
 * (namespace labels, enforce refuses with Kubernetes' message, workloads are not refused).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { apiServerMachine } from '../../actors/apiserver.machine.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { eventually } from '../support/cluster.ts';

type Json = Record<string, any>;

let nats: TestNats;
let apiserver: Actor<typeof apiServerMachine>;
let client: ApiClient;

const namespace = (name: string, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } });
const account = (ns: string, name = 'default', extra: Json = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns }, ...extra }) as KubeObject;
const pod = (ns: string, name: string, spec: Json = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent' }], ...spec },
});
const specOf = (o: KubeObject) => o.spec as Json;

async function refused(promise: Promise<unknown>): Promise<StatusError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StatusError) return error;
    throw error;
  }
  assert.fail('the request was admitted');
}

before(async () => {
  nats = await startTestNats();
  apiserver = createActor(apiServerMachine, { input: { natsUrl: nats.url, name: 'apiserver', admission: { enable: ['ServiceAccount', 'AlwaysPullImages'] } } });
  apiserver.start();
  await waitFor(apiserver, (s) => s.matches({ online: 'serving' }), { timeout: 30_000 });
  client = await ApiClient.connect(nats.url, 'test-client', { timeoutMs: 10_000 });
  await eventually(async () => (await client.list('namespaces')).items.some((n) => n.metadata.name === 'default') || undefined, 10_000, 'the system namespaces');
});

after(async () => {
  await client?.close();
  if (apiserver?.getSnapshot().status === 'active') {
    apiserver.send({ type: 'stop' });
    await waitFor(apiserver, (s) => s.status === 'done', { timeout: 30_000 });
  }
  await nats?.dispose();
});

describe('ServiceAccount admission', () => {
  it('refuses a pod whose namespace has no default service account yet (403, in Kubernetes words)', async () => {
    await client.create('namespaces', namespace('sa-missing'));
    const error = await refused(client.create('pods', pod('sa-missing', 'web')));
    assert.equal(error.code, 403);
    assert.equal(error.message, 'pods "web" is forbidden: error looking up service account sa-missing/default: serviceaccount "default" not found');
  });

  it('admits a pod whose default account appears while the plugin waits for it', async () => {
    await client.create('namespaces', namespace('sa-late'));
    const created = client.create('pods', pod('sa-late', 'web'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await client.create('serviceaccounts', account('sa-late'));
    assert.equal(specOf(await created).serviceAccountName, 'default');
  });

  it('gives a pod without an account the default one and the kube-api-access token volume', async () => {
    await client.create('namespaces', namespace('sa-ok'));
    await client.create('serviceaccounts', account('sa-ok'));
    const created = await client.create('pods', pod('sa-ok', 'web', { initContainers: [{ name: 'init', image: 'busybox' }] }));
    const spec = specOf(created);
    assert.equal(spec.serviceAccountName, 'default');
    assert.equal(spec.volumes.length, 1);
    const volume = spec.volumes[0];
    assert.match(volume.name, /^kube-api-access-[a-z0-9]{5}$/);
    assert.deepEqual(volume.projected.sources.map((s: Json) => Object.keys(s)[0]), ['serviceAccountToken', 'configMap', 'downwardAPI']);
    assert.equal(volume.projected.sources[0].serviceAccountToken.expirationSeconds, 3607);
    for (const container of [...spec.containers, ...spec.initContainers]) {
      assert.deepEqual(container.volumeMounts, [{ name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    }
    const stored = await client.get('pods', 'sa-ok', 'web');
    assert.equal(specOf(stored).volumes[0].name, volume.name, 'stored as admitted');
  });

  it('mounts no token when the pod or its account opts out', async () => {
    await client.create('serviceaccounts', account('sa-ok', 'quiet', { automountServiceAccountToken: false }));
    const podOptOut = await client.create('pods', pod('sa-ok', 'no-token', { automountServiceAccountToken: false }));
    assert.equal(specOf(podOptOut).volumes, undefined);
    assert.equal(specOf(podOptOut).containers[0].volumeMounts, undefined);
    const accountOptOut = await client.create('pods', pod('sa-ok', 'quiet-pod', { serviceAccountName: 'quiet' }));
    assert.equal(specOf(accountOptOut).serviceAccountName, 'quiet');
    assert.equal(specOf(accountOptOut).volumes, undefined);
  });

  it('refuses a pod naming an account that does not exist', async () => {
    const error = await refused(client.create('pods', pod('sa-ok', 'builder-pod', { serviceAccountName: 'builder' })));
    assert.equal(error.code, 403);
    assert.equal(error.message, 'pods "builder-pod" is forbidden: error looking up service account sa-ok/builder: serviceaccount "builder" not found');
  });
});

describe('AlwaysPullImages admission (enabled by selection)', () => {
  it('sets imagePullPolicy Always on create, and on an update that brings a new image', async () => {
    const created = await client.create('pods', pod('sa-ok', 'pull'));
    assert.equal(specOf(created).containers[0].imagePullPolicy, 'Always');
    const patched = await client.patch('pods', 'sa-ok', 'pull', { spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } }, 'strategic');
    assert.equal(specOf(patched).containers[0].image, 'busybox:1.37');
    assert.equal(specOf(patched).containers[0].imagePullPolicy, 'Always');
  });
});

describe('PodSecurity admission', () => {
  const privileged = (name: string) => pod('restricted-ns', name, { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }], hostNetwork: true });

  before(async () => {
    await client.create('namespaces', namespace('restricted-ns', { 'pod-security.kubernetes.io/enforce': 'baseline' }));
    await client.create('serviceaccounts', account('restricted-ns'));
  });

  it('refuses a privileged pod in an enforce=baseline namespace with the Kubernetes message', async () => {
    const error = await refused(client.create('pods', privileged('priv')));
    assert.equal(error.code, 403);
    assert.equal(
      error.message,
      'pods "priv" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "c" must not set securityContext.privileged=true)',
    );
  });

  it('admits a plain pod there', async () => {
    const created = await client.create('pods', pod('restricted-ns', 'plain'));
    assert.equal(created.metadata.name, 'plain');
  });

  it('does not refuse a Deployment whose template would violate the level (it is only warned about)', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'priv', namespace: 'restricted-ns' },
      spec: {
        selector: { matchLabels: { app: 'priv' } },
        template: { metadata: { labels: { app: 'priv' } }, spec: specOf(privileged('x')) },
      },
    } as KubeObject;
    const created = await client.create('deployments.apps', deployment);
    assert.equal(created.metadata.name, 'priv');
  });

  it('applies a label added later: the same pod is admitted before and refused after', async () => {
    await client.create('namespaces', namespace('later'));
    await client.create('serviceaccounts', account('later'));
    const spec = { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'h', hostPath: { path: '/tmp' } }] };
    await client.create('pods', pod('later', 'before', spec));
    await client.patch('namespaces', undefined, 'later', { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } }, 'merge');
    const error = await refused(client.create('pods', pod('later', 'after', spec)));
    assert.equal(error.message, 'pods "after" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "h")');
  });
});
