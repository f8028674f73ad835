/**
 * API Priority and Fairness over the real NATS face: one client floods an API server that
 * runs two requests at a time with 1,200 creates. Its flow queues (1,000 at most: the rest
 * get 429 with Retry-After and the client retries them), while another client's get is
 * served in its turn, behind a handful of the flood's requests, not behind the whole
 * queue. Every create lands exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Registry } from 'prom-client';
import { ApiClient } from '../../src/client/api-client.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const FLOOD = 1_200;

let cluster: TestCluster;
let flood: ApiClient;
before(async () => {
  cluster = await startTestCluster({ maxRequestsInflight: 2 });
  flood = await ApiClient.connect(cluster.nats.url, 'flood', { timeoutMs: 60_000 });
});
after(async () => {
  await flood?.close();
  await cluster?.dispose();
});

async function metric(name: string): Promise<number> {
  const registry = cluster.apiserver.getSnapshot().context.connection!.metrics.registry as Registry;
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
}

it('serves a quiet client in its turn while another floods, and refuses the flood beyond its queue', async () => {
  await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'quiet', namespace: 'default' } } as KubeObject);
  let floodDone = 0;
  const writes = Array.from({ length: FLOOD }, (_, i) =>
    flood.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `flood-${i}`, namespace: 'default' } } as KubeObject).finally(() => floodDone++),
  );
  await eventually(async () => ((await metric('apiserver_flowcontrol_current_inqueue_requests')) >= 500 ? true : undefined), 30_000, 'the flood queued');
  const floodDoneBefore = floodDone;
  const quiet = await cluster.client.get('configmaps', 'default', 'quiet');
  const floodDoneMeanwhile = floodDone - floodDoneBefore;
  assert.equal(quiet.metadata.name, 'quiet');
  assert.ok(floodDoneMeanwhile <= 10, `the quiet get waited for ${floodDoneMeanwhile} flood requests`);
  assert.ok(FLOOD - floodDone >= 400, 'the quiet get did not wait for the queue to drain');

  await Promise.all(writes);
  assert.ok((await metric('apiserver_flowcontrol_rejected_requests_total')) > 0, 'some of the flood was refused with 429');
  const names = (await cluster.client.list('configmaps', 'default')).items.map((c) => c.metadata.name).filter((n) => n?.startsWith('flood-'));
  assert.equal(names.length, FLOOD, 'every refused create was retried and landed once');
});
