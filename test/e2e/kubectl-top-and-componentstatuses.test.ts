// kubectl get componentstatuses and kubectl top against a whole cluster with leader
// election on: the scheduler and controller manager are healthy while their leaders hold
// their Leases, the store while JetStream answers; the kubelet measures its node and its
// pods' processes from /proc and the API server serves metrics.k8s.io.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/cluster.ts';
import { kubectlOk } from '../support/http-cluster.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

describe('componentstatuses and kubectl top', { timeout: 120_000 }, () => {
  let cluster: NodeTestCluster;
  before(async () => {
    cluster = await startNodeCluster({ leaderElect: true });
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;

  it('get componentstatuses: scheduler, controller-manager and the store, Healthy', async () => {
    const rows = await eventually(async () => {
      const out = await ok('get', 'componentstatuses', '--no-headers');
      const lines = out.trim().split('\n').map((l) => l.split(/\s+/));
      return lines.length === 3 && lines.every((l) => l[1] === 'Healthy') ? lines : undefined;
    }, 30_000, 'every component Healthy');
    assert.deepEqual(rows.map((r) => r[0]), ['scheduler', 'controller-manager', 'jetstream-0']);
    assert.equal((await ok('get', 'cs', 'scheduler', '-o', 'jsonpath={.conditions[0].message}')), 'ok');
    const refused = await cluster.kubectl('delete', 'cs', 'scheduler');
    assert.notEqual(refused.code, 0, 'computed, not stored: nothing to delete');
  });

  it('kubectl top node and top pod show what /proc measures', async () => {
    await ok('run', 'busy', '--image=busybox', '--', 'sh', '-c', 'while :; do :; done');
    await ok('wait', '--for=condition=Ready', 'pod/busy', '--timeout=60s');
    const node = await eventually(async () => {
      const r = await cluster.kubectl('top', 'node', '--no-headers');
      return r.code === 0 ? r.stdout.trim().split(/\s+/) : undefined;
    }, 30_000, 'node metrics');
    assert.equal(node[0], cluster.nodeName);
    assert.match(node[1]!, /^\d+m$/);
    assert.match(node[3]!, /^\d+Mi$/);
    const pod = await eventually(async () => {
      const r = await cluster.kubectl('top', 'pod', 'busy', '--no-headers');
      if (r.code !== 0) return undefined;
      const [, cpu] = r.stdout.trim().split(/\s+/);
      // A busy loop keeps most of a core: at least a tenth of one once a window has passed.
      return Number(cpu!.replace(/m$/, '')) >= 100 ? r.stdout.trim().split(/\s+/) : undefined;
    }, 40_000, 'the busy pod using CPU');
    assert.equal(pod[0], 'busy');
    const containers = await ok('top', 'pod', 'busy', '--containers', '--no-headers');
    assert.match(containers, /^busy\s+busy\s+\d+m\s+\d+Mi\s*$/m);
    await ok('delete', 'pod', 'busy', '--wait=false');
  });
});
