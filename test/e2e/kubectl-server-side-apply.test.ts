// The real kubectl's server-side apply against the HTTPS face: PATCH with
// application/apply-patch+yaml, conflicts between field managers as kubectl prints them,
// --force-conflicts, and managedFields shown by --show-managed-fields.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../src/api/object.ts';
import { kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster } from '../support/http-cluster.ts';
import { nginx } from '../support/manifests.ts';


/** Another manager's intent: the replica count and nothing else. */
const replicasOnly = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
`;

type ManagedEntry = { manager: string; operation: string; apiVersion: string; fieldsType: string; fieldsV1: Record<string, unknown> };
const replicasOf = (object: KubeObject) => (object.spec as { replicas: number }).replicas;
const managersOf = (object: KubeObject) => ((object.metadata.managedFields ?? []) as ManagedEntry[]).map((m) => `${m.manager}/${m.operation}`);

describe('kubectl apply --server-side through the HTTPS face', { timeout: 180_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
  });
  after(() => cluster?.dispose());

  const manifest = (name: string, text: string) => writeManifest(cluster, name, text);
  const ok = (...args: string[]) => kubectlOk(cluster, ...args);
  const deployment = (name: string) => cluster.client.get('deployments.apps', 'default', name);

  it('creates the seed Deployment, then applies it again unchanged', async () => {
    const path = await manifest('ssa.yaml', nginx('ssa'));
    assert.equal((await ok('apply', '--server-side', '-f', path)).stdout.trim(), 'deployment.apps/ssa serverside-applied');
    const created = await deployment('ssa');
    assert.equal(replicasOf(created), 3);
    assert.deepEqual(managersOf(created), ['kubectl/Apply']);
    const [entry] = created.metadata.managedFields as ManagedEntry[];
    assert.deepEqual([entry!.apiVersion, entry!.fieldsType], ['apps/v1', 'FieldsV1']);
    assert.deepEqual((entry!.fieldsV1['f:spec'] as Record<string, unknown>)['f:replicas'], {});
    assert.equal(created.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined, 'server-side apply keeps no annotation');

    assert.equal((await ok('apply', '--server-side', '-f', path)).stdout.trim(), 'deployment.apps/ssa serverside-applied');
    const again = await deployment('ssa');
    assert.equal(again.metadata.resourceVersion, created.metadata.resourceVersion, 'an unchanged apply writes nothing');
  });

  it('a change by another manager makes the next apply a conflict; --force-conflicts takes the field back', async () => {
    const path = await manifest('ssa-conflict.yaml', nginx('ssa-conflict'));
    await ok('apply', '--server-side', '-f', path);
    const other = await manifest('ssa-other.yaml', replicasOnly('ssa-conflict', 5));
    const refused = await cluster.kubectl('apply', '--server-side', '--field-manager=other-manager', '-f', other);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/);
    await ok('apply', '--server-side', '--field-manager=other-manager', '--force-conflicts', '-f', other);
    assert.equal(replicasOf(await deployment('ssa-conflict')), 5);

    await manifest('ssa-conflict.yaml', nginx('ssa-conflict', { image: 'nginx:1.16.1' }));
    const conflict = await cluster.kubectl('apply', '--server-side', '-f', path);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "other-manager": \.spec\.replicas$/m);
    assert.match(conflict.stderr, /--force-conflicts/, 'kubectl explains how to resolve it');
    assert.equal((await deployment('ssa-conflict')).spec?.['template' as never]?.['spec']?.['containers']?.[0]?.['image'], 'nginx:1.14.2');

    assert.equal((await ok('apply', '--server-side', '--force-conflicts', '-f', path)).stdout.trim(), 'deployment.apps/ssa-conflict serverside-applied');
    const won = await deployment('ssa-conflict');
    assert.equal(replicasOf(won), 3);
    assert.deepEqual(managersOf(won), ['kubectl/Apply'], 'other-manager lost its only field');
  });

  it('an imperative change (Update) conflicts too, named with its apiVersion', async () => {
    const path = await manifest('ssa-patched.yaml', nginx('ssa-patched'));
    await ok('apply', '--server-side', '-f', path);
    await ok('patch', 'deployment', 'ssa-patched', '--field-manager=other-manager', '-p', '{"spec":{"replicas":4}}');
    const conflict = await cluster.kubectl('apply', '--server-side', '-f', path);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "other-manager" using apps\/v1: \.spec\.replicas/);
  });

  it('get -o yaml --show-managed-fields shows the managers; plain -o yaml hides them', async () => {
    const path = await manifest('ssa-shown.yaml', nginx('ssa-shown'));
    await ok('apply', '--server-side', '-f', path);
    await ok('label', 'deployment', 'ssa-shown', 'tier=web');
    const shown = parseYaml((await ok('get', 'deployment', 'ssa-shown', '-o', 'yaml', '--show-managed-fields')).stdout) as KubeObject;
    assert.deepEqual(managersOf(shown), ['kubectl/Apply', 'kubectl-label/Update']);
    const label = (shown.metadata.managedFields as ManagedEntry[])[1]!;
    assert.deepEqual(label.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
    const hidden = parseYaml((await ok('get', 'deployment', 'ssa-shown', '-o', 'yaml')).stdout) as KubeObject;
    assert.equal(hidden.metadata.managedFields, undefined);
  });

  it('client-side apply and create record their managers as Update', async () => {
    await ok('apply', '-f', await manifest('csa.yaml', nginx('csa')));
    assert.deepEqual(managersOf(await deployment('csa')), ['kubectl-client-side-apply/Update']);
  });

  it('server-side apply after client-side apply takes over the fields kubectl applied, without conflicts', async () => {
    await ok('apply', '-f', await manifest('upgrade-csa.yaml', nginx('upgrade', { replicas: 2 })));
    assert.deepEqual(managersOf(await deployment('upgrade')), ['kubectl-client-side-apply/Update']);
    // The fields of the last-applied annotation pass to kubectl's Apply without --force-conflicts.
    await ok('apply', '--server-side', '-f', await manifest('upgrade-ssa.yaml', nginx('upgrade', { replicas: 4 })));
    const upgraded = await deployment('upgrade');
    assert.equal(replicasOf(upgraded), 4);
    const entries = (upgraded.metadata.managedFields ?? []) as ManagedEntry[];
    const owns = (manager: string) => !!(entries.find((m) => m.manager === manager)?.fieldsV1 as { 'f:spec'?: Record<string, unknown> } | undefined)?.['f:spec']?.['f:replicas'];
    assert.equal(owns('kubectl'), true, 'kubectl (Apply) owns spec.replicas');
    assert.equal(owns('kubectl-client-side-apply'), false, 'the client-side apply gave it up');
    // A field that was never in the client-side apply still conflicts.
    await ok('label', 'deployment/upgrade', 'team=blue');
    const withTeam = nginx('upgrade', { replicas: 4 }).replace('  labels:\n    app: nginx\n', '  labels:\n    app: nginx\n    team: green\n');
    const conflict = await cluster.kubectl('apply', '--server-side', '-f', await manifest('upgrade-ssa-2.yaml', withTeam));
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict with "kubectl-label" using apps\/v1: \.metadata\.labels\.team/);
  });
});
