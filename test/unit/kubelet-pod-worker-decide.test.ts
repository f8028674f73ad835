/**
 * The pod worker's decider, given/when/then: facts in, commands and status out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { stepPod, type PodCommand } from '../../src/kubelet/pod-actions.ts';
import { transitionEvents } from '../../src/kubelet/pod-events.ts';
import { initialPodState, type PodFact, type PodWorkerState, type TerminatedState } from '../../src/kubelet/pod-state.ts';
import { podStatus } from '../../src/kubelet/pod-status.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const BACKOFF = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

function pod(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'img' }], ...spec }, ...(status ? { status } : {}) };
}

class World {
  state: PodWorkerState;
  commands: PodCommand[] = [];
  constructor(p: KubeObject) {
    this.state = initialPodState(p, { hostIP: '127.0.0.1', podIP: '127.30.0.2', now: T0, backoff: BACKOFF });
  }
  when(fact: PodFact): this {
    const { state, commands } = stepPod(this.state, fact);
    this.state = state;
    this.commands = commands;
    return this;
  }
  get status() {
    return podStatus(this.state) as {
      phase: string;
      conditions: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime: string }>;
      containerStatuses: Array<{ name: string; ready: boolean; started: boolean; restartCount: number; state: Record<string, { reason?: string; message?: string; exitCode?: number }>; lastState: Record<string, { exitCode: number }> }>;
      initContainerStatuses?: Array<{ name: string; state: Record<string, { reason?: string }> }>;
      podIP?: string;
    };
  }
  condition(type: string) {
    return this.status.conditions.find((c) => c.type === type);
  }
  started(name: string, at: number, attempt = 0) {
    return this.when({ type: 'container.started', name, containerID: `sim://u1/${name}/${attempt}`, imageID: 'sim://img', at });
  }
  exited(name: string, exitCode: number, at: number, attempt = 0, ranMs = 1_000) {
    const exit: TerminatedState = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: new Date(at - ranMs).toISOString(), finishedAt: new Date(at).toISOString() };
    return this.when({ type: 'container.exited', name, containerID: `sim://u1/${name}/${attempt}`, exit, at });
  }
}

const types = (commands: PodCommand[]) => commands.map((c) => (c.type === 'start' || c.type === 'kill' || c.type === 'probe' ? `${c.type}:${c.name}` : c.type));

describe('pod worker decisions and status', () => {
  it('starts Pending in ContainerCreating, and starts the containers once the sandbox is ready', () => {
    const w = new World(pod({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }));
    assert.equal(w.status.phase, 'Pending');
    assert.equal(w.status.containerStatuses[0]!.state.waiting!.reason, 'ContainerCreating');
    assert.equal(w.condition('PodScheduled')!.status, 'True');
    assert.equal(w.condition('PodReadyToStartContainers')!.status, 'False');
    assert.equal(w.status.podIP, undefined);
    w.when({ type: 'prepared', at: T0 + 10 });
    assert.deepEqual(types(w.commands), ['start:a', 'start:b']);
    assert.equal(w.status.podIP, '127.30.0.2');
    assert.equal(w.condition('PodReadyToStartContainers')!.status, 'True');
    w.when({ type: 'wake', at: T0 + 20 });
    assert.deepEqual(w.commands, [], 'starts in flight are not asked for twice');
  });

  it('is Running and Ready once every container runs, with lastTransitionTime of the change', () => {
    const w = new World(pod({})).when({ type: 'prepared', at: T0 });
    w.started('c', T0 + 1_000);
    assert.equal(w.status.phase, 'Running');
    assert.equal(w.condition('Ready')!.status, 'True');
    assert.equal(w.condition('Ready')!.lastTransitionTime, '2026-01-01T00:00:01Z');
    assert.equal(w.condition('PodScheduled')!.lastTransitionTime, '2026-01-01T00:00:00Z');
    const c = w.status.containerStatuses[0]!;
    assert.deepEqual([c.ready, c.started, c.restartCount], [true, true, 0]);
  });

  it('keeps a container unready until its readiness probe passes', () => {
    const w = new World(pod({ containers: [{ name: 'c', image: 'x', readinessProbe: { exec: { command: ['true'] } } }] })).when({ type: 'prepared', at: T0 });
    w.started('c', T0);
    assert.deepEqual(types(w.commands), ['probe:c']);
    assert.equal(w.condition('Ready')!.status, 'False');
    assert.equal(w.condition('ContainersReady')!.message, 'containers with unready status: [c]');
    w.when({ type: 'probe.result', name: 'c', containerID: 'sim://u1/c/0', kind: 'readiness', ok: true, at: T0 + 100 });
    assert.equal(w.condition('Ready')!.status, 'True');
    w.when({ type: 'probe.result', name: 'c', containerID: 'sim://u1/c/0', kind: 'readiness', ok: false, at: T0 + 200 });
    w.when({ type: 'probe.result', name: 'c', containerID: 'sim://u1/c/0', kind: 'readiness', ok: false, at: T0 + 300 });
    w.when({ type: 'probe.result', name: 'c', containerID: 'sim://u1/c/0', kind: 'readiness', ok: false, at: T0 + 400 });
    assert.equal(w.condition('Ready')!.status, 'False', 'three failures (the default threshold) make it unready');
  });

  it('restarts a crashed container at once, then backs off with CrashLoopBackOff under Always', () => {
    const w = new World(pod({})).when({ type: 'prepared', at: T0 });
    w.started('c', T0).exited('c', 1, T0 + 1_000);
    assert.deepEqual(types(w.commands), ['start:c'], 'the first restart is immediate');
    assert.equal(w.status.phase, 'Running');
    w.started('c', T0 + 1_100, 1);
    assert.equal(w.status.containerStatuses[0]!.restartCount, 1);
    assert.equal(w.status.containerStatuses[0]!.lastState.terminated!.exitCode, 1);
    w.exited('c', 1, T0 + 2_000, 1);
    const c = w.status.containerStatuses[0]!;
    assert.equal(c.state.waiting!.reason, 'CrashLoopBackOff');
    assert.equal(c.state.waiting!.message, 'back-off 10s restarting failed container=c pod=p_ns(u1)');
    assert.deepEqual(w.commands, [{ type: 'wakeAt', at: T0 + 12_000 }]);
    assert.equal(w.status.phase, 'Running');
    w.when({ type: 'wake', at: T0 + 12_000 });
    assert.deepEqual(types(w.commands), ['start:c']);
    assert.deepEqual(w.commands[0], { type: 'start', name: 'c', init: false, attempt: 2 });
  });

  it('records a BackOff event when a container enters CrashLoopBackOff', () => {
    const w = new World(pod({})).when({ type: 'prepared', at: T0 });
    w.started('c', T0).exited('c', 1, T0 + 10).started('c', T0 + 20, 1);
    const before = w.state;
    w.exited('c', 1, T0 + 30, 1);
    assert.deepEqual(transitionEvents(before, w.state), [{ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container c in pod p_ns(u1)' }]);
  });

  it('fails a pod whose container exits 1 under Never, for good', () => {
    const w = new World(pod({ restartPolicy: 'Never' })).when({ type: 'prepared', at: T0 });
    w.started('c', T0).exited('c', 1, T0 + 500);
    assert.equal(w.status.phase, 'Failed');
    assert.deepEqual(w.commands, []);
    assert.equal(w.condition('Ready')!.status, 'False');
    w.when({ type: 'wake', at: T0 + 60_000 });
    assert.equal(w.status.phase, 'Failed');
  });

  it('succeeds under OnFailure once every container exited 0, and restarts a failed one', () => {
    const w = new World(pod({ restartPolicy: 'OnFailure', containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] })).when({ type: 'prepared', at: T0 });
    w.started('a', T0).started('b', T0).exited('a', 0, T0 + 100);
    assert.deepEqual(w.commands, [], 'a container that succeeded is not restarted under OnFailure');
    w.exited('b', 2, T0 + 200);
    assert.deepEqual(types(w.commands), ['start:b']);
    assert.equal(w.status.phase, 'Running');
    w.started('b', T0 + 300, 1).exited('b', 0, T0 + 400, 1);
    assert.equal(w.status.phase, 'Succeeded');
    assert.equal(w.condition('Ready')!.reason, 'PodCompleted');
  });

  it('runs init containers one by one before the app containers', () => {
    const w = new World(pod({ initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }], containers: [{ name: 'c', image: 'x' }] })).when({ type: 'prepared', at: T0 });
    assert.deepEqual(types(w.commands), ['start:i1']);
    assert.equal(w.status.containerStatuses[0]!.state.waiting!.reason, 'PodInitializing');
    assert.equal(w.condition('Initialized')!.message, 'containers with incomplete status: [i1 i2]');
    w.started('i1', T0).exited('i1', 0, T0 + 10);
    assert.deepEqual(types(w.commands), ['start:i2']);
    w.started('i2', T0 + 20).exited('i2', 0, T0 + 30);
    assert.deepEqual(types(w.commands), ['start:c']);
    assert.equal(w.condition('Initialized')!.status, 'True');
    assert.equal(w.status.initContainerStatuses![1]!.state.terminated!.reason, 'Completed');
  });

  it('fails the pod when an init container fails under Never, and retries it with back-off otherwise', () => {
    const never = new World(pod({ restartPolicy: 'Never', initContainers: [{ name: 'i', image: 'x' }] })).when({ type: 'prepared', at: T0 });
    never.started('i', T0).exited('i', 1, T0 + 10);
    assert.equal(never.status.phase, 'Failed');
    assert.deepEqual(never.commands, []);

    const always = new World(pod({ initContainers: [{ name: 'i', image: 'x' }] })).when({ type: 'prepared', at: T0 });
    always.started('i', T0).exited('i', 1, T0 + 10);
    assert.deepEqual(types(always.commands), ['start:i']);
    assert.equal(always.status.phase, 'Pending');
  });

  it('kills a container whose liveness probe fails and restarts it', () => {
    const w = new World(pod({ containers: [{ name: 'c', image: 'x', livenessProbe: { exec: { command: ['x'] }, failureThreshold: 2 } }] })).when({ type: 'prepared', at: T0 });
    w.started('c', T0);
    const fail = (at: number) => w.when({ type: 'probe.result', name: 'c', containerID: 'sim://u1/c/0', kind: 'liveness', ok: false, message: 'boom', at });
    fail(T0 + 100);
    assert.deepEqual(w.commands, []);
    fail(T0 + 200);
    assert.deepEqual(w.commands, [{ type: 'kill', name: 'c', containerID: 'sim://u1/c/0', graceMs: 30_000, reason: 'liveness', message: 'Container c failed liveness probe, will be restarted' }]);
    fail(T0 + 300);
    assert.deepEqual(w.commands, [], 'a kill in flight is not repeated');
    w.exited('c', 137, T0 + 400);
    assert.deepEqual(types(w.commands), ['start:c']);
  });

  it('waits for the startup probe before liveness and readiness', () => {
    const w = new World(pod({ containers: [{ name: 'c', image: 'x', startupProbe: { exec: { command: ['x'] } }, livenessProbe: { exec: { command: ['x'] } } }] })).when({ type: 'prepared', at: T0 });
    w.started('c', T0);
    assert.deepEqual(w.commands, [{ type: 'probe', name: 'c', containerID: 'sim://u1/c/0', phase: 'startup' }]);
    assert.equal(w.status.containerStatuses[0]!.started, false);
    w.when({ type: 'probe.result', name: 'c', containerID: 'sim://u1/c/0', kind: 'startup', ok: true, at: T0 + 10 });
    assert.deepEqual(w.commands, [{ type: 'probe', name: 'c', containerID: 'sim://u1/c/0', phase: 'main' }]);
    assert.equal(w.status.containerStatuses[0]!.started, true);
  });

  it('reports ErrImagePull, then ImagePullBackOff, retrying with back-off', () => {
    const w = new World(pod({})).when({ type: 'prepared', at: T0 });
    w.when({ type: 'pull.failed', name: 'c', message: 'not found', at: T0 + 5 });
    assert.deepEqual(w.status.containerStatuses[0]!.state.waiting, { reason: 'ErrImagePull', message: 'not found' });
    assert.deepEqual(w.commands, [{ type: 'wakeAt', at: T0 + 10_005 }]);
    w.when({ type: 'wake', at: T0 + 10_005 });
    assert.deepEqual(types(w.commands), ['start:c']);
    w.when({ type: 'pull.failed', name: 'c', message: 'not found', at: T0 + 10_010 });
    assert.equal(w.status.containerStatuses[0]!.state.waiting!.reason, 'ImagePullBackOff');
    assert.deepEqual(w.commands, [{ type: 'wakeAt', at: T0 + 30_010 }]);
    assert.equal(w.status.phase, 'Pending');
  });

  it('retries a CreateContainerConfigError', () => {
    const w = new World(pod({})).when({ type: 'prepared', at: T0 });
    w.when({ type: 'start.failed', name: 'c', reason: 'CreateContainerConfigError', message: 'configmap "x" not found', at: T0 });
    assert.deepEqual(w.status.containerStatuses[0]!.state.waiting, { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' });
    assert.deepEqual(w.commands, [{ type: 'wakeAt', at: T0 + 10_000 }]);
  });

  it('stops every container of a deleted pod with the smaller grace, then finalizes', () => {
    const w = new World(pod({ terminationGracePeriodSeconds: 20, containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] })).when({ type: 'prepared', at: T0 });
    w.started('a', T0).started('b', T0);
    w.when({ type: 'pod.deleting', graceMs: 5_000, at: T0 + 100 });
    assert.deepEqual(
      w.commands.map((c) => (c.type === 'kill' ? [c.name, c.graceMs, c.message] : c.type)),
      [
        ['a', 5_000, 'Stopping container a'],
        ['b', 5_000, 'Stopping container b'],
      ],
    );
    w.exited('a', 143, T0 + 200);
    assert.deepEqual(w.commands, [], 'b still runs');
    w.exited('b', 0, T0 + 300);
    assert.deepEqual(w.commands, [{ type: 'finalize' }]);
    assert.equal(w.status.phase, 'Failed', 'a container ended by SIGTERM with 143 fails the pod');
    assert.equal(w.condition('PodReadyToStartContainers')!.status, 'False');
  });

  it('keeps restart counts and a finished phase from a status left by an earlier kubelet', () => {
    const w = new World(pod({}, { phase: 'Running', startTime: '2025-12-31T00:00:00Z', containerStatuses: [{ name: 'c', restartCount: 4, containerID: 'process://u1/c/4' }] })).when({ type: 'prepared', at: T0 });
    assert.deepEqual(w.commands, [{ type: 'start', name: 'c', init: false, attempt: 5 }]);
    w.started('c', T0, 5);
    assert.equal(w.status.containerStatuses[0]!.restartCount, 5);
    assert.equal((podStatus(w.state) as { startTime: string }).startTime, '2025-12-31T00:00:00Z');
    const finished = new World(pod({}, { phase: 'Succeeded' })).when({ type: 'prepared', at: T0 });
    assert.deepEqual(finished.commands, []);
    assert.equal(finished.status.phase, 'Succeeded');
  });
});
