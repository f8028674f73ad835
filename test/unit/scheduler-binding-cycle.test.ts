/**
 * The Scheduler's own cycle over in-memory informers and a client whose bindings the test
 * answers by hand: assumed pods count before their binding returns, a failed binding
 * frees the node and retries the pod, bindings in flight are bounded, and an assumption
 * the informer never confirms expires.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { WatchEvent } from '../../src/apiserver/request.ts';
import type { ApiClient } from '../../src/client/api-client.ts';
import type { EventRecorder } from '../../src/controllers/runtime/events.ts';
import { FakeClock } from '../../src/informer/clock.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import type { ListerWatcher, Selection } from '../../src/informer/list-watcher.ts';
import { makeNode, makePod } from '../../src/scheduler/fixtures.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { eventually } from '../support/cluster.ts';

interface Binding {
  pod: string;
  node: string;
  resolve(): void;
  reject(error: Error): void;
}

function harness(nodes: KubeObject[], pods: KubeObject[], options: { maxBindingsInFlight?: number } = {}) {
  const emitters = new Map<string, (e: WatchEvent) => void>();
  const initial: Record<string, KubeObject[]> = { nodes, pods };
  const factory = new SharedInformerFactory({} as ApiClient, {
    listWatcherFor: (selection: Selection): ListerWatcher => ({
      selection,
      list: async () => ({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1' }, items: initial[selection.resource] ?? [] }),
      watch: async (_o, onEvent) => {
        emitters.set(selection.resource, onEvent);
        return { stop() {} };
      },
    }),
  });
  const bindings: Binding[] = [];
  const statusWrites: KubeObject[] = [];
  const client = {
    bind: (namespace: string, name: string, node: string) =>
      new Promise<KubeObject>((resolve, reject) => bindings.push({ pod: `${namespace}/${name}`, node, resolve: () => resolve({} as KubeObject), reject })),
    update: async (_r: string, object: KubeObject) => {
      statusWrites.push(object);
      return object;
    },
    get: async () => {
      throw new StatusError(404, 'NotFound', 'gone');
    },
  } as unknown as ApiClient;
  const events: { reason: string; message: string; pod: string }[] = [];
  const recorder: EventRecorder = { record: (o, _t, reason, message) => events.push({ reason, message, pod: o.metadata.name ?? '' }) };
  const clock = new FakeClock(Date.now());
  const scheduler = new Scheduler(client, factory, { clock, recorder, maxBindingsInFlight: options.maxBindingsInFlight ?? 64 });
  const emit = (resource: string, type: WatchEvent['type'], object: KubeObject) => emitters.get(resource)!({ type, object });
  return { factory, scheduler, bindings, statusWrites, events, clock, emit };
}

const bound = (pod: KubeObject, node: string): KubeObject => ({ ...pod, metadata: { ...pod.metadata, resourceVersion: '99' }, spec: { ...(pod.spec as object), nodeName: node } });

describe('scheduler binding cycle', () => {
  // Every timer of the informers is unref'd and nothing here holds a socket: keep the loop alive.
  let keepAlive: NodeJS.Timeout;
  before(() => {
    keepAlive = setInterval(() => {}, 1_000);
  });
  after(() => clearInterval(keepAlive));

  it('counts assumed pods before their bindings return, so a burst never overcommits', async () => {
    const pods = Array.from({ length: 5 }, (_, i) => makePod(`p${i}`, { cpu: '600m' }));
    const h = harness([makeNode('a', { cpu: '1' }), makeNode('b', { cpu: '1' })], pods);
    await h.scheduler.startAndSync(h.factory, 5_000);
    h.scheduler.run();
    await eventually(() => (h.bindings.length === 2 && h.events.filter((e) => e.reason === 'FailedScheduling').length === 3) || undefined, 5_000, '2 bindings, 3 failures');
    assert.deepEqual(h.bindings.map((b) => b.node).sort(), ['a', 'b']);
    assert.equal(h.events[0]!.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
    assert.equal(h.statusWrites.length, 3);
    for (const b of h.bindings) b.resolve();
    await h.scheduler.shutDown();
    h.factory.shutdown();
  });

  it('a failed binding frees the node and retries the pod after its backoff', async () => {
    const h = harness([makeNode('a', { cpu: '1' })], [makePod('first', { cpu: '600m' })]);
    await h.scheduler.startAndSync(h.factory, 5_000);
    h.scheduler.run();
    await eventually(() => h.bindings.length === 1 || undefined, 5_000, 'the first binding');
    h.bindings[0]!.reject(new StatusError(500, 'InternalError', 'the log is unavailable'));
    await eventually(() => h.events.some((e) => e.reason === 'FailedScheduling') || undefined, 5_000, 'the failure recorded');
    assert.equal(h.events.find((e) => e.reason === 'FailedScheduling')!.message, 'Binding rejected: the log is unavailable');
    assert.equal(h.scheduler.cache.nodeInfo('a')!.requested.get('cpu'), 0, 'the assumption is forgotten');
    assert.equal(h.scheduler.queue.whereIs('default/first'), 'backoff');
    h.clock.step(2_000);
    await eventually(() => h.bindings.length === 2 || undefined, 5_000, 'a second binding');
    h.bindings[1]!.resolve();
    h.emit('pods', 'MODIFIED', bound(makePod('first', { cpu: '600m' }), 'a'));
    await eventually(() => h.events.some((e) => e.reason === 'Scheduled') || undefined, 5_000, 'Scheduled');
    assert.equal(h.scheduler.cache.isAssumed('default/first'), false);
    await h.scheduler.shutDown();
    h.factory.shutdown();
  });

  it('keeps at most maxBindingsInFlight bindings pending', async () => {
    const h = harness([makeNode('a', { cpu: '8' })], Array.from({ length: 5 }, (_, i) => makePod(`p${i}`, { cpu: '100m' })), { maxBindingsInFlight: 2 });
    await h.scheduler.startAndSync(h.factory, 5_000);
    h.scheduler.run();
    await eventually(() => h.bindings.length === 2 || undefined, 5_000, 'two bindings');
    await new Promise((r) => setImmediate(r));
    assert.equal(h.bindings.length, 2, 'the third waits for a slot');
    h.bindings[0]!.resolve();
    await eventually(() => h.bindings.length === 3 || undefined, 5_000, 'a third binding once one returned');
    for (const b of h.bindings.slice(1)) b.resolve();
    await eventually(() => h.bindings.length === 5 || undefined, 5_000, 'all five');
    for (const b of h.bindings.slice(3)) b.resolve();
    await h.scheduler.shutDown();
    h.factory.shutdown();
  });

  it('an assumption the informer never confirms expires 30 s after its binding and the pod is tried again', async () => {
    const h = harness([makeNode('a', { cpu: '1' })], [makePod('ghost', { cpu: '600m' })]);
    await h.scheduler.startAndSync(h.factory, 5_000);
    h.scheduler.run();
    await eventually(() => h.bindings.length === 1 || undefined, 5_000, 'the binding');
    h.bindings[0]!.resolve();
    await eventually(() => h.events.some((e) => e.reason === 'Scheduled') || undefined, 5_000, 'bound');
    h.clock.step(29_000);
    assert.equal(h.scheduler.cache.isAssumed('default/ghost'), true);
    h.clock.step(2_000);
    await eventually(() => h.bindings.length === 2 || undefined, 5_000, 'scheduled again after expiry');
    h.bindings[1]!.resolve();
    await h.scheduler.shutDown();
    h.factory.shutdown();
  });

  it('a deleted pod frees its node: unschedulable pods move back and get placed', async () => {
    const big = makePod('big', { cpu: '800m', nodeName: 'a' });
    const h = harness([makeNode('a', { cpu: '1' })], [big, makePod('waiting', { cpu: '500m' })]);
    await h.scheduler.startAndSync(h.factory, 5_000);
    h.scheduler.run();
    await eventually(() => h.scheduler.queue.whereIs('default/waiting') === 'unschedulable' || undefined, 5_000, 'unschedulable');
    assert.equal(h.bindings.length, 0);
    h.emit('pods', 'DELETED', big);
    assert.equal(h.scheduler.queue.whereIs('default/waiting'), 'backoff', 'moved, still within its 1 s backoff');
    h.clock.step(1_500);
    await eventually(() => h.bindings.length === 1 || undefined, 5_000, 'the waiting pod bound');
    assert.equal(h.bindings[0]!.node, 'a');
    h.bindings[0]!.resolve();
    await h.scheduler.shutDown();
    h.factory.shutdown();
  });
});
