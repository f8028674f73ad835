/**
 * The pod worker machine with its driver swapped out (.provide()): what it asks the
 * driver for on each fact, and how it ends.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, setup, type AnyEventObject } from 'xstate';
import { podWorkerMachine, type DriverCommand, type PodWorkerInput } from '../../actors/pod-worker.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { noopRecorder } from '../../src/controllers/runtime/events.ts';
import { FakeClock } from '../../src/informer/clock.ts';
import { Handoff } from '../../src/kubelet/handoff.ts';
import type { PodWorkerDeps } from '../../src/kubelet/pod-driver.ts';
import { componentLogger } from '../../src/log.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const phaseOf = (command: DriverCommand | undefined) => (command?.type === 'status' ? command.status.phase : undefined);

function harness(pod: KubeObject) {
  const clock = new FakeClock(T0);
  const received: DriverCommand[] = [];
  let report: (event: AnyEventObject) => void = () => {};
  const driver = fromCallback<DriverCommand, { deps: PodWorkerDeps; pod: Handoff<KubeObject>; podIP: string }>(({ receive, sendBack }) => {
    report = sendBack;
    receive((event) => received.push(event));
  });
  const deps = { clock, hostIP: '127.0.0.1', recorder: noopRecorder, log: componentLogger('test') } as unknown as PodWorkerDeps;
  const input: PodWorkerInput = { pod: new Handoff(pod), podIP: '127.30.0.2', deps };
  const parent = setup({ actors: { worker: podWorkerMachine.provide({ actors: { driver } }) } }).createMachine({
    invoke: { id: 'worker', src: 'worker', input },
    initial: 'running',
    states: { running: { on: { 'worker.done': 'done' } }, done: {} },
  });
  const actor = createActor(parent).start();
  const worker = actor.getSnapshot().children.worker!;
  return {
    actor,
    clock,
    received,
    send: (event: AnyEventObject) => worker.send(event as never),
    fact: (event: AnyEventObject) => report(event),
    take: () => received.splice(0),
  };
}

const pod = (extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', resourceVersion: '5', ...extra },
  spec: { terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'x' }] },
});

describe('pod worker machine', () => {
  it('posts the first status and prepares, then starts the containers', () => {
    const h = harness(pod());
    const first = h.take();
    assert.deepEqual(first.map((c) => c.type), ['status', 'prepare']);
    assert.equal(phaseOf(first[0]), 'Pending');
    h.fact({ type: 'prepared', at: T0 });
    const next = h.take();
    assert.deepEqual(next.map((c) => (c.type === 'command' ? `command:${c.command.type}` : c.type)), ['status', 'command:start']);
    h.fact({ type: 'wake', at: T0 + 1 });
    assert.deepEqual(h.take(), [], 'nothing changed: no status write, no command');
  });

  it('retries a failed preparation after the pause', () => {
    const h = harness(pod());
    h.take();
    h.fact({ type: 'prepare.failed', message: 'configmap "x" not found', at: T0 });
    assert.deepEqual(h.take().filter((c) => c.type === 'command'), [{ type: 'command', command: { type: 'wakeAt', at: T0 + 2_000 } }]);
    h.fact({ type: 'wake', at: T0 + 2_000 });
    assert.deepEqual(h.take(), [{ type: 'prepare' }]);
  });

  it('stops a deleted pod with the smaller grace, finalizes, and tells its parent it is done', () => {
    const h = harness(pod());
    h.fact({ type: 'prepared', at: T0 });
    h.fact({ type: 'container.started', name: 'c', containerID: 'sim://u1/c/0', imageID: 'i', at: T0 });
    h.take();
    const deleted = pod({ deletionTimestamp: '2026-01-01T00:00:10Z', deletionGracePeriodSeconds: 10, resourceVersion: '9' });
    h.send({ type: 'pod.updated', pod: deleted });
    const commands = h.take().filter((c) => c.type === 'command' || c.type === 'observe');
    assert.deepEqual(commands[0], { type: 'observe', pod: deleted });
    assert.deepEqual(commands[1], { type: 'command', command: { type: 'kill', name: 'c', containerID: 'sim://u1/c/0', graceMs: 10_000, reason: 'deletion', message: 'Stopping container c' } });
    h.fact({ type: 'container.exited', name: 'c', containerID: 'sim://u1/c/0', exit: { exitCode: 0, reason: 'Completed', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' }, at: T0 + 1_000 });
    const last = h.take();
    assert.deepEqual(last.map((c) => (c.type === 'command' ? `command:${c.command.type}` : c.type)), ['status', 'command:finalize']);
    assert.equal(phaseOf(last[0]), 'Succeeded');
    h.fact({ type: 'finalized' });
    assert.equal(h.actor.getSnapshot().value, 'done');
  });

  it('kills at once when the pod vanishes from the API', () => {
    const h = harness(pod());
    h.take();
    h.send({ type: 'pod.removed' });
    assert.deepEqual(h.take(), [{ type: 'remove' }]);
    h.fact({ type: 'removed' });
    assert.equal(h.actor.getSnapshot().value, 'done');
  });
});
