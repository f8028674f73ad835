/**
 * Property: for any sequence of API writes (creates, updates, label flips, deletes), once
 * the informer has caught up its cache equals the API's list, for a whole namespace and
 * for a label selection (where objects enter and leave the selection by label changes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { objectKey } from '../../src/informer/indexer.ts';
import { listWatcher, type Selection } from '../../src/informer/list-watcher.ts';
import { SharedInformer } from '../../src/informer/shared-informer.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
  await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prop' } });
});
after(async () => {
  await cluster.dispose();
});

type Op =
  | { op: 'create'; name: string; keep: boolean }
  | { op: 'update'; name: string; value: number; keep: boolean }
  | { op: 'delete'; name: string };

const name = fc.constantFrom('a', 'b', 'c', 'd');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), name, keep: fc.boolean() }),
  fc.record({ op: fc.constant('update' as const), name, value: fc.nat(100), keep: fc.boolean() }),
  fc.record({ op: fc.constant('delete' as const), name }),
);

async function apply(o: Op): Promise<void> {
  const labels = (keep: boolean) => ({ keep: keep ? 'yes' : 'no' });
  try {
    if (o.op === 'create') {
      await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'prop', name: o.name, labels: labels(o.keep) } });
    } else if (o.op === 'update') {
      const current = await cluster.client.get('configmaps', 'prop', o.name);
      await cluster.client.update('configmaps', { ...current, metadata: { ...current.metadata, labels: labels(o.keep) }, data: { v: String(o.value) } });
    } else {
      await cluster.client.delete('configmaps', 'prop', o.name);
    }
  } catch (error) {
    // Writes to names that do not (or already) exist are part of the sequence: the API says no.
    if (!(error instanceof StatusError) || ![404, 409].includes(error.code)) throw error;
  }
}

const summary = (objects: KubeObject[]) => objects.map((o) => `${objectKey(o)}@${o.metadata.resourceVersion}`).sort();

describe('informer cache equals the API (property)', () => {
  it('after any sequence of writes, for a namespace and for a label selection', async () => {
    const selections: Selection[] = [
      { resource: 'configmaps', namespace: 'prop' },
      { resource: 'configmaps', namespace: 'prop', labelSelector: 'keep=yes' },
    ];
    const informers = selections.map((s) => new SharedInformer(listWatcher(cluster.client, s)));
    for (const informer of informers) informer.run();
    for (const informer of informers) assert.equal(await informer.waitForSync(10_000), true);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
        for (const o of ops) await apply(o);
        for (const [i, informer] of informers.entries()) {
          const want = summary((await cluster.client.list('configmaps', 'prop', { labelSelector: selections[i]!.labelSelector })).items);
          await eventually(() => JSON.stringify(summary(informer.indexer.list())) === JSON.stringify(want) || undefined, 10_000, `informer ${i} to equal the list`);
        }
      }),
      { numRuns: 25 },
    );
    for (const informer of informers) informer.stop();
  });
});
