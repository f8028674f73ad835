/**
 * The reflector machine and the shared informer over an in-memory ListerWatcher: list
 * then watch from the list's revision, bookmarks move the revision, a 410 re-lists and
 * the informer turns the missed changes into handler calls (DeletedFinalStateUnknown for
 * a missed delete), other failures back off and resume the watch without a re-list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActor, waitFor } from 'xstate';
import { reflectorMachine } from '../../actors/reflector.machine.ts';
import { unavailable, expired } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { ObjectList, WatchEvent } from '../../src/apiserver/request.ts';
import { FakeClock } from '../../src/informer/clock.ts';
import { isDeletedFinalStateUnknown } from '../../src/informer/deltas.ts';
import type { ListerWatcher, WatchOptions } from '../../src/informer/list-watcher.ts';
import { SharedInformer } from '../../src/informer/shared-informer.ts';
import { eventually } from '../support/cluster.ts';

function cm(name: string, rv: number): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name, resourceVersion: String(rv), uid: name } };
}

/** A scripted API: list answers what `objects` holds; each watch can be fed or failed by the test. */
class FakeApi implements ListerWatcher {
  readonly selection = { resource: 'configmaps', namespace: 'ns' };
  objects: KubeObject[] = [];
  revision = 0;
  lists = 0;
  watches: Array<{ options: WatchOptions; emit: (e: WatchEvent) => void; stopped: boolean }> = [];
  failNextWatch?: Error;

  async list(): Promise<ObjectList> {
    this.lists++;
    return { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: String(this.revision) }, items: [...this.objects] };
  }

  async watch(options: WatchOptions, onEvent: (e: WatchEvent) => void) {
    if (this.failNextWatch) {
      const error = this.failNextWatch;
      this.failNextWatch = undefined;
      throw error;
    }
    const w = { options, emit: onEvent, stopped: false };
    this.watches.push(w);
    return { stop: () => void (w.stopped = true) };
  }

  get current() {
    return this.watches.at(-1)!;
  }
}

function recordingSink() {
  const calls: string[] = [];
  return {
    calls,
    sink: {
      replace: (objects: KubeObject[], rv: string) => void calls.push(`replace@${rv}:${objects.map((o) => o.metadata.name).join(',')}`),
      apply: (type: string, o: KubeObject) => void calls.push(`${type} ${o.metadata.name}@${o.metadata.resourceVersion}`),
    },
  };
}

describe('reflector machine', () => {
  it('lists, watches from the list revision, resumes from the last revision, re-lists on 410, backs off on failure', async () => {
    const api = new FakeApi();
    api.objects = [cm('a', 1), cm('b', 2)];
    api.revision = 2;
    const { calls, sink } = recordingSink();
    const actor = createActor(reflectorMachine, { input: { lw: api, sink, backoffInitialMs: 1, backoffMaxMs: 4 } }).start();
    await waitFor(actor, (s) => s.matches('watching'));
    assert.equal(actor.getSnapshot().context.synced, true);
    assert.deepEqual(calls, ['replace@2:a,b']);
    await eventually(() => api.watches.length === 1 || undefined);
    assert.equal(api.current.options.resourceVersion, '2');

    api.current.emit({ type: 'MODIFIED', object: cm('a', 3) });
    api.current.emit({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '5' } } });
    assert.deepEqual(calls.slice(1), ['MODIFIED a@3']);
    assert.equal(actor.getSnapshot().context.resourceVersion, '5');

    // 410: re-list and replace.
    api.objects = [cm('a', 3), cm('c', 6)];
    api.revision = 6;
    api.current.emit({ type: 'ERROR', object: expired('too old resource version').toStatus() });
    await eventually(() => api.watches.length === 2 || undefined);
    assert.equal(api.watches[0]!.stopped, true);
    assert.equal(api.lists, 2);
    assert.deepEqual(calls.slice(2), ['replace@6:a,c']);
    assert.equal(api.current.options.resourceVersion, '6');

    // A watch that cannot open (no API server): back off, then watch again from the same revision, no re-list.
    api.current.emit({ type: 'MODIFIED', object: cm('c', 7) });
    api.failNextWatch = unavailable('no API server is answering');
    api.current.emit({ type: 'ERROR', object: { ...unavailable('gone').toStatus() } });
    await eventually(() => api.watches.length === 3 || undefined);
    assert.equal(api.current.options.resourceVersion, '7');
    assert.equal(api.lists, 2, 'a failed watch resumes without a re-list');
    assert.match(actor.getSnapshot().context.lastError ?? '', /no API server/);

    actor.send({ type: 'stop' });
    assert.equal(actor.getSnapshot().status, 'done');
    assert.equal(api.current.stopped, true, 'stopping ends the watch');
  });

  it('a first list that fails is retried until it succeeds; not synced until then', async () => {
    const api = new FakeApi();
    let failures = 2;
    const list = api.list.bind(api);
    api.list = async () => {
      if (failures-- > 0) throw unavailable('not yet');
      return list();
    };
    const { sink } = recordingSink();
    const actor = createActor(reflectorMachine, { input: { lw: api, sink, backoffInitialMs: 1 } }).start();
    await waitFor(actor, (s) => s.matches('backingOff'));
    assert.equal(actor.getSnapshot().context.synced, false);
    await waitFor(actor, (s) => s.context.synced);
    assert.equal(actor.getSnapshot().context.failures, 0);
    actor.send({ type: 'stop' });
  });
});

