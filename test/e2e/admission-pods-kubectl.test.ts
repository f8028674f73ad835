// The pod admission plugins end to end, with the real kubectl against a cluster whose
// API server runs the ServiceAccount plugin, plus a controller manager (ServiceAccounts
// controller, root CA publisher), a scheduler and a process-runtime kubelet:
// - `kubectl run` gets the default account and the kube-api-access volume, and the
//   container reads its namespace, its bound token and ca.crt from
//   /var/run/secrets/kubernetes.io/serviceaccount (the kubelet asked TokenRequest);
// - PodSecurity: after `kubectl label ns dev pod-security.kubernetes.io/enforce=baseline`,
//   `kubectl apply` of a privileged pod fails with Kubernetes' Forbidden message, and a
//   level label that does not parse is Invalid.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type AnyActorRef } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import { eventually } from '../support/cluster.ts';
import { kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster } from '../support/http-cluster.ts';

describe('pod admission with kubectl', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  const components: AnyActorRef[] = [];

  before(async () => {
    cluster = await startHttpTestCluster({ apiServer: { admission: { enable: ['ServiceAccount'] } } });
    const natsUrl = cluster.nats.url;
    const podCIDR = `127.${128 + Math.floor(Math.random() * 64)}.${Math.floor(Math.random() * 256)}.0/24`;
    components.push(
      createActor(controllerManagerMachine, { input: { natsUrl, leaderElect: false, localPathRoot: join(cluster.dataDir, 'volumes') } }),
      createActor(schedulerMachine, { input: { natsUrl, leaderElect: false } }),
      createActor(kubeletMachine, { input: { natsUrl, nodeName: 'node-1', runtime: 'process', rootDir: join(cluster.dataDir, 'kubelet'), podCIDR, backoff: { baseMs: 1_000 } } }),
    );
    for (const component of components) component.start();
  });

  after(async () => {
    for (const component of components) component.send({ type: 'stop' });
    for (const component of components) await waitFor(component, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    await cluster?.dispose();
  });

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;

  it('the root CA publisher puts kube-root-ca.crt in every namespace', async () => {
    await ok('create', 'namespace', 'dev');
    await eventually(() => cluster.client.get('configmaps', 'dev', 'kube-root-ca.crt').catch(() => undefined), 20_000, 'kube-root-ca.crt in dev');
    const cm = (await cluster.client.get('configmaps', 'default', 'kube-root-ca.crt')) as { data?: Record<string, string> };
    assert.ok(cm.data && 'ca.crt' in cm.data);
  });

  it('kubectl run: the pod runs as default, and its container reads namespace, token and ca.crt from the token volume', async () => {
    const dir = 'var/run/secrets/kubernetes.io/serviceaccount';
    await ok(
      'run', 'whoami', '-n', 'dev', '--image=busybox', '--restart=Never', '--',
      'sh', '-c', `cat ${dir}/namespace; echo; tr -cd . < ${dir}/token | wc -c; test -s ${dir}/token && echo token-present; test -e ${dir}/ca.crt && echo ca-present`,
    );
    const spec = JSON.parse(await ok('get', 'pod', 'whoami', '-n', 'dev', '-o', 'jsonpath={.spec}'));
    assert.equal(spec.serviceAccountName, 'default');
    assert.match(spec.volumes[0].name, /^kube-api-access-[a-z0-9]{5}$/);
    await ok('wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/whoami', '-n', 'dev', '--timeout=60s');
    // A JWT: three dot-separated parts.
    assert.equal((await ok('logs', 'whoami', '-n', 'dev')).replace(/^ +/gm, ''), 'dev\n2\ntoken-present\nca-present\n');
  });

  it('a pod naming a missing service account is refused', async () => {
    const result = await cluster.kubectl('run', 'ghost', '-n', 'dev', '--image=busybox', '--restart=Never', '--overrides={"spec":{"serviceAccountName":"ghost"}}', '--', 'true');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Error from server \(Forbidden\): pods "ghost" is forbidden: error looking up service account dev\/ghost: serviceaccount "ghost" not found/);
  });

  it('PodSecurity: a level label that does not parse is Invalid', async () => {
    const result = await cluster.kubectl('label', 'ns', 'dev', 'pod-security.kubernetes.io/enforce=strict');
    assert.notEqual(result.code, 0);
    assert.equal(
      result.stderr.trim(),
      'The Namespace "dev" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
  });

  it('PodSecurity: after labelling dev enforce=baseline, kubectl apply of a privileged pod is Forbidden', async () => {
    await ok('label', 'ns', 'dev', 'pod-security.kubernetes.io/enforce=baseline');
    const manifest = await writeManifest(
      cluster,
      'privileged.yaml',
      `apiVersion: v1
kind: Pod
metadata:
  name: priv
  namespace: dev
spec:
  hostPID: true
  containers:
  - name: shell
    image: busybox
    command: ["sleep", "60"]
    securityContext:
      privileged: true
`,
    );
    const result = await cluster.kubectl('apply', '-f', manifest);
    assert.notEqual(result.code, 0);
    assert.equal(
      result.stderr.trim(),
      `Error from server (Forbidden): error when creating "${manifest}": pods "priv" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostPID=true), privileged (container "shell" must not set securityContext.privileged=true)`,
    );
    const plain = await cluster.kubectl('run', 'plain', '-n', 'dev', '--image=busybox', '--restart=Never', '--', 'true');
    assert.equal(plain.code, 0, plain.stderr);
  });
});
