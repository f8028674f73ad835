/**
 * A handler added to an informer whose cache is already full hears of every cached object
 * in chunks that let the event loop turn (a controller manager leading again at 85,000
 * pods was blocked for 95 s by one synchronous replay, and lost its Lease again), and its
 * registration says when it has heard of them all. An object deleted before its turn is
 * not replayed.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import type { ListerWatcher } from '../../src/informer/list-watcher.ts';
import { SharedInformer } from '../../src/informer/shared-informer.ts';

const PODS = 5_000;
const pod = (i: number): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default', uid: `u${i}`, resourceVersion: String(i + 1) } });

function listOnly(objects: KubeObject[], events: { send?: (e: { type: 'DELETED'; object: KubeObject }) => void }): ListerWatcher {
  return {
    selection: { resource: 'pods' },
    list: async () => ({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: String(objects.length) }, items: objects }),
    watch: async (_options, onEvent) => {
      events.send = (e) => onEvent(e);
      return { stop: () => {} };
    },
  } as ListerWatcher;
}

it('replays a full cache to a late handler in chunks, skipping what was deleted meanwhile', async () => {
  const events: { send?: (e: { type: 'DELETED'; object: KubeObject }) => void } = {};
  const informer = new SharedInformer(listOnly(Array.from({ length: PODS }, (_, i) => pod(i)), events));
  informer.run();
  assert.equal(await informer.waitForSync(5_000), true);

  const added: string[] = [];
  const registration = informer.addEventHandler({ onAdd: (p) => added.push(p.metadata.name!) });
  assert.ok(added.length > 0 && added.length < PODS, `a first chunk only, synchronously (${added.length})`);

  // While the replay goes on, the last pod is deleted: its turn never comes.
  while (!events.send) await new Promise((resolve) => setImmediate(resolve));
  events.send({ type: 'DELETED', object: pod(PODS - 1) });
  await registration.synced;
  assert.equal(added.length, PODS - 1);
  assert.equal(new Set(added).size, PODS - 1, 'each pod once');
  assert.ok(!added.includes(`p${PODS - 1}`));
  informer.stop();
});
