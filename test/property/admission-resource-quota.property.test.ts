// Random concurrent pod creates (random cpu requests, through several clients and two
// API servers on one log) against a random quota never take it past its hard limits:
// what was created fits, the quota's recorded usage is exactly what was created, every
// refusal is a 403 "exceeded quota", and a pod was refused only if it would not fit even
// now (usage only grows during a run, so it did not fit when refused either).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Actor } from 'xstate';
import type { apiServerMachine } from '../../actors/apiserver.machine.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { quantityToMillis } from '../../src/api/quantity.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

interface Run {
  pods: number;
  cpuMillis: number | undefined;
  creates: { cpuMillis: number; via: number }[];
}

const run: fc.Arbitrary<Run> = fc.record({
  pods: fc.integer({ min: 1, max: 8 }),
  cpuMillis: fc.option(fc.integer({ min: 1, max: 20 }).map((n) => n * 100), { nil: undefined }),
  creates: fc.array(fc.record({ cpuMillis: fc.integer({ min: 1, max: 10 }).map((n) => n * 50), via: fc.integer({ min: 0, max: 2 }) }), { minLength: 1, maxLength: 16 }),
});

describe('ResourceQuota under concurrent creates over two API servers (property)', { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  let servers: Actor<typeof apiServerMachine>[];
  let clients: ApiClient[];
  let runs = 0;

  before(async () => {
    cluster = await startTestCluster();
    servers = [cluster.apiserver, await cluster.startApiServer('apiserver-2')];
    clients = [cluster.client, await ApiClient.connect(cluster.nats.url, 'second', { timeoutMs: 10_000 }), await ApiClient.connect(cluster.nats.url, 'third', { timeoutMs: 10_000 })];
  });

  after(async () => {
    for (const c of clients.slice(1)) await c.close();
    await cluster.dispose();
  });

  /** Both API servers' stores hold the quota with its status: admission reads its quotas there. */
  const visibleEverywhere = (namespace: string) =>
    eventually(
      () => servers.every((s) => (s.getSnapshot().context.connection?.store.get('resourcequotas', namespace, 'q')?.status as { hard?: unknown } | undefined)?.hard),
      10_000,
      'the quota on both API servers',
    );

  it('never exceeds the quota', async () => {
    await fc.assert(
      fc.asyncProperty(run, async ({ pods, cpuMillis, creates }) => {
        const namespace = `quota-run-${++runs}`;
        const client = cluster.client;
        await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
        const hard: Record<string, string> = { pods: String(pods), ...(cpuMillis ? { 'requests.cpu': `${cpuMillis}m` } : {}) };
        const created = await client.create('resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace }, spec: { hard } });
        // The controller's first sync, written here so the run needs no controller.
        const zero = Object.fromEntries(Object.keys(hard).map((k) => [k, '0']));
        await client.update('resourcequotas', { ...created, status: { hard, used: zero } }, { subresource: 'status' });
        await visibleEverywhere(namespace);

        const outcomes = await Promise.allSettled(
          creates.map(({ cpuMillis: cpu, via }, i) =>
            clients[via]!.create('pods', {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: `p${i}`, namespace },
              spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: `${cpu}m` }, limits: { cpu: `${cpu}m` } } }] },
            }),
          ),
        );
        for (const o of outcomes) {
          if (o.status === 'fulfilled') continue;
          const e = o.reason as unknown;
          assert.ok(e instanceof StatusError && e.code === 403, `a refusal is a 403, got ${String(e)}`);
          assert.match(e.message, /^pods "p\d+" is forbidden: exceeded quota: q, requested: .+, used: .+, limited: .+$/);
        }

        const stored = (await client.list('pods', namespace)).items;
        const cpuOf = (p: KubeObject) => quantityToMillis((p.spec as { containers: { resources: { requests: { cpu: string } } }[] }).containers[0]!.resources.requests.cpu)!;
        const usedCpu = stored.reduce((sum, p) => sum + cpuOf(p), 0);
        assert.equal(stored.length, outcomes.filter((o) => o.status === 'fulfilled').length, 'every acknowledged create is stored');
        assert.ok(stored.length <= pods, `${stored.length} pods under a quota of ${pods}`);
        if (cpuMillis) assert.ok(usedCpu <= cpuMillis, `${usedCpu}m of cpu under a quota of ${cpuMillis}m`);

        const status = (await client.get('resourcequotas', namespace, 'q')).status as { used: Record<string, string> };
        assert.equal(status.used.pods, String(stored.length), 'the recorded usage is what was created');
        if (cpuMillis) assert.equal(quantityToMillis(status.used['requests.cpu']!), usedCpu);

        creates.forEach((c, i) => {
          if (outcomes[i]!.status === 'fulfilled') return;
          const fitsNow = stored.length + 1 <= pods && (!cpuMillis || usedCpu + c.cpuMillis <= cpuMillis);
          assert.ok(!fitsNow, `p${i} (${c.cpuMillis}m) was refused but fits even now`);
        });
      }),
      { numRuns: 15 },
    );
  });
});
