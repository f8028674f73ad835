// PodSecurity's warnings with the real kubectl: a namespace labelled warn=baseline admits
// a privileged pod and kubectl prints `Warning: would violate PodSecurity ...` on stderr;
// in an enforce=baseline namespace a Deployment whose template would be refused is
// created, with the same warning (its pods will be refused when the ReplicaSet makes them);
// labelling a namespace enforce=baseline warns about the pods already there.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster } from '../support/http-cluster.ts';

const podSpec = `  hostNetwork: true
  containers:
  - name: shell
    image: busybox
    command: ["sleep", "60"]
    securityContext:
      privileged: true`;

describe('PodSecurity warnings with kubectl', { timeout: 60_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
  });
  after(() => cluster?.dispose());

  it('warn=baseline: the privileged pod is created, and kubectl prints the warning', async () => {
    await kubectlOk(cluster, 'create', 'namespace', 'warned');
    await kubectlOk(cluster, 'label', 'ns', 'warned', 'pod-security.kubernetes.io/warn=baseline');
    const manifest = await writeManifest(cluster, 'warned-pod.yaml', `apiVersion: v1\nkind: Pod\nmetadata:\n  name: priv\n  namespace: warned\nspec:\n${podSpec}\n`);
    const result = await kubectlOk(cluster, 'apply', '-f', manifest);
    assert.equal(result.stdout, 'pod/priv created\n');
    assert.equal(
      result.stderr,
      'Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "shell" must not set securityContext.privileged=true)\n',
    );
  });

  it('enforce=baseline: a Deployment with a privileged template is created with a warning', async () => {
    await kubectlOk(cluster, 'create', 'namespace', 'enforced');
    await kubectlOk(cluster, 'label', 'ns', 'enforced', 'pod-security.kubernetes.io/enforce=baseline');
    const manifest = await writeManifest(
      cluster,
      'enforced-deployment.yaml',
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: priv\n  namespace: enforced\nspec:\n  selector:\n    matchLabels: {app: priv}\n  template:\n    metadata:\n      labels: {app: priv}\n    spec:\n${podSpec.replace(/^/gm, '    ')}\n`,
    );
    const result = await kubectlOk(cluster, 'apply', '-f', manifest);
    assert.equal(result.stdout, 'deployment.apps/priv created\n');
    assert.match(result.stderr, /^Warning: would violate PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\), privileged \(container "shell" must not set securityContext\.privileged=true\)$/m);
  });

  it('labelling a namespace enforce=baseline warns about the pods already there that it would refuse', async () => {
    const result = await kubectlOk(cluster, 'label', 'ns', 'warned', 'pod-security.kubernetes.io/enforce=baseline');
    assert.equal(result.stdout, 'namespace/warned labeled\n');
    assert.equal(
      result.stderr,
      'Warning: existing pods in namespace "warned" violate the new PodSecurity enforce level "baseline:latest"\nWarning: priv: host namespaces, privileged\n',
    );
  });
});
