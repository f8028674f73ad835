// `kubectl diff -f` through the HTTPS face: kubectl GETs each object, asks the server what
// applying the file would make of it (a dry-run POST for a new object, a dry-run strategic
// merge PATCH for an existing one, or with --server-side a dry-run apply PATCH), and diffs
// the live object against that answer. Exit code 1 when there are differences, 0 when none,
// above 1 on errors. Checks the printed diff and that the store never changes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nginx } from '../support/manifests.ts';
import { kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster } from '../support/http-cluster.ts';

const configMapYaml = (name: string, data: Record<string, string>) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  labels:
    app: diffed
data:
${Object.entries(data)
  .map(([k, v]) => `  ${k}: "${v}"`)
  .join('\n')}
`;

/** The +/- lines of a unified diff, without the ---/+++ file header. */
const changedLines = (out: string) => out.split('\n').filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));

describe('kubectl diff through the HTTPS face', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
  });
  after(() => cluster?.dispose());

  const diff = (...args: string[]) => cluster.kubectl('diff', ...args);
  const revisionOf = async (resource: string, name: string) => (await cluster.client.get(resource, 'default', name)).metadata.resourceVersion;

  it('a new object: the whole object is added, exit 1, nothing is created', async () => {
    const file = await writeManifest(cluster, 'new.yaml', configMapYaml('fresh', { a: '1' }));
    const result = await diff('-f', file);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^diff -u -N \S+\/v1\.ConfigMap\.default\.fresh \S+\/v1\.ConfigMap\.default\.fresh$/m);
    const lines = changedLines(result.stdout);
    assert.ok(lines.every((l) => l.startsWith('+')), `only additions: ${lines.join('\n')}`);
    for (const wanted of ['+apiVersion: v1', '+kind: ConfigMap', '+  a: "1"', '+  name: fresh', '+  namespace: default']) assert.ok(lines.includes(wanted), `missing ${wanted}`);
    // The dry run answered a uid and a creationTimestamp, as a real create would.
    assert.ok(lines.some((l) => /^\+ {2}uid: \S+$/.test(l)));
    assert.ok(lines.some((l) => /^\+ {2}creationTimestamp: "\d{4}-\d\d-\d\dT/.test(l)));
    await assert.rejects(cluster.client.get('configmaps', 'default', 'fresh'), /not found/);
  });

  it('an applied object, unchanged: no output, exit 0', async () => {
    const file = await writeManifest(cluster, 'same.yaml', configMapYaml('same', { a: '1', b: '2' }));
    await kubectlOk(cluster, 'apply', '-f', file);
    const result = await diff('-f', file);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
  });

  it('a changed field: exactly that line differs, exit 1, the live object is untouched', async () => {
    await kubectlOk(cluster, 'apply', '-f', await writeManifest(cluster, 'changed.yaml', configMapYaml('changed', { a: '1', b: '2' })));
    const revision = await revisionOf('configmaps', 'changed');
    const file = await writeManifest(cluster, 'changed.yaml', configMapYaml('changed', { a: '1', b: '3', c: '4' }));
    const result = await diff('-f', file);
    assert.equal(result.code, 1, result.stderr);
    const lines = changedLines(result.stdout).filter((l) => !l.includes('last-applied-configuration') && !l.includes('{"apiVersion"'));
    assert.deepEqual(lines, ['-  b: "2"', '+  b: "3"', '+  c: "4"']);
    const live = await cluster.client.get('configmaps', 'default', 'changed');
    assert.deepEqual(live.data, { a: '1', b: '2' });
    assert.equal(live.metadata.resourceVersion, revision);
  });

  it('a Deployment: server defaults cause no spurious differences; a new image is the only change', async () => {
    await kubectlOk(cluster, 'apply', '-f', await writeManifest(cluster, 'web.yaml', nginx('web')));
    const same = await diff('-f', await writeManifest(cluster, 'web.yaml', nginx('web')));
    assert.equal(same.code, 0, `${same.stdout}${same.stderr}`);
    assert.equal(same.stdout, '');

    const revision = await revisionOf('deployments.apps', 'web');
    const result = await diff('-f', await writeManifest(cluster, 'web-new.yaml', nginx('web', { image: 'nginx:1.16.1' })));
    assert.equal(result.code, 1, result.stderr);
    const lines = changedLines(result.stdout).filter((l) => !l.includes('{"apiVersion"'));
    // generation moves with the spec, as the real dry run shows.
    assert.deepEqual(lines, ['-  generation: 1', '+  generation: 2', '-      - image: nginx:1.14.2', '+      - image: nginx:1.16.1']);
    assert.equal(await revisionOf('deployments.apps', 'web'), revision);
  });

  it('--server-side: a dry-run apply, exit 0 unchanged and 1 with the difference', async () => {
    const file = await writeManifest(cluster, 'ssa.yaml', configMapYaml('ssa', { a: '1' }));
    await kubectlOk(cluster, 'apply', '--server-side', '-f', file);
    const same = await diff('--server-side', '-f', file);
    assert.equal(same.code, 0, `${same.stdout}${same.stderr}`);
    assert.equal(same.stdout, '');

    const revision = await revisionOf('configmaps', 'ssa');
    const changed = await diff('--server-side', '-f', await writeManifest(cluster, 'ssa.yaml', configMapYaml('ssa', { a: '2' })));
    assert.equal(changed.code, 1, changed.stderr);
    assert.deepEqual(changedLines(changed.stdout), ['-  a: "1"', '+  a: "2"']);
    assert.deepEqual((await cluster.client.get('configmaps', 'default', 'ssa')).data, { a: '1' });
    assert.equal(await revisionOf('configmaps', 'ssa'), revision);
  });

  it('--server-side against another manager’s field is a conflict (exit above 1) unless --force-conflicts', async () => {
    await cluster.client.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owned', namespace: 'default' },
      data: { a: '1' },
    });
    const file = await writeManifest(cluster, 'owned.yaml', configMapYaml('owned', { a: '2' }));
    const refused = await diff('--server-side', '-f', file);
    assert.ok(refused.code > 1, `exit ${refused.code}`);
    assert.match(refused.stderr, /Error from server \(Conflict\): Apply failed with 1 conflict: conflict with "[^"]+"[^:]*: \.data\.a/);

    const forced = await diff('--server-side', '--force-conflicts', '-f', file);
    assert.equal(forced.code, 1, forced.stderr);
    assert.ok(changedLines(forced.stdout).includes('+  a: "2"'));
    assert.deepEqual((await cluster.client.get('configmaps', 'default', 'owned')).data, { a: '1' });
  });

  it('a multi-document file diffs each object; only the changed one shows', async () => {
    await kubectlOk(cluster, 'apply', '-f', await writeManifest(cluster, 'multi.yaml', `${configMapYaml('m1', { a: '1' })}---\n${configMapYaml('m2', { a: '1' })}`));
    const file = await writeManifest(cluster, 'multi.yaml', `${configMapYaml('m1', { a: '1' })}---\n${configMapYaml('m2', { a: '9' })}`);
    const result = await diff('-f', file);
    assert.equal(result.code, 1, result.stderr);
    assert.doesNotMatch(result.stdout, /v1\.ConfigMap\.default\.m1/);
    assert.match(result.stdout, /v1\.ConfigMap\.default\.m2/);
    assert.deepEqual(
      changedLines(result.stdout).filter((l) => !l.includes('{"apiVersion"')),
      ['-  a: "1"', '+  a: "9"'],
    );
  });
});