describe('SharedInformer over the reflector', () => {
  it('feeds the cache and the handlers; a missed delete arrives as DeletedFinalStateUnknown', async () => {
    const api = new FakeApi();
    api.objects = [cm('a', 1), cm('b', 2)];
    api.revision = 2;
    const informer = new SharedInformer(api, { backoffInitialMs: 1 });
    const heard: string[] = [];
    informer.addEventHandler({
      onAdd: (o, initial) => heard.push(`add ${o.metadata.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (old, o) => heard.push(`update ${o.metadata.name} ${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
      onDelete: (o) => heard.push(isDeletedFinalStateUnknown(o) ? `missed delete ${o.key}@${o.object.metadata.resourceVersion}` : `delete ${o.metadata.name}`),
    });
    assert.equal(informer.hasSynced(), false);
    informer.run();
    assert.equal(await informer.waitForSync(5_000), true);
    await eventually(() => api.watches.length === 1 || undefined);
    api.current.emit({ type: 'MODIFIED', object: cm('a', 3) });
    api.current.emit({ type: 'DELETED', object: cm('a', 4) });
    api.current.emit({ type: 'ADDED', object: cm('c', 5) });
    // While the watch is broken, b changes and is deleted, and d is created.
    api.objects = [cm('c', 5), cm('d', 9)];
    api.revision = 9;
    api.current.emit({ type: 'ERROR', object: expired('lost events').toStatus() });
    await eventually(() => api.watches.length === 2 || undefined);
    assert.deepEqual(heard, [
      'add a (initial)',
      'add b (initial)',
      'update a 1->3',
      'delete a',
      'add c',
      'add d',
      'missed delete ns/b@2',
    ]);
    assert.deepEqual(informer.indexer.listKeys().sort(), ['ns/c', 'ns/d']);

    // A late handler hears the cache as adds.
    const late: string[] = [];
    informer.addEventHandler({ onAdd: (o, initial) => late.push(`${o.metadata.name}:${initial}`) });
    assert.deepEqual(late.sort(), ['c:true', 'd:true']);
    informer.stop();
  });

  it('a throwing handler does not stop the informer or the other handlers', async () => {
    const api = new FakeApi();
    const informer = new SharedInformer(api);
    const seen: string[] = [];
    informer.addEventHandler({ onAdd: () => { throw new Error('boom'); } });
    informer.addEventHandler({ onAdd: (o) => void seen.push(o.metadata.name!) });
    informer.run();
    await informer.waitForSync(5_000);
    await eventually(() => api.watches.length === 1 || undefined);
    api.current.emit({ type: 'ADDED', object: cm('x', 1) });
    api.current.emit({ type: 'ADDED', object: cm('y', 2) });
    assert.deepEqual(seen, ['x', 'y']);
    assert.equal(informer.reflectorState()?.state, 'watching');
    informer.stop();
  });

  it('resync re-delivers every cached object as onUpdate(o, o) each period, until removed', async () => {
    const api = new FakeApi();
    api.objects = [cm('a', 1), cm('b', 2)];
    api.revision = 2;
    const clock = new FakeClock();
    const informer = new SharedInformer(api, { clock });
    const resyncs: string[] = [];
    const registration = informer.addEventHandler(
      { onUpdate: (old, o) => void resyncs.push(`${o.metadata.name}:${old === o}`) },
      { resyncPeriodMs: 30_000 },
    );
    const quiet: string[] = [];
    informer.addEventHandler({ onUpdate: (_old, o) => void quiet.push(o.metadata.name!) });
    informer.run();
    await informer.waitForSync(5_000);
    clock.step(29_999);
    assert.deepEqual(resyncs, []);
    clock.step(1);
    assert.deepEqual(resyncs.sort(), ['a:true', 'b:true']);
    clock.step(30_000);
    assert.equal(resyncs.length, 4);
    assert.deepEqual(quiet, [], 'a handler without a resync period hears no resyncs');
    registration.remove();
    clock.step(60_000);
    assert.equal(resyncs.length, 4);
    assert.equal(clock.pendingTimers, 0);
    informer.stop();
  });
});
