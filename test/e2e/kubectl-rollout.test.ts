// The real kubectl driving a Deployment through the Deployment, ReplicaSet and garbage
// collector controllers: `rollout status` returns once the test (standing in for a
// kubelet) has made the pods ready, `set image` rolls to a new ReplicaSet, and
// `rollout undo` restores the previous template, whose ReplicaSet takes the next revision.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';
import { startWorkloadControllers, type WorkloadControllers } from '../support/workload-controllers.ts';

describe('kubectl rollout', { timeout: 180_000 }, () => {
  let cluster: HttpTestCluster;
  let controllers: WorkloadControllers | undefined;

  before(async () => {
    cluster = await startHttpTestCluster();
    controllers = await startWorkloadControllers(cluster.client);
  });
  after(async () => {
    await controllers?.stop();
    await cluster?.dispose();
  });

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout.trim();
  const image = async () => ok('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');

  it('rollout status, set image, rollout undo', async () => {
    await ok('create', 'deployment', 'web', '--image=nginx:1', '--replicas=2');
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /deployment "web" successfully rolled out/);

    await ok('set', 'image', 'deployment/web', 'nginx=nginx:2');
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    assert.equal(await image(), 'nginx:2');

    assert.match(await ok('rollout', 'undo', 'deployment/web'), /deployment.apps\/web rolled back/);
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    assert.equal(await image(), 'nginx:1');
    assert.equal(await ok('get', 'deployment', 'web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}'), '3');
    // Two ReplicaSets: the first one took revision 3 back; the nginx:2 one is scaled to 0.
    const rss = JSON.parse(await ok('get', 'rs', '-l', 'app=web', '-o', 'json')) as { items: { metadata: { annotations: Record<string, string> }; spec: { replicas: number } }[] };
    assert.deepEqual(rss.items.map((rs) => [rs.metadata.annotations['deployment.kubernetes.io/revision'], rs.spec.replicas]).sort(), [['2', 0], ['3', 2]]);
    assert.match(await ok('rollout', 'history', 'deployment/web'), /2\s[\s\S]*3\s/);
  });
});
