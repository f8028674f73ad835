import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leaseHealth } from '../../src/apiserver/virtual/component-statuses.ts';
import { NodeUsageStore, nodeMetrics, podMetrics } from '../../src/apiserver/virtual/node-usage-store.ts';
import { parseNodeSample, parseProcStat } from '../../src/metrics/proc-usage.ts';
import { cpuQuantity, cpuRate, memoryQuantity, type NodeUsageReport } from '../../src/metrics/resource-usage.ts';

describe('resource usage from /proc', () => {
  it('reads a process\'s group, CPU time and resident memory, whatever its command holds', () => {
    const stat = '4242 (my (odd) cmd) S 1 4240 4240 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 3 0 100 10000000 300 18446744073709551615';
    assert.deepEqual(parseProcStat(stat), { pid: 4242, pgid: 4240, cpuSeconds: 3, rssBytes: 300 * 4096 });
    assert.equal(parseProcStat('garbage'), undefined);
  });

  it('reads the node\'s busy CPU time and memory in use', () => {
    const sample = parseNodeSample('cpu  100 10 50 1000 20 5 5 10 0 0\ncpu0 1 2 3\n', 'MemTotal:       2048 kB\nMemFree:  100 kB\nMemAvailable:   1024 kB\n');
    assert.deepEqual(sample, { busyCpuSeconds: 1.8, memoryUsedBytes: 1024 * 1024, memoryTotalBytes: 2048 * 1024 });
  });

  it('CPU is a rate between two samples, in nanocores; quantities as metrics-server spells them', () => {
    assert.equal(cpuRate(undefined, { atMs: 1000, cpuSeconds: 1 }), undefined);
    assert.equal(cpuRate({ atMs: 0, cpuSeconds: 1 }, { atMs: 2000, cpuSeconds: 2 }), 500_000_000);
    assert.equal(cpuQuantity(500_000_000), '500000000n');
    assert.equal(memoryQuantity(4 * 1024 * 1024), '4096Ki');
  });
});

describe('the metrics API\'s store', () => {
  const report: NodeUsageReport = {
    node: 'n1',
    timestamp: '2026-01-01T00:00:10Z',
    windowSeconds: 10,
    usage: { cpuNanoCores: 2e8, memoryBytes: 2048 },
    pods: [{ namespace: 'a', name: 'p', containers: [{ name: 'c', usage: { cpuNanoCores: 1e6, memoryBytes: 1024 } }] }],
  };

  it('serves the latest report per node as NodeMetrics and PodMetrics, and forgets silent nodes', () => {
    let now = 0;
    const store = new NodeUsageStore(() => now);
    store.record(report);
    assert.deepEqual(nodeMetrics(store.current())[0], {
      kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'n1', creationTimestamp: report.timestamp }, timestamp: report.timestamp, window: '10s', usage: { cpu: '200000000n', memory: '2Ki' },
    });
    assert.equal(podMetrics(store.current(), 'a').length, 1);
    assert.equal(podMetrics(store.current(), 'b').length, 0);
    now = 61_000;
    assert.equal(store.current().length, 0);
  });

  it('a component is healthy while its leader renews its Lease', () => {
    const now = new Date('2026-01-01T00:00:30Z');
    const lease = (renewTime: string) => ({ spec: { holderIdentity: 'host_1', renewTime, leaseDurationSeconds: 15 } });
    assert.deepEqual(leaseHealth(lease('2026-01-01T00:00:20.000000Z'), 'kube-scheduler', now), { healthy: true, message: 'ok' });
    assert.match((leaseHealth(lease('2026-01-01T00:00:00.000000Z'), 'kube-scheduler', now) as { error: string }).error, /has not renewed the Lease kube-system\/kube-scheduler for 30s/);
    assert.match((leaseHealth(undefined, 'kube-scheduler', now) as { error: string }).error, /nobody holds/);
  });
});
