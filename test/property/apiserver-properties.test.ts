/**
 * Properties of the whole write path, over generated sequences of API operations against
 * a real nats-server and API server: replaying the log gives exactly the state the API
 * serves; the resourceVersions a client sees strictly increase; of concurrent writers
 * holding the same resourceVersion exactly one wins.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
let nc: NatsConnection;
let run = 0;

before(async () => {
  cluster = await startTestCluster();
  nc = await connectNats(cluster.nats.url, 'property-reader');
});
after(async () => {
  await drainNats(nc);
  await cluster.dispose();
});

const NAMES = ['a', 'b', 'c', 'd'];

type Op =
  | { kind: 'create'; name: string; value: string }
  | { kind: 'update'; name: string; value: string; stale: boolean }
  | { kind: 'patch'; name: string; value: string }
  | { kind: 'delete'; name: string }
  | { kind: 'concurrent'; ops: Op[] };

const name = fc.constantFrom(...NAMES);
const value = fc.string({ maxLength: 8 });
const simpleOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), name, value }),
  fc.record({ kind: fc.constant('update' as const), name, value, stale: fc.boolean() }),
  fc.record({ kind: fc.constant('patch' as const), name, value }),
  fc.record({ kind: fc.constant('delete' as const), name }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: simpleOp, weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('concurrent' as const), ops: fc.array(simpleOp, { minLength: 2, maxLength: 5 }) }), weight: 1 },
);

const EXPECTED_REFUSALS = new Set([404, 409]);

/**
 * A returned object's resourceVersion, and for a write that changes nothing the one it
 * must keep: Kubernetes answers such an update or patch with the object unchanged, and
 * writes nothing (GuaranteedUpdate's no-op).
 */
interface Seen {
  resourceVersion: number;
  unchangedFrom?: number;
}

const dataOf = (object: KubeObject | undefined) => (object as { data?: Record<string, string> } | undefined)?.data ?? {};

async function apply(namespace: string, o: Op, seen: Seen[]): Promise<void> {
  const client = cluster.client;
  const note = (object: KubeObject, unchangedFrom?: KubeObject): void =>
    void seen.push({ resourceVersion: Number(object.metadata.resourceVersion), ...(unchangedFrom ? { unchangedFrom: Number(unchangedFrom.metadata.resourceVersion) } : {}) });
  try {
    switch (o.kind) {
      case 'create':
        return note(await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: o.name, namespace }, data: { v: o.value } }));
      case 'update': {
        const current = await client.get('configmaps', namespace, o.name);
        const base = o.stale ? { ...current, metadata: { ...current.metadata, resourceVersion: String(Number(current.metadata.resourceVersion) - 1) } } : current;
        const unchanged = !o.stale && dataOf(current).v === o.value && Object.keys(dataOf(current)).length === 1;
        return note(await client.update('configmaps', { ...base, data: { v: o.value } }), unchanged ? current : undefined);
      }
      case 'patch': {
        const current = await client.get('configmaps', namespace, o.name).catch(() => undefined);
        const unchanged = current && dataOf(current).v === o.value && dataOf(current)[`k${o.value.length}`] === 'x';
        return note(await client.patch('configmaps', namespace, o.name, { data: { v: o.value, [`k${o.value.length}`]: 'x' } }), unchanged ? current : undefined);
      }
      case 'delete':
        await client.delete('configmaps', namespace, o.name);
        return;
      case 'concurrent':
        await Promise.all(o.ops.map((inner) => apply(namespace, inner, [])));
        return;
    }
  } catch (error) {
    if (!(error instanceof StatusError && EXPECTED_REFUSALS.has(error.code))) throw error;
  }
}

/** Every write's resourceVersion exceeds all before it; a write that changed nothing keeps the object's. */
function assertRevisionsIncrease(seen: Seen[]): void {
  let newest = 0;
  for (const { resourceVersion, unchangedFrom } of seen) {
    if (unchangedFrom !== undefined) {
      assert.equal(resourceVersion, unchangedFrom, `a write that changes nothing keeps resourceVersion ${unchangedFrom}: ${JSON.stringify(seen)}`);
      continue;
    }
    assert.ok(resourceVersion > newest, `resourceVersions must increase: ${JSON.stringify(seen)}`);
    newest = resourceVersion;
  }
}

async function replayNamespace(namespace: string): Promise<KubeObject[]> {
  const log = new RegistryLog(nc);
  const { lastSeq } = await log.bounds();
  const store = new ObjectStore();
  for await (const entry of log.read({ fromSeq: 1, toSeq: lastSeq })) store.apply(entry);
  return store.list('configmaps', namespace).items;
}

it('replaying the log gives exactly the state the API serves, and revisions increase', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      const namespace = `prop-${run++}`;
      await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      const seen: Seen[] = [];
      for (const o of ops) await apply(namespace, o, seen);
      assertRevisionsIncrease(seen);
      const live = (await cluster.client.list('configmaps', namespace)).items;
      assert.deepEqual(await replayNamespace(namespace), live);
    }),
    {
      numRuns: 25,
      // Found in CI: an update and a patch that change nothing keep the resourceVersion.
      examples: [
        [
          [
            { kind: 'create', name: 'a', value: '' },
            { kind: 'update', name: 'a', value: '', stale: false },
            { kind: 'patch', name: 'a', value: '' },
            { kind: 'patch', name: 'a', value: '' },
          ],
        ],
      ],
    },
  );
});

it('of concurrent writers with the same resourceVersion exactly one wins', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 2, max: 8 }), fc.constantFrom<'update' | 'patch'>('update', 'patch'), async (writers, how) => {
      const namespace = `race-${run++}`;
      await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      const base = await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'contested', namespace }, data: { v: 'base' } });
      const outcomes = await Promise.allSettled(
        Array.from({ length: writers }, (_, i) =>
          how === 'update'
            ? cluster.client.update('configmaps', { ...base, data: { v: `writer-${i}` } })
            : cluster.client.patch('configmaps', namespace, 'contested', { metadata: { resourceVersion: base.metadata.resourceVersion }, data: { v: `writer-${i}` } }),
        ),
      );
      const winners = outcomes.filter((o) => o.status === 'fulfilled');
      const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(winners.length, 1);
      for (const loser of losers) assert.equal((loser.reason as StatusError).code, 409);
      const final = await cluster.client.get('configmaps', namespace, 'contested');
      assert.deepEqual(final.data, (winners[0] as PromiseFulfilledResult<KubeObject>).value.data);
    }),
    { numRuns: 20 },
  );
});
