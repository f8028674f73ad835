// The real kubectl's declarative side against the HTTPS face: everything that needs the
// /openapi/v3 documents (explain, create -f, client-side apply with its strategic merge
// patches, edit, --validate=strict) and the scale subresource.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster } from '../support/http-cluster.ts';
import { nginx } from '../support/manifests.ts';


const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  k: ${value}
`;

type Container = { name: string; image?: string; ports?: { containerPort: number; protocol?: string }[] };
const containersOf = (object: KubeObject) => (object.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
const replicasOf = (object: KubeObject) => (object.spec as { replicas: number }).replicas;

describe('kubectl apply, create -f, edit, explain and scale through the HTTPS face', { timeout: 180_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
  });
  after(() => cluster?.dispose());

  const manifest = (name: string, text: string) => writeManifest(cluster, name, text);
  const ok = (...args: string[]) => kubectlOk(cluster, ...args);
  const deployment = (name: string) => cluster.client.get('deployments.apps', 'default', name);

  it('explain deployment.spec.strategy reads the schema from /openapi/v3', async () => {
    const { stdout } = await ok('explain', 'deployment.spec.strategy');
    assert.match(stdout, /^GROUP:\s+apps$/m);
    assert.match(stdout, /^KIND:\s+Deployment$/m);
    assert.match(stdout, /^VERSION:\s+v1$/m);
    assert.match(stdout, /^FIELD: strategy <DeploymentStrategy>$/m);
    assert.match(stdout, /The deployment strategy to use to replace existing pods with new ones\./);
    assert.match(stdout, /^\s+rollingUpdate\s+<RollingUpdateDeployment>\n\s+Rolling update config params\./m);
    assert.match(stdout, /^\s+type\s+<string>$/m);
    assert.match(stdout, /enum: Recreate, RollingUpdate/);
  });

  it('apply -f creates the seed Deployment, then leaves it unchanged, then configures a change', async () => {
    const path = await manifest('nginx.yaml', nginx('nginx-deployment'));
    assert.equal((await ok('apply', '-f', path)).stdout.trim(), 'deployment.apps/nginx-deployment created');
    const created = await deployment('nginx-deployment');
    assert.equal(replicasOf(created), 3);
    assert.deepEqual(containersOf(created).map((c) => [c.name, c.image, c.ports?.[0]?.containerPort]), [['nginx', 'nginx:1.14.2', 80]]);
    assert.match(created.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '', /"replicas":3/);

    assert.equal((await ok('apply', '-f', path)).stdout.trim(), 'deployment.apps/nginx-deployment unchanged');

    await manifest('nginx.yaml', nginx('nginx-deployment', { replicas: 5, image: 'nginx:1.16.1' }));
    const configured = await ok('apply', '-f', path);
    assert.equal(configured.stdout.trim(), 'deployment.apps/nginx-deployment configured');
    assert.doesNotMatch(configured.stderr, /error calculating patch/, 'the patch is computed from our OpenAPI v3 schema');
    const changed = await deployment('nginx-deployment');
    assert.equal(replicasOf(changed), 5);
    // The container merged by name: the new image, the port (with its defaulted protocol) kept.
    assert.deepEqual(containersOf(changed), [{ ...containersOf(created)[0], image: 'nginx:1.16.1' }]);
  });

  it('apply -f computes directives from the schema: a deleted env var, a new container order, a strategy switched by $retainKeys', async () => {
    const path = await manifest('directives.yaml', nginx('directives').replace('        ports:', '        env:\n        - name: A\n          value: a\n        - name: B\n          value: b\n        ports:'));
    await ok('apply', '-f', path);
    const sidecarFirst = nginx('directives', { extra: '\n  strategy:\n    type: Recreate' })
      .replace('      containers:\n', '      containers:\n      - name: side\n        image: busybox\n')
      .replace('        ports:', '        env:\n        - name: B\n          value: b\n        ports:');
    await manifest('directives.yaml', sidecarFirst);
    assert.equal((await ok('apply', '-f', path)).stdout.trim(), 'deployment.apps/directives configured');
    const changed = await deployment('directives');
    assert.deepEqual(changed.spec?.['strategy' as never], { type: 'Recreate' }, 'the defaulted rollingUpdate went with $retainKeys');
    assert.deepEqual(containersOf(changed).map((c) => c.name), ['side', 'nginx']);
    assert.deepEqual((containersOf(changed)[1] as { env?: unknown }).env, [{ name: 'B', value: 'b' }]);
  });

  it('apply -f of a multi-document file reports each object', async () => {
    const docs = (bValue: string) => [nginx('multi-a'), nginx('multi-b'), configMap('multi-c', bValue)].join('---\n');
    const path = await manifest('multi.yaml', docs('one'));
    assert.equal((await ok('apply', '-f', path)).stdout.trim(), ['deployment.apps/multi-a created', 'deployment.apps/multi-b created', 'configmap/multi-c created'].join('\n'));
    assert.equal(
      (await ok('apply', '-f', path)).stdout.trim(),
      ['deployment.apps/multi-a unchanged', 'deployment.apps/multi-b unchanged', 'configmap/multi-c unchanged'].join('\n'),
    );
    await manifest('multi.yaml', docs('two'));
    assert.equal(
      (await ok('apply', '-f', path)).stdout.trim(),
      ['deployment.apps/multi-a unchanged', 'deployment.apps/multi-b unchanged', 'configmap/multi-c configured'].join('\n'),
    );
    assert.deepEqual((await cluster.client.get('configmaps', 'default', 'multi-c')).data, { k: 'two' });
  });

  it('create -f creates, and a second create is AlreadyExists', async () => {
    const path = await manifest('created.yaml', nginx('created'));
    assert.equal((await ok('create', '-f', path)).stdout.trim(), 'deployment.apps/created created');
    assert.equal(replicasOf(await deployment('created')), 3);
    const again = await cluster.kubectl('create', '-f', path);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /Error from server \(AlreadyExists\): error when creating ".*created\.yaml": deployments\.apps "created" already exists/);
  });

  it('patch defaults to strategic merge patch: containers merge by name, $patch: delete removes one', async () => {
    await ok('create', '-f', await manifest('patched.yaml', nginx('patched')));
    const sidecar = '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}';
    assert.equal((await ok('patch', 'deployment', 'patched', '-p', sidecar)).stdout.trim(), 'deployment.apps/patched patched');
    assert.deepEqual(containersOf(await deployment('patched')).map((c) => [c.name, c.image]), [['nginx', 'nginx:1.14.2'], ['side', 'busybox']]);
    const remove = '{"spec":{"template":{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}}}';
    await ok('patch', 'deployment', 'patched', '-p', remove);
    assert.deepEqual(containersOf(await deployment('patched')).map((c) => c.name), ['nginx']);
  });

  it('edit with a scripted editor', async () => {
    await ok('create', '-f', await manifest('edited.yaml', nginx('edited')));
    const result = await cluster.kubectlWithEnv({ KUBE_EDITOR: 'sed -i s/replicas:\\ 3/replicas:\\ 4/' }, 'edit', 'deployment', 'edited');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'deployment.apps/edited edited');
    assert.equal(replicasOf(await deployment('edited')), 4);
  });

  it('apply --validate=strict refuses an unknown field; --validate=warn warns and drops it', async () => {
    const path = await manifest('unknown.yaml', nginx('unknown', { extra: '\n  foo: bar' }));
    const strict = await cluster.kubectl('apply', '--validate=strict', '-f', path);
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /Error from server \(BadRequest\): error when creating ".*unknown\.yaml": strict decoding error: unknown field "spec\.foo"/);
    await assert.rejects(deployment('unknown'), /not found/);

    const warn = await ok('apply', '--validate=warn', '-f', path);
    assert.equal(warn.stdout.trim(), 'deployment.apps/unknown created');
    assert.match(warn.stderr, /Warning: unknown field "spec\.foo"/);
    assert.equal((await deployment('unknown') as { spec?: Record<string, unknown> }).spec?.foo, undefined);
  });

  it('scale through the scale subresource', async () => {
    await ok('create', '-f', await manifest('scaled.yaml', nginx('scaled')));
    assert.equal((await ok('scale', 'deployment', 'scaled', '--replicas=2')).stdout.trim(), 'deployment.apps/scaled scaled');
    assert.equal(replicasOf(await deployment('scaled')), 2);
    const scale = JSON.parse((await ok('get', '--raw', '/apis/apps/v1/namespaces/default/deployments/scaled/scale')).stdout);
    assert.deepEqual(
      [scale.apiVersion, scale.kind, scale.metadata.name, scale.spec, scale.status.selector],
      ['autoscaling/v1', 'Scale', 'scaled', { replicas: 2 }, 'app=nginx'],
    );
    const guarded = await cluster.kubectl('scale', 'deployment', 'scaled', '--current-replicas=3', '--replicas=1');
    assert.notEqual(guarded.code, 0, 'the precondition on the current count holds');
    assert.match(guarded.stderr, /Expected replicas to be 3, was 2/);
  });

  it('scale a ReplicaSet and a StatefulSet', async () => {
    const asKind = (kind: string, name: string) => nginx(name).replace('kind: Deployment', `kind: ${kind}`);
    await ok('apply', '-f', await manifest('rs.yaml', [asKind('ReplicaSet', 'rs-scaled'), asKind('StatefulSet', 'sts-scaled')].join('---\n')));
    assert.equal((await ok('scale', 'replicaset', 'rs-scaled', '--replicas=0')).stdout.trim(), 'replicaset.apps/rs-scaled scaled');
    assert.equal((await ok('scale', 'statefulset', 'sts-scaled', '--replicas=7')).stdout.trim(), 'statefulset.apps/sts-scaled scaled');
    assert.equal(replicasOf(await cluster.client.get('replicasets.apps', 'default', 'rs-scaled')), 0);
    assert.equal(replicasOf(await cluster.client.get('statefulsets.apps', 'default', 'sts-scaled')), 7);
  });
});
