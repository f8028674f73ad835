// The real kubectl against the HTTPS face, read side: version, discovery, get in every
// output kubectl offers, selectors, all namespaces, and error output.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

describe('kubectl reads through the HTTPS face', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
    const { client } = cluster;
    await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    await client.create('configmaps', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default', labels: { app: 'web' } }, data: { a: '1', b: '2' },
    });
    await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prices', namespace: 'shop', labels: { app: 'shop' } }, data: {} });
    await client.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    });
    await client.create('deployments.apps', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      },
    });
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;
  const lines = (text: string) => text.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));

  it('version reports the server as v1.32', async () => {
    const out = await ok('version');
    assert.match(out, /Server Version: v1\.32\.\d+/);
  });

  it('api-resources lists the registry with short names and groups', async () => {
    const out = await ok('api-resources');
    assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    assert.match(out, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
  });

  it('get ns shows STATUS and AGE', async () => {
    const rows = lines(await ok('get', 'ns'));
    assert.deepEqual(rows[0], ['NAME', 'STATUS', 'AGE']);
    const names = rows.slice(1).map((r) => r[0]);
    for (const ns of ['default', 'kube-system', 'shop']) assert.ok(names.includes(ns), ns);
    assert.ok(rows.slice(1).every((r) => r[1] === 'Active'));
  });

  it('get with -A, -l, --show-labels and --field-selector', async () => {
    const all = lines(await ok('get', 'configmaps', '-A', '--show-labels'));
    assert.deepEqual(all[0], ['NAMESPACE', 'NAME', 'DATA', 'AGE', 'LABELS']);
    assert.deepEqual(all.slice(1).map((r) => [r[0], r[1], r[2], r[4]]), [
      ['default', 'settings', '2', 'app=web'],
      ['shop', 'prices', '0', 'app=shop'],
    ]);
    assert.equal(lines(await ok('get', 'cm', '-A', '-l', 'app=shop')).length, 2);
    const byField = lines(await ok('get', 'cm', '-A', '--field-selector', 'metadata.namespace=default'));
    assert.deepEqual(byField.slice(1).map((r) => r[1]), ['settings']);
  });

  it('get pods and deployments, plain and wide', async () => {
    const pods = lines(await ok('get', 'pods', '-o', 'wide'));
    assert.deepEqual(pods[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    assert.deepEqual(pods[1]!.slice(0, 4), ['web-1', '0/1', 'Pending', '0']);
    const deployments = lines(await ok('get', 'deploy', '-o', 'wide'));
    assert.deepEqual(deployments[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.deepEqual([deployments[1]![0], deployments[1]![1], ...deployments[1]!.slice(5)], ['web', '0/2', 'web', 'nginx:1.27', 'app=web']);
  });

  it('get -o yaml, json, name and jsonpath', async () => {
    assert.match(await ok('get', 'cm', 'settings', '-o', 'yaml'), /^kind: ConfigMap$/m);
    const json = JSON.parse(await ok('get', 'cm', '-o', 'json'));
    assert.equal(json.kind, 'List');
    assert.deepEqual(json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['settings']);
    assert.equal((await ok('get', 'cm', '-A', '-o', 'name')).trim(), 'configmap/settings\nconfigmap/prices');
    assert.equal(await ok('get', 'cm', 'settings', '-o', 'jsonpath={.data.b}'), '2');
  });

  it('get all finds pods and deployments through the "all" category', async () => {
    const out = await ok('get', 'all');
    assert.match(out, /^pod\/web-1\s/m);
    assert.match(out, /^deployment\.apps\/web\s/m);
  });

  it('errors come back as kubectl prints Status errors', async () => {
    const missing = await cluster.kubectl('get', 'pod', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    const forbidden = await cluster.kubectl('get', 'cm', '--field-selector', 'data.k=v');
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /Error from server \(BadRequest\): .*field label not supported: data\.k/);
  });
});
