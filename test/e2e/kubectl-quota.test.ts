// ResourceQuota and LimitRange with the real kubectl: `kubectl create quota`, the quota
// controller filling its status, `kubectl run` admitted then refused with Kubernetes'
// exceeded-quota text, `kubectl get quota` / `describe quota` as kubectl prints them
// against Kubernetes 1.32, and a LimitRange's defaults on a `kubectl run` pod.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import { newResourceQuotaController } from '../../src/controllers/resourcequota/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { eventually } from '../support/cluster.ts';
import { kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster } from '../support/http-cluster.ts';

describe('kubectl with quotas and limit ranges', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  let factory: SharedInformerFactory;
  let actor: Actor<typeof controllerMachine>;

  before(async () => {
    cluster = await startHttpTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    actor = createActor(controllerMachine, { input: { controller: newResourceQuotaController(cluster.client, factory) } });
    actor.start();
    await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  });

  after(async () => {
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await cluster.dispose();
  });

  it('create quota, run one pod, the second run is refused in Kubernetes words; get and describe print the usage', async () => {
    await kubectlOk(cluster, 'create', 'namespace', 'team');
    const created = await kubectlOk(cluster, 'create', 'quota', 'q', '--hard=pods=1,requests.cpu=1', '-n', 'team');
    assert.equal(created.stdout.trim(), 'resourcequota/q created');
    await eventually(async () => ((await cluster.client.get('resourcequotas', 'team', 'q')).status as { used?: object } | undefined)?.used, 10_000, 'the quota initialised');

    await kubectlOk(cluster, 'run', 'first', '--image=busybox', '--restart=Never', '--overrides={"spec":{"containers":[{"name":"first","image":"busybox","resources":{"requests":{"cpu":"250m"}}}]}}', '-n', 'team');
    const second = await cluster.kubectl('run', 'second', '--image=busybox', '--restart=Never', '--overrides={"spec":{"containers":[{"name":"second","image":"busybox","resources":{"requests":{"cpu":"250m"}}}]}}', '-n', 'team');
    assert.equal(second.code, 1);
    assert.equal(second.stderr.trim(), 'Error from server (Forbidden): pods "second" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1');

    const noCpu = await cluster.kubectl('run', 'third', '--image=busybox', '--restart=Never', '-n', 'team');
    assert.equal(noCpu.stderr.trim(), 'Error from server (Forbidden): pods "third" is forbidden: failed quota: q: must specify requests.cpu');

    const get = await kubectlOk(cluster, 'get', 'quota', '-n', 'team');
    const [header, row] = get.stdout.trimEnd().split('\n');
    assert.match(header!, /^NAME\s+AGE\s+REQUEST\s+LIMIT$/);
    assert.match(row!, /^q\s+\d+s\s+pods: 1\/1, requests\.cpu: 250m\/1\s*$/);

    const describe = await kubectlOk(cluster, 'describe', 'quota', 'q', '-n', 'team');
    assert.match(describe.stdout, /^Name:\s+q\nNamespace:\s+team\nResource\s+Used\s+Hard\n-+\s+-+\s+-+\npods\s+1\s+1\nrequests\.cpu\s+250m\s+1\n$/);
  });

  it('the plain sequence: create quota --hard=pods=1, run, run again', async () => {
    await kubectlOk(cluster, 'create', 'namespace', 'plain');
    await kubectlOk(cluster, 'create', 'quota', 'q', '--hard=pods=1', '-n', 'plain');
    await eventually(async () => ((await cluster.client.get('resourcequotas', 'plain', 'q')).status as { used?: object } | undefined)?.used, 10_000, 'the quota initialised');
    assert.equal((await kubectlOk(cluster, 'run', 'a', '--image=busybox', '-n', 'plain')).stdout.trim(), 'pod/a created');
    const b = await cluster.kubectl('run', 'b', '--image=busybox', '-n', 'plain');
    assert.equal(b.code, 1);
    assert.equal(b.stderr.trim(), 'Error from server (Forbidden): pods "b" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1');
  });

  it('a LimitRange fills in what kubectl run leaves out, and get limits lists it', async () => {
    await kubectlOk(cluster, 'create', 'namespace', 'bounded');
    const manifest = await writeManifest(
      cluster,
      'limits.yaml',
      `apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: bounded
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
    max: {memory: 1Gi}
`,
    );
    await kubectlOk(cluster, 'apply', '-f', manifest);
    await kubectlOk(cluster, 'run', 'web', '--image=busybox', '--restart=Never', '-n', 'bounded');
    const annotation = await kubectlOk(cluster, 'get', 'pod', 'web', '-n', 'bounded', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}');
    assert.equal(annotation.stdout, 'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');
    const big = await cluster.kubectl('run', 'big', '--image=busybox', '--restart=Never', '-n', 'bounded', '--overrides={"spec":{"containers":[{"name":"big","image":"busybox","resources":{"limits":{"memory":"2Gi"}}}]}}');
    assert.equal(big.stderr.trim(), 'Error from server (Forbidden): pods "big" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi');
    const limits = await kubectlOk(cluster, 'get', 'limits', '-n', 'bounded');
    assert.match(limits.stdout, /^NAME\s+CREATED AT\ndefaults\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  });
});
