/**
 * API Priority and Fairness, reduced (src/apiserver/flow-control): the dispatcher never
 * runs more than its seats, never leaves a seat idle while a request waits, serves each
 * flow in order, and serves flows in turn, so a flow that waits is served before any
 * other flow is served twice; a full queue refuses. The classifier lets node heartbeats,
 * leader election and system:masters pass, and queues the rest by user or connection.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { FairDispatcher, type Release } from '../../src/apiserver/flow-control/fair-dispatcher.ts';
import { classifyRequest } from '../../src/apiserver/flow-control/classify.ts';
import { flowControlledPipeline, noteConnection } from '../../src/apiserver/flow-control/flow-controlled-pipeline.ts';
import type { Pipeline } from '../../src/apiserver/pipeline.ts';
import type { ApiReply, ApiRequest } from '../../src/apiserver/request.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

type Op = { kind: 'acquire'; flow: number } | { kind: 'release'; pick: number };

it('keeps seats, order and turns under any sequence of arrivals and completions', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.oneof(fc.record({ kind: fc.constant('acquire' as const), flow: fc.integer({ min: 0, max: 3 }) }), fc.record({ kind: fc.constant('release' as const), pick: fc.nat() })), { maxLength: 80 }),
      async (seats, queueLimit, ops: Op[]) => {
        const dispatcher = new FairDispatcher(seats, queueLimit);
        const held: Release[] = [];
        const grants: { flow: number; id: number }[] = [];
        const waitingIds = new Map<number, number[]>(); // flow -> ids waiting, in arrival order
        const servedWhileWaiting = new Map<number, Map<number, number>>(); // waiting flow -> other flow -> grants since
        let nextId = 0;
        // An assertion failing in a grant callback must fail the property, not float away as a rejection.
        const failures: unknown[] = [];
        const check = (body: () => void) => {
          try {
            body();
          } catch (error) {
            failures.push(error);
          }
        };
        for (const op of ops) {
          if (op.kind === 'acquire') {
            const id = nextId++;
            const before = dispatcher.counts();
            const seat = dispatcher.acquire(String(op.flow));
            if (!seat) {
              assert.equal((waitingIds.get(op.flow) ?? []).length, queueLimit, 'refused only with a full queue');
              assert.equal(before.executing, seats, 'refused only with every seat taken');
              continue;
            }
            if ((waitingIds.get(op.flow) ?? []).length === 0) servedWhileWaiting.set(op.flow, new Map());
            waitingIds.set(op.flow, [...(waitingIds.get(op.flow) ?? []), id]);
            void seat.then((release) => check(() => {
              const queue = waitingIds.get(op.flow)!;
              assert.equal(queue.shift(), id, 'a flow is served in arrival order');
              // Turns: while a flow waits, no other flow is served twice.
              servedWhileWaiting.set(op.flow, new Map());
              for (const [other, othersQueue] of waitingIds) {
                if (other === op.flow || othersQueue.length === 0) continue;
                const served = servedWhileWaiting.get(other)!;
                served.set(op.flow, (served.get(op.flow) ?? 0) + 1);
                assert.ok(served.get(op.flow)! <= 1, `flow ${op.flow} served twice while flow ${other} waited`);
              }
              grants.push({ flow: op.flow, id });
              held.push(release);
            }));
          } else if (held.length > 0) {
            const [release] = held.splice(op.pick % held.length, 1);
            release!();
            release!(); // a second call changes nothing
          }
          await settle();
          if (failures.length > 0) throw failures[0];
          const counts = dispatcher.counts();
          assert.ok(counts.executing <= seats, 'never more than the seats');
          assert.equal(counts.executing, held.length);
          assert.ok(counts.waiting === 0 || counts.executing === seats, 'no idle seat while a request waits');
          assert.equal(counts.waiting, [...waitingIds.values()].reduce((n, q) => n + q.length, 0));
        }
      },
    ),
    { numRuns: 200 },
  );
});

it('serves a flow that waits before any other flow twice', async () => {
  const dispatcher = new FairDispatcher(1, 100);
  const order: string[] = [];
  const first = await dispatcher.acquire('flood')!;
  const done: Promise<void>[] = [];
  // Each request completes as soon as it runs.
  const take = (flow: string) => done.push(dispatcher.acquire(flow)!.then((release) => (order.push(flow), release())));
  for (let i = 0; i < 5; i++) take('flood');
  take('kubectl');
  for (let i = 0; i < 5; i++) take('flood');
  first();
  await Promise.all(done);
  assert.deepEqual(order, ['flood', 'kubectl', ...Array(9).fill('flood')], 'kubectl waits behind one flood request, not ten');
});

it('refuses a flow whose queue is full, not the others', async () => {
  const dispatcher = new FairDispatcher(1, 2);
  const release = await dispatcher.acquire('a')!;
  assert.ok(dispatcher.acquire('a'));
  assert.ok(dispatcher.acquire('a'));
  assert.equal(dispatcher.acquire('a'), undefined);
  assert.ok(dispatcher.acquire('b'));
  assert.deepEqual(dispatcher.counts(), { executing: 1, waiting: 3, flowsWaiting: 2 });
  release();
  assert.deepEqual(dispatcher.counts(), { executing: 1, waiting: 2, flowsWaiting: 2 });
});

it('classifies as Kubernetes default FlowSchemas do, reduced', () => {
  const kubelet = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
  const admin = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
  const dev = { name: 'dev', groups: ['system:authenticated'] };
  const lease = (namespace: string, user?: typeof dev): ApiRequest => ({ verb: 'update', resource: 'leases.coordination.k8s.io', namespace, name: 'x', ...(user ? { user } : {}) });
  assert.equal(classifyRequest({ verb: 'create', resource: 'pods', namespace: 'default' }, undefined).level, 'exempt');
  assert.equal(classifyRequest({ verb: 'create', resource: 'pods', namespace: 'default', user: admin }, undefined).level, 'exempt');
  assert.equal(classifyRequest(lease('kube-node-lease', kubelet), undefined).level, 'node-high');
  assert.equal(classifyRequest({ verb: 'patch', resource: 'nodes', name: 'n1', subresource: 'status', user: kubelet }, undefined).level, 'node-high');
  assert.equal(classifyRequest(lease('kube-system'), '_INBOX.abc').level, 'leader-election');
  assert.deepEqual(classifyRequest(lease('default', dev), undefined), { level: 'workload', flow: 'user:dev' });
  assert.deepEqual(classifyRequest({ verb: 'get', resource: 'pods', namespace: 'default', name: 'p' }, '_INBOX.abc'), { level: 'workload', flow: 'connection:_INBOX.abc' });
});

it('answers 429 with Retry-After once a flow queue is full, and runs the rest', async () => {
  let running = 0;
  let finish: (() => void)[] = [];
  const inner: Pipeline = {
    handle: () => {
      running++;
      return new Promise<ApiReply>((resolve) => finish.push(() => resolve({ ok: true, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } })));
    },
    watch: () => Promise.resolve({ stop() {} }),
  };
  const pipeline = flowControlledPipeline(inner, new FairDispatcher(1, 1));
  const request = (): ApiRequest => {
    const r: ApiRequest = { verb: 'get', resource: 'pods', namespace: 'default', name: 'p' };
    noteConnection(r, '_INBOX.flood');
    return r;
  };
  const first = pipeline.handle(request());
  const second = pipeline.handle(request());
  const third = await pipeline.handle(request());
  assert.equal(third.ok, false);
  assert.equal(!third.ok && third.status.code, 429);
  assert.equal(!third.ok && third.status.details?.retryAfterSeconds, 1);
  await settle();
  assert.equal(running, 1, 'the second waits for the seat');
  finish.shift()!();
  assert.equal((await first).ok, true);
  await settle();
  assert.equal(running, 2);
  finish.shift()!();
  assert.equal((await second).ok, true);
  // Loopback requests (no user, no connection) never wait.
  const loopback = pipeline.handle({ verb: 'get', resource: 'pods', namespace: 'default', name: 'p' });
  const blocker = pipeline.handle(request());
  await settle();
  assert.equal(running, 4);
  finish.forEach((f) => f());
  finish = [];
  await Promise.all([loopback, blocker]);
});
