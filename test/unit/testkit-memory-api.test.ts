/**
 * The testkit's in-memory API answers as the API server does (names, uids, generation,
 * 409 on a stale resourceVersion, 404), logs every write in the export format, and the
 * user-side events do what they say: a stale update conflicts, a node failure marks the
 * node NotReady/unreachable, the clock moves; the harness checks invariants per step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { applyEvent, MemoryApi, runScenario, START_TIME, type TestController } from '../../src/testkit/index.ts';

const cm = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });
const rs = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'r', namespace: 'default' },
  spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
});

describe('testkit MemoryApi', () => {
  it('creates with uid, generateName and generation, and refuses a second create', () => {
    const api = new MemoryApi();
    const a = api.create(rs());
    assert.ok(a.ok);
    assert.equal(a.object.metadata.uid, 'uid-1');
    assert.equal(a.object.metadata.generation, 1);
    assert.equal(a.object.metadata.resourceVersion, '1');
    assert.equal(a.object.metadata.creationTimestamp, new Date(START_TIME).toISOString().replace('.000', ''));
    const again = api.create(rs());
    assert.deepEqual(again.ok ? 'ok' : again.code, 409);
    const generated = api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'x-', namespace: 'default' } });
    assert.ok(generated.ok && generated.object.metadata.name!.startsWith('x-') && generated.object.metadata.name!.length > 2);
    assert.deepEqual(api.log.map((e) => [e.seq, e.type, e.key.resource]), [
      [1, 'ADDED', 'replicasets.apps'],
      [2, 'ADDED', 'configmaps'],
    ]);
  });

  it('updates by compare-and-set, moves the generation on a spec change only, keeps status apart', () => {
    const api = new MemoryApi();
    const created = api.create(rs());
    assert.ok(created.ok);
    const scaled = api.update({ ...created.object, spec: { ...(created.object.spec as object), replicas: 3 } });
    assert.ok(scaled.ok);
    assert.equal(scaled.object.metadata.generation, 2);
    const stale = api.update({ ...created.object, spec: { ...(created.object.spec as object), replicas: 5 } });
    assert.deepEqual(stale.ok ? 'ok' : stale.code, 409);
    const status = api.update({ ...scaled.object, status: { replicas: 3 }, spec: { replicas: 99 } }, { subresource: 'status' });
    assert.ok(status.ok);
    assert.deepEqual(status.object.status, { replicas: 3 });
    assert.equal((status.object.spec as { replicas: number }).replicas, 3, 'a status write does not touch the spec');
    assert.equal(status.object.metadata.generation, 2);
    const gone = api.update({ ...cm('nope', {}), metadata: { name: 'nope', namespace: 'default' } });
    assert.deepEqual(gone.ok ? 'ok' : gone.code, 404);
  });

  it('deletes with a uid precondition and logs a tombstone', () => {
    const api = new MemoryApi();
    api.create(cm('a', { k: 'v' }));
    assert.deepEqual(((r) => (r.ok ? 'ok' : r.code))(api.delete('configmaps', 'default', 'a', { uid: 'other' })), 409);
    assert.ok(api.delete('configmaps', 'default', 'a', { uid: 'uid-1' }).ok);
    assert.equal(api.get('configmaps', 'default', 'a'), undefined);
    assert.equal(api.log.at(-1)!.type, 'DELETED');
    assert.deepEqual(api.log.at(-1)!.object.data, { k: 'v' });
  });
});

describe('testkit events', () => {
  it('a stale update conflicts once another writer changed the object, a fresh one applies', () => {
    const api = new MemoryApi();
    api.create(cm('a', { k: '1' }));
    const target = { resource: 'configmaps', namespace: 'default', name: 'a' };
    // Only one version so far: a "stale" reader read the current one, so it applies.
    assert.ok(applyEvent(api, { type: 'update', writer: 'alice', ...target, patch: { data: { k: '2' } }, stale: true })!.ok);
    const conflict = applyEvent(api, { type: 'update', writer: 'bob', ...target, patch: { data: { k: '3' } }, stale: true })!;
    assert.deepEqual(conflict.ok ? 'ok' : conflict.code, 409);
    assert.deepEqual(api.get('configmaps', 'default', 'a')!.data, { k: '2' });
    assert.ok(applyEvent(api, { type: 'update', writer: 'bob', ...target, patch: { data: { k: '3' } } })!.ok);
    assert.deepEqual(api.get('configmaps', 'default', 'a')!.data, { k: '3' });
  });

  it('a node failure marks it Unknown and unreachable, recovery undoes it; the clock moves the log time', () => {
    const api = new MemoryApi();
    api.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    applyEvent(api, { type: 'clock', ms: 5000 });
    assert.ok(applyEvent(api, { type: 'nodeFailure', node: 'n1' })!.ok);
    const failed = api.get('nodes', '', 'n1')!;
    assert.deepEqual((failed.status as { conditions: { type: string; status: string }[] }).conditions.map((c) => [c.type, c.status]), [['Ready', 'Unknown']]);
    assert.deepEqual((failed.spec as { taints: { effect: string }[] }).taints.map((t) => t.effect), ['NoSchedule', 'NoExecute']);
    assert.equal(api.log.at(-1)!.time, START_TIME + 5000);
    assert.ok(applyEvent(api, { type: 'nodeRecover', node: 'n1' })!.ok);
    const recovered = api.get('nodes', '', 'n1')!;
    assert.deepEqual((recovered.spec as { taints: unknown[] }).taints, []);
    assert.equal((recovered.status as { conditions: { status: string }[] }).conditions[0]!.status, 'True');
  });
});

describe('testkit runScenario', () => {
  const copier: TestController = {
    name: 'copier',
    reconcile: (view) =>
      view
        .list('configmaps', 'default')
        .filter((c) => !c.metadata.name!.endsWith('-copy') && !view.get('configmaps', 'default', `${c.metadata.name}-copy`))
        .map((c) => ({ type: 'create' as const, object: cm(`${c.metadata.name}-copy`, (c.data ?? {}) as Record<string, string>) })),
  };

  it('checks invariants after every event and every batch of writes, and reports where one fails', () => {
    const seen: string[] = [];
    const result = runScenario([{ type: 'create', object: cm('a', {}) }, { type: 'reconcile', rounds: 2 }, { type: 'create', object: cm('b', {}) }], {
      controllers: [copier],
      invariants: {
        record: (_view, ctx) => void seen.push(`${ctx.phase}:${ctx.eventIndex}`),
        'at most 3 config maps': (view) => view.list('configmaps').length <= 3,
      },
    });
    assert.deepEqual(seen, ['event:-1', 'event:0', 'reconcile:1', 'event:2']);
    assert.equal(result.failure, undefined);
    const failing = runScenario([{ type: 'create', object: cm('a', {}) }, { type: 'create', object: cm('b', {}) }], {
      controllers: [copier],
      eventually: { 'at most 3 config maps': (view) => view.list('configmaps').length <= 3 || `${view.list('configmaps').length} config maps` },
    });
    assert.equal(failing.failure?.invariant, 'at most 3 config maps');
    assert.equal(failing.failure?.message, '4 config maps');
    assert.equal(failing.failure?.phase, 'eventually');
    assert.equal(failing.failure?.revision, 4);
  });

  it('reports a controller that never reaches a fixed point', () => {
    const restless: TestController = { name: 'restless', reconcile: (view) => [{ type: 'updateStatus', resource: 'replicasets.apps', namespace: 'default', name: 'r', status: { observedGeneration: view.now } }] };
    const result = runScenario([{ type: 'create', object: rs() }], { controllers: [restless], settle: true, maxSettleRounds: 5 });
    assert.equal(result.failure?.invariant, 'reaches a fixed point');
  });
});
