/**
 * Paged lists under writes: every page comes from the first page's revision, even when
 * far more changes than the watch cache holds happen between pages (a large relist under
 * load used to end in 410 Expired and start over, forever). For any page size and any
 * writes in between, the pages put together equal the list at the first page's revision;
 * remainingItemCount is exact without selectors and absent with them, as in Kubernetes.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import type { ObjectList, RequestOptions } from '../../src/apiserver/request.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'paged';
let cluster: TestCluster;
before(async () => {
  // A ring of 5 changes: any page after a few writes is beyond what the watch cache holds.
  cluster = await startTestCluster({ watchCacheSize: 5 });
  await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } as KubeObject);
  for (let i = 0; i < 40; i++) {
    const name = `cm-${String(i).padStart(2, '0')}`;
    await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { parity: i % 2 ? 'odd' : 'even' } }, data: { v: '0' } } as KubeObject);
  }
});
after(async () => cluster?.dispose());

const render = (items: KubeObject[]) => items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}:${(o.data as { v?: string } | undefined)?.v}`);

it('pages from the first revision however many changes come between pages', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 15 }), fc.array(fc.integer({ min: 0, max: 39 }), { minLength: 6, maxLength: 12 }), fc.boolean(), async (limit, touched, selecting) => {
      const options: RequestOptions = selecting ? { labelSelector: 'parity=odd' } : {};
      const whole = await cluster.client.list('configmaps', NS, options);
      const pages: ObjectList[] = [await cluster.client.list('configmaps', NS, { ...options, limit, resourceVersion: whole.metadata.resourceVersion })];
      assert.equal(pages[0]!.metadata.resourceVersion, whole.metadata.resourceVersion);
      let write = 0;
      while (pages.at(-1)!.metadata.continue) {
        const page = pages.at(-1)!;
        if (selecting) assert.equal(page.metadata.remainingItemCount, undefined);
        else assert.equal(page.metadata.remainingItemCount, whole.items.length - pages.reduce((n, p) => n + p.items.length, 0));
        // More changes than the ring holds, before every page.
        for (const i of touched) {
          const name = `cm-${String(i).padStart(2, '0')}`;
          await cluster.client.patch('configmaps', NS, name, { data: { v: String(++write) } });
        }
        pages.push(await cluster.client.list('configmaps', NS, { ...options, limit, continue: page.metadata.continue }));
      }
      assert.deepEqual(render(pages.flatMap((p) => p.items)), render(whole.items));
      for (const page of pages.slice(0, -1)) assert.equal(page.items.length, limit);
    }),
    { numRuns: 8 },
  );
});
