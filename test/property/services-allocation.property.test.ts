// Random Services created and deleted at once through two API servers over one log:
// no ClusterIP or NodePort is ever held by two Services, every live Service's values
// are recorded under its uid, and every deleted Service's values are free again (the
// records gone, released by the API server or by the repair loop).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { IP_ADDRESSES, NODE_PORT_ALLOCATIONS, SERVICE_UID_LABEL } from '../../src/apiserver/service-allocation.ts';
import { newServiceAllocationRepairController } from '../../src/apiserver/service-allocation-repair.ts';
import { heldBy } from '../../src/net/service-allocation-rules.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';

type Op = { kind: 'create'; name: number; type: 'ClusterIP' | 'NodePort'; ip?: number; nodePort?: number; via: 0 | 1 } | { kind: 'delete'; name: number; via: 0 | 1 };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    name: fc.integer({ min: 0, max: 7 }),
    type: fc.constantFrom('ClusterIP' as const, 'NodePort' as const),
    // A few requested values, so that requests collide.
    ip: fc.option(fc.integer({ min: 20, max: 23 }), { nil: undefined }),
    nodePort: fc.option(fc.integer({ min: 30010, max: 30013 }), { nil: undefined }),
    via: fc.constantFrom(0 as const, 1 as const),
  }),
  fc.record({ kind: fc.constant('delete' as const), name: fc.integer({ min: 0, max: 7 }), via: fc.constantFrom(0 as const, 1 as const) }),
);

describe('Service allocation over two API servers (property)', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let clients: [ApiClient, ApiClient];
  let factory: SharedInformerFactory;
  let repair: Actor<typeof controllerMachine>;
  let run = 0;

  before(async () => {
    cluster = await startTestCluster();
    await cluster.startApiServer('apiserver-2');
    clients = [cluster.client, await ApiClient.connect(cluster.nats.url, 'second', { timeoutMs: 10_000 })];
    factory = new SharedInformerFactory(cluster.client);
    repair = createActor(controllerMachine, { input: { controller: newServiceAllocationRepairController(cluster.client, factory, { graceMs: 300 }) } });
    repair.start();
    await waitFor(repair, (s) => s.matches('running'), { timeout: 30_000 });
  });
  after(async () => {
    repair.send({ type: 'stop' });
    await waitFor(repair, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await clients[1].close();
    await cluster.dispose();
  });

  it('never hands one value to two Services and frees what deleted Services held', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), async (batches) => {
        run++;
        const name = (n: number) => `p${run}-s${n}`;
        for (const batch of batches) {
          // Each batch runs concurrently, spread over both API servers.
          await Promise.allSettled(
            batch.map((o) => {
              const client = clients[o.via];
              if (o.kind === 'delete') return client.delete('services', NS, name(o.name));
              const port: Record<string, unknown> = { port: 80, ...(o.type === 'NodePort' && o.nodePort ? { nodePort: o.nodePort } : {}) };
              return client.create('services', {
                apiVersion: 'v1',
                kind: 'Service',
                metadata: { name: name(o.name), namespace: NS },
                spec: { type: o.type, selector: { app: 'x' }, ports: [port], ...(o.ip ? { clusterIP: `127.96.0.${o.ip}` } : {}) },
              });
            }),
          );
        }
        const live = (await cluster.client.list('services', NS)).items.filter((s) => s.metadata.name !== 'kubernetes');
        const ipHolders = new Map<string, string>();
        const portHolders = new Map<number, string>();
        for (const svc of live) {
          const held = heldBy(svc);
          for (const ip of held.ips) {
            assert.ok(!ipHolders.has(ip), `${ip} held by ${ipHolders.get(ip)} and ${svc.metadata.name}`);
            ipHolders.set(ip, svc.metadata.name!);
          }
          for (const p of held.nodePorts) {
            assert.ok(!portHolders.has(p), `${p} held by ${portHolders.get(p)} and ${svc.metadata.name}`);
            portHolders.set(p, svc.metadata.name!);
          }
        }
        const byName = new Map(live.map((s) => [s.metadata.name!, s]));
        const recordsMatch = async () => {
          const ips = (await cluster.client.list(IP_ADDRESSES)).items;
          const ports = (await cluster.client.list(NODE_PORT_ALLOCATIONS)).items;
          const owner = (r: KubeObject) => byName.get((r.spec as { parentRef: { name: string } }).parentRef.name);
          const ownedBy = (r: KubeObject) => owner(r)?.metadata.uid === r.metadata.labels?.[SERVICE_UID_LABEL];
          // Every record belongs to a live Service holding its value, and every held value has its record.
          const ok =
            ips.every((r) => ownedBy(r) && ipHolders.get(r.metadata.name!) === owner(r)!.metadata.name) &&
            ports.every((r) => ownedBy(r) && portHolders.get(Number(r.metadata.name)) === owner(r)!.metadata.name) &&
            ips.length === ipHolders.size &&
            ports.length === portHolders.size;
          return ok ? true : undefined;
        };
        await eventually(recordsMatch, 10_000, 'records equal to what live Services hold');
        // Clean up this run's Services so that the next run starts from a free range.
        await Promise.all(live.map((s) => cluster.client.delete('services', NS, s.metadata.name!).catch(() => undefined)));
      }),
      { numRuns: 20 },
    );
  });
});
