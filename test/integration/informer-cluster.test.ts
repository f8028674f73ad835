/**
 * Informers against a real API server on a real nats-server: adds, updates and deletes
 * made through the API reach the cache and the handlers; an informer rides out an API
 * server restart by resuming its watch from the last revision (no re-list, nothing
 * missed); a 410 makes it re-list and hear what it missed; the factory shares one
 * list and one watch between two consumers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expired } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { WatchEvent } from '../../src/apiserver/request.ts';
import { isDeletedFinalStateUnknown } from '../../src/informer/deltas.ts';
import type { EventHandler } from '../../src/informer/event-handlers.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { listWatcher, type ListerWatcher, type Selection } from '../../src/informer/list-watcher.ts';
import { SharedInformer } from '../../src/informer/shared-informer.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
  for (const name of ['inf', 'restart', 'expire', 'share']) {
    await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
});
after(async () => {
  await cluster.dispose();
});

const cm = (namespace: string, name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace, name },
  data,
});

/** Records handler calls as short strings: "add x", "update x v=1->v=2", "delete x", "missed-delete ns/x". */
function recorder(): { heard: string[]; handler: EventHandler } {
  const heard: string[] = [];
  const value = (o: KubeObject) => JSON.stringify((o as { data?: unknown }).data ?? {});
  return {
    heard,
    handler: {
      onAdd: (o) => heard.push(`add ${o.metadata.name}`),
      onUpdate: (old, o) => heard.push(`update ${o.metadata.name} ${value(old)}->${value(o)}`),
      onDelete: (o) => heard.push(isDeletedFinalStateUnknown(o) ? `missed-delete ${o.key}` : `delete ${o.metadata.name}`),
    },
  };
}

/** Wraps a ListerWatcher to count calls and to break the current watch on demand. */
function instrumented(inner: ListerWatcher) {
  const counts = { lists: 0, watches: 0 };
  let current: { stream: { stop(): void }; onEvent: (e: WatchEvent) => void; cut: boolean } | undefined;
  const lw: ListerWatcher = {
    selection: inner.selection,
    list: () => {
      counts.lists++;
      return inner.list();
    },
    async watch(options, onEvent) {
      counts.watches++;
      const session = { stream: { stop() {} }, onEvent, cut: false };
      current = session;
      session.stream = await inner.watch(options, (e) => {
        if (!session.cut) onEvent(e);
      });
      return session.stream;
    },
  };
  return {
    lw,
    counts,
    /** The watch goes deaf: events after this are lost, as when messages are dropped. */
    cut() {
      current!.cut = true;
    },
    /** Then the transport notices the gap and says so, as api-transport does. */
    expire() {
      current!.onEvent({ type: 'ERROR', object: expired('watch lost events: re-list').toStatus() });
    },
  };
}

