// The real kubectl's generators against the HTTPS face: `kubectl create namespace|
// configmap|secret|deployment|service|job|serviceaccount` send protobuf bodies (no JSON
// fallback), which the server decodes and stores as the JSON Kubernetes would; and
// `--dry-run=server -o yaml` answers with the defaulted object without writing it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

describe('kubectl create (protobuf bodies) through the HTTPS face', { timeout: 180_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout.trim();
  const stored = (resource: string, namespace: string, name: string) => cluster.client.get(resource, namespace, name);

  it('create namespace', async () => {
    assert.equal(await ok('create', 'namespace', 'x'), 'namespace/x created');
    const ns = await stored('namespaces', '', 'x');
    assert.equal(ns.metadata.name, 'x');
    assert.ok(ns.metadata.uid);
    assert.ok(ns.metadata.creationTimestamp);
  });

  it('create configmap --from-literal', async () => {
    assert.equal(await ok('create', 'configmap', 'c', '--from-literal=a=1', '--from-literal=b=2'), 'configmap/c created');
    const cm = await stored('configmaps', 'default', 'c');
    assert.deepEqual(cm.data, { a: '1', b: '2' });
  });

  it('create secret generic keeps the bytes, base64 in JSON', async () => {
    assert.equal(await ok('create', 'secret', 'generic', 's', '--from-literal=k=v'), 'secret/s created');
    const secret = await stored('secrets', 'default', 's');
    assert.deepEqual(secret.data, { k: Buffer.from('v').toString('base64') });
    assert.equal(secret.type, 'Opaque');
  });

  it('create deployment --replicas --port', async () => {
    assert.equal(await ok('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80'), 'deployment.apps/web created');
    const deploy = await stored('deployments.apps', 'default', 'web');
    const spec = deploy.spec as Record<string, any>;
    assert.equal(spec.replicas, 2);
    assert.deepEqual(spec.selector, { matchLabels: { app: 'web' } });
    assert.deepEqual(spec.template.metadata.labels, { app: 'web' });
    const [container] = spec.template.spec.containers;
    assert.equal(container.name, 'nginx');
    assert.equal(container.image, 'nginx:1.27');
    assert.deepEqual(container.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.equal(spec.strategy.type, 'RollingUpdate');
    assert.match(await ok('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'), /^nginx:1\.27$/);
  });

  it('create service clusterip --tcp: targetPort is an integer', async () => {
    assert.equal(await ok('create', 'service', 'clusterip', 'svc', '--tcp=80:8080'), 'service/svc created');
    const svc = await stored('services', 'default', 'svc');
    const spec = svc.spec as Record<string, any>;
    assert.equal(spec.type, 'ClusterIP');
    assert.deepEqual(spec.selector, { app: 'svc' });
    assert.deepEqual(spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
  });

  it('create job with a command', async () => {
    assert.equal(await ok('create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'), 'job.batch/j created');
    const job = await stored('jobs.batch', 'default', 'j');
    const podSpec = (job.spec as Record<string, any>).template.spec;
    assert.equal(podSpec.restartPolicy, 'Never');
    assert.equal(podSpec.containers[0].image, 'busybox');
    assert.deepEqual(podSpec.containers[0].command, ['echo', 'hi']);
  });

  it('create serviceaccount', async () => {
    assert.equal(await ok('create', 'serviceaccount', 'sa'), 'serviceaccount/sa created');
    assert.equal((await stored('serviceaccounts', 'default', 'sa')).metadata.name, 'sa');
  });

  it('create --dry-run=server -o yaml answers the defaulted object and writes nothing', async () => {
    const out = await ok('create', 'deployment', 'dry', '--image=nginx', '--dry-run=server', '-o', 'yaml');
    const object = parseYaml(out) as Record<string, any>;
    assert.equal(object.kind, 'Deployment');
    assert.equal(object.metadata.name, 'dry');
    assert.equal(object.spec.replicas, 1);
    assert.equal(object.spec.template.spec.containers[0].image, 'nginx');
    assert.equal(object.spec.template.spec.containers[0].imagePullPolicy, 'Always');
    await assert.rejects(stored('deployments.apps', 'default', 'dry'), /not found/);
  });

  it('an existing name is AlreadyExists', async () => {
    const again = await cluster.kubectl('create', 'configmap', 'c', '--from-literal=a=1');
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /configmaps "c" already exists/);
  });
});
