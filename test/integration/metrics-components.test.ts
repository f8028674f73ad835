/**
 * Each component's /metrics over HTTP, parsed by a strict text-format parser: the
 * scheduler counts a bound pod under result="scheduled" and one that fits nowhere under
 * "unschedulable" (and shows it pending), the controller manager's workqueues count the
 * adds and work of a ReplicaSet's sync; /healthz answers; a taken port falls back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type AnyActorRef } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import { newComponentRegistry } from '../../src/metrics/component-registry.ts';
import { SchedulerMetrics } from '../../src/metrics/scheduler-metrics.ts';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/server.ts';
import { makeNode, makePod } from '../../src/scheduler/fixtures.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';

async function scrape(server: MetricsServer) {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

describe('component /metrics', () => {
  let cluster: TestCluster;
  const actors: AnyActorRef[] = [];
  const servers: MetricsServer[] = [];
  let schedulerServer: MetricsServer;
  let managerServer: MetricsServer;

  before(async () => {
    cluster = await startTestCluster();
    const natsUrl = cluster.nats.url;
    const schedulerRegistry = newComponentRegistry();
    const managerRegistry = newComponentRegistry();
    actors.push(
      createActor(schedulerMachine, { input: { natsUrl, leaderElect: false, metrics: new SchedulerMetrics(schedulerRegistry) } }),
      createActor(controllerManagerMachine, { input: { natsUrl, leaderElect: false, metricsRegistry: managerRegistry } }),
    );
    for (const actor of actors) actor.start();
    schedulerServer = await startMetricsServer(schedulerRegistry, { port: 0 });
    managerServer = await startMetricsServer(managerRegistry, { port: 0 });
    servers.push(schedulerServer, managerServer);
    await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'm' } });
  });

  after(async () => {
    for (const server of servers) await server.close();
    for (const actor of actors) actor.send({ type: 'stop' });
    for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    await cluster.dispose();
  });

  it('the scheduler counts scheduled and unschedulable attempts and pending pods', async () => {
    const before = await scrape(schedulerServer);
    assert.equal(sampleValue(before, 'scheduler_pending_pods', { queue: 'unschedulable' }), 0);
    assert.equal(before.get('scheduler_schedule_attempts_total')?.type, 'counter');
    assert.equal(before.get('scheduler_scheduling_attempt_duration_seconds')?.type, 'histogram');
    await cluster.client.create('nodes', makeNode('worker', { cpu: '2', memory: '4Gi' }));
    await cluster.client.create('pods', makePod('fits', { namespace: 'm', cpu: '100m' }));
    await cluster.client.create('pods', makePod('too-big', { namespace: 'm', cpu: '64' }));
    const after = await eventually(async () => {
      const m = await scrape(schedulerServer);
      return (sampleValue(m, 'scheduler_schedule_attempts_total', { result: 'scheduled', profile: 'default-scheduler' }) ?? 0) >= 1 &&
        (sampleValue(m, 'scheduler_pending_pods', { queue: 'unschedulable' }) ?? 0) >= 1
        ? m
        : undefined;
    }, 15_000, 'a scheduled attempt and a pending unschedulable pod');
    assert.ok((sampleValue(after, 'scheduler_schedule_attempts_total', { result: 'unschedulable', profile: 'default-scheduler' }) ?? 0) >= 1);
    assert.ok((sampleValue(after, 'scheduler_scheduling_attempt_duration_seconds_count', { result: 'scheduled', profile: 'default-scheduler' }) ?? 0) >= 1);
    assert.ok((sampleValue(after, 'process_resident_memory_bytes') ?? 0) > 0, 'process metrics too');
  });

  it('the controller manager counts workqueue adds, work and depth by controller', async () => {
    await cluster.client.create('replicasets.apps', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', namespace: 'm' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    const m = await eventually(async () => {
      const scraped = await scrape(managerServer);
      return (sampleValue(scraped, 'workqueue_work_duration_seconds_count', { name: 'replicaset' }) ?? 0) >= 1 ? scraped : undefined;
    }, 15_000, 'the replicaset queue did work');
    assert.ok((sampleValue(m, 'workqueue_adds_total', { name: 'replicaset' }) ?? 0) >= 1);
    assert.ok((sampleValue(m, 'workqueue_queue_duration_seconds_count', { name: 'replicaset' }) ?? 0) >= 1);
    assert.notEqual(sampleValue(m, 'workqueue_depth', { name: 'replicaset' }), undefined);
    assert.notEqual(sampleValue(m, 'workqueue_retries_total', { name: 'horizontalpodautoscaler' }), undefined, 'every controller has its series');
    assert.equal(m.get('workqueue_adds_total')?.type, 'counter');
  });

  it('serves /healthz, 404 elsewhere, and a taken port falls back to a free one when asked', async () => {
    assert.equal(await (await fetch(`${managerServer.url}/healthz`)).text(), 'ok');
    assert.equal((await fetch(`${managerServer.url}/nope`)).status, 404);
    const registry = newComponentRegistry();
    await assert.rejects(startMetricsServer(registry, { port: managerServer.port }), /EADDRINUSE/);
    const second = await startMetricsServer(registry, { port: managerServer.port, fallbackToFreePort: true });
    servers.push(second);
    assert.notEqual(second.port, managerServer.port);
    assert.equal(second.host, '127.0.0.1');
  });
});

describe('startClusterMetrics', () => {
  it('serves every component of a cluster, the first kubelet at 10250 unless taken, the others elsewhere', async () => {
    const { startClusterMetrics } = await import('../../src/metrics/cluster-metrics.ts');
    const metrics = await startClusterMetrics(['node-a', 'node-b']);
    try {
      assert.deepEqual(Object.keys(metrics.urls).sort(), ['controller-manager', 'kube-proxy', 'kubelet node-a', 'kubelet node-b', 'scheduler']);
      assert.notEqual(metrics.urls['kubelet node-a'], metrics.urls['kubelet node-b']);
      for (const url of Object.values(metrics.urls)) {
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const families = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
        assert.ok(families.has('process_cpu_seconds_total'), url);
      }
      const kubelet = parsePrometheusText(await (await fetch(`${metrics.urls['kubelet node-a']}/metrics`)).text());
      assert.equal(sampleValue(kubelet, 'kubelet_running_pods'), 0);
    } finally {
      await metrics.close();
    }
  });
});