describe('informer against a real API server', () => {
  it('sees adds, updates and deletes made through the API, in the cache and the handlers', async () => {
    const informer = new SharedInformer(listWatcher(cluster.client, { resource: 'configmaps', namespace: 'inf' }));
    const { heard, handler } = recorder();
    informer.addEventHandler(handler);
    await cluster.client.create('configmaps', cm('inf', 'before', { v: '0' }));
    informer.run();
    assert.equal(await informer.waitForSync(10_000), true);
    assert.deepEqual(heard, ['add before']);

    const created = await cluster.client.create('configmaps', cm('inf', 'x', { v: '1' }));
    await cluster.client.update('configmaps', { ...created, data: { v: '2' } });
    await cluster.client.delete('configmaps', 'inf', 'before');
    await eventually(() => heard.length >= 4 || undefined, 10_000, 'three more handler calls');
    assert.deepEqual(heard, ['add before', 'add x', 'update x {"v":"1"}->{"v":"2"}', 'delete before']);
    assert.deepEqual(informer.indexer.listKeys(), ['inf/x']);
    assert.deepEqual((informer.indexer.get('inf/x') as { data?: unknown }).data, { v: '2' });
    // Other namespaces are not this informer's business.
    await cluster.client.create('configmaps', cm('share', 'elsewhere'));
    await cluster.client.create('configmaps', cm('inf', 'last'));
    await eventually(() => heard.includes('add last') || undefined);
    assert.equal(informer.indexer.get('share/elsewhere'), undefined);
    informer.stop();
  });

  it('resumes after the API server stops and a new one starts, missing nothing and not re-listing', async () => {
    const probe = instrumented(listWatcher(cluster.client, { resource: 'configmaps', namespace: 'restart' }));
    const informer = new SharedInformer(probe.lw, { watchTimeoutSeconds: 1, backoffInitialMs: 50, backoffMaxMs: 200 });
    const { heard, handler } = recorder();
    informer.addEventHandler(handler);
    const a = await cluster.client.create('configmaps', cm('restart', 'a', { v: '1' }));
    informer.run();
    await informer.waitForSync(10_000);

    await cluster.stopApiServer(cluster.apiserver);
    await eventually(() => (informer.reflectorState()?.failures ?? 0) >= 1 || undefined, 15_000, 'the informer to notice the API server is gone');
    await cluster.startApiServer('apiserver-2');
    // Written while the informer's watch is still down.
    await cluster.client.update('configmaps', { ...a, data: { v: '2' } });
    await cluster.client.create('configmaps', cm('restart', 'b'));
    await cluster.client.delete('configmaps', 'restart', 'a');

    await eventually(() => heard.length >= 4 || undefined, 15_000, 'the changes made while away');
    assert.deepEqual(heard, ['add a', 'update a {"v":"1"}->{"v":"2"}', 'add b', 'delete a']);
    assert.equal(probe.counts.lists, 1, 'resumed from its revision, no re-list');
    assert.ok(probe.counts.watches >= 2);
    assert.deepEqual(informer.indexer.listKeys(), ['restart/b']);
    informer.stop();
  });

  it('re-lists on 410 and hears what it missed, a missed delete as DeletedFinalStateUnknown', async () => {
    const probe = instrumented(listWatcher(cluster.client, { resource: 'configmaps', namespace: 'expire' }));
    const informer = new SharedInformer(probe.lw, { backoffInitialMs: 50 });
    const { heard, handler } = recorder();
    informer.addEventHandler(handler);
    const keep = await cluster.client.create('configmaps', cm('expire', 'keep', { v: '1' }));
    await cluster.client.create('configmaps', cm('expire', 'doomed'));
    informer.run();
    await informer.waitForSync(10_000);
    await eventually(() => probe.counts.watches === 1 || undefined);

    probe.cut();
    await cluster.client.update('configmaps', { ...keep, data: { v: '2' } });
    await cluster.client.delete('configmaps', 'expire', 'doomed');
    await cluster.client.create('configmaps', cm('expire', 'fresh'));
    probe.expire();

    await eventually(() => heard.length >= 5 || undefined, 10_000, 'the re-list diff');
    assert.deepEqual(heard.slice(0, 2).sort(), ['add doomed', 'add keep']);
    assert.deepEqual(heard.slice(2).sort(), ['add fresh', 'missed-delete expire/doomed', 'update keep {"v":"1"}->{"v":"2"}']);
    assert.equal(probe.counts.lists, 2);
    assert.deepEqual(informer.indexer.listKeys().sort(), ['expire/fresh', 'expire/keep']);
    // And it watches again from the new list's revision.
    await cluster.client.delete('configmaps', 'expire', 'fresh');
    await eventually(() => heard.includes('delete fresh') || undefined);
    informer.stop();
  });

  it('the factory gives two consumers one informer: one list, one watch, both hear every change', async () => {
    const probes: ReturnType<typeof instrumented>[] = [];
    const factory = new SharedInformerFactory(cluster.client, {
      listWatcherFor: (selection: Selection) => {
        const probe = instrumented(listWatcher(cluster.client, selection));
        probes.push(probe);
        return probe.lw;
      },
    });
    const first = recorder();
    const second = recorder();
    const one = factory.informerFor({ resource: 'configmaps', namespace: 'share' });
    const two = factory.informerFor({ resource: 'configmaps', namespace: 'share' });
    assert.equal(one, two);
    const labelled = factory.informerFor({ resource: 'configmaps', namespace: 'share', labelSelector: 'app=x' });
    assert.notEqual(labelled, one, 'another selection is another informer');
    one.addEventHandler(first.handler);
    two.addEventHandler(second.handler);
    factory.start();
    assert.equal(await factory.waitForCacheSync(10_000), true);
    assert.equal(one.hasSynced() && labelled.hasSynced(), true);

    await cluster.client.create('configmaps', { ...cm('share', 'shared'), metadata: { namespace: 'share', name: 'shared', labels: { app: 'x' } } });
    await eventually(() => (first.heard.includes('add shared') && second.heard.includes('add shared')) || undefined);
    await eventually(() => labelled.indexer.get('share/shared'));
    assert.equal(probes.length, 2);
    assert.deepEqual(probes[0]!.counts, { lists: 1, watches: 1 });
    factory.shutdown();
    assert.throws(() => factory.start(), /shut down/);
  });
});
