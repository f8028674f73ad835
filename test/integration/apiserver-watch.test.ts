/**
 * Watches over the NATS face: order, selectors, resuming from a revision (from the watch
 * cache's ring and from the log behind it), and the initial state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import type { WatchEvent } from '../../src/apiserver/request.ts';
import type { WatchStream } from '../../streams/api-transport.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
before(async () => {
  // A tiny watch cache, so that resuming from an older revision has to read the log.
  cluster = await startTestCluster({ watchCacheSize: 8 });
  await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w' } });
});
after(async () => {
  await cluster.dispose();
});

/** Collects a watch's events; next(n) resolves once n more have arrived. */
async function collect(options: Parameters<TestCluster['client']['watch']>[2], namespace = 'w') {
  const events: WatchEvent[] = [];
  let waiter: { count: number; resolve: () => void } | undefined;
  const stream: WatchStream = await cluster.client.watch('configmaps', namespace, options, (event) => {
    if (event.type === 'BOOKMARK') return;
    events.push(event);
    if (waiter && events.length >= waiter.count) waiter.resolve();
  });
  return {
    events,
    stream,
    until(count: number): Promise<void> {
      if (events.length >= count) return Promise.resolve();
      return new Promise((resolve) => {
        waiter = { count, resolve };
      });
    },
  };
}

const cm = (name: string, labels: Record<string, string> = {}, v = '1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'w', labels },
  data: { v },
});

const summary = (events: WatchEvent[]) => events.map((e) => `${e.type} ${(e.object as KubeObject).metadata.name}`);

describe('watch', () => {
  it('delivers ADDED, MODIFIED, DELETED in order with increasing resourceVersions', async () => {
    const start = (await cluster.client.list('configmaps', 'w')).metadata.resourceVersion;
    const watch = await collect({ resourceVersion: start });
    await cluster.client.create('configmaps', cm('order'));
    await cluster.client.patch('configmaps', 'w', 'order', { data: { v: '2' } });
    await cluster.client.delete('configmaps', 'w', 'order');
    await watch.until(3);
    watch.stream.stop();
    assert.deepEqual(summary(watch.events), ['ADDED order', 'MODIFIED order', 'DELETED order']);
    const versions = watch.events.map((e) => Number((e.object as KubeObject).metadata.resourceVersion));
    assert.ok(versions[0]! > Number(start) && versions[1]! > versions[0]! && versions[2]! > versions[1]!, versions.join(','));
  });

  it('starts with the current objects when no resourceVersion is given', async () => {
    await cluster.client.create('configmaps', cm('existing'));
    const watch = await collect({});
    await watch.until(1);
    assert.ok(summary(watch.events).includes('ADDED existing'));
    watch.stream.stop();
  });

  it('turns a label change into ADDED and DELETED for a selecting watch', async () => {
    const start = (await cluster.client.list('configmaps', 'w')).metadata.resourceVersion;
    const watch = await collect({ resourceVersion: start, labelSelector: 'team=red' });
    await cluster.client.create('configmaps', cm('moving', { team: 'blue' }));
    await cluster.client.patch('configmaps', 'w', 'moving', { metadata: { labels: { team: 'red' } } });
    await cluster.client.patch('configmaps', 'w', 'moving', { data: { v: 'changed' } });
    await cluster.client.patch('configmaps', 'w', 'moving', { metadata: { labels: { team: 'blue' } } });
    await watch.until(3);
    watch.stream.stop();
    assert.deepEqual(summary(watch.events), ['ADDED moving', 'MODIFIED moving', 'DELETED moving']);
  });

  it('resumes from a revision older than the watch cache by reading the log', async () => {
    const start = (await cluster.client.list('configmaps', 'w')).metadata.resourceVersion;
    for (let i = 0; i < 20; i++) await cluster.client.create('configmaps', cm(`bulk-${String(i).padStart(2, '0')}`));
    const watch = await collect({ resourceVersion: start });
    await cluster.client.create('configmaps', cm('after-resume'));
    await watch.until(21);
    watch.stream.stop();
    assert.deepEqual(summary(watch.events), [...Array.from({ length: 20 }, (_, i) => `ADDED bulk-${String(i).padStart(2, '0')}`), 'ADDED after-resume']);
  });
});
