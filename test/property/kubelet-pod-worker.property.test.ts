/**
 * Properties of the pod worker's decider over random runs: whatever the runtime and the
 * probes report, restart counts only grow, no back-off exceeds its cap, the phase only
 * moves forward (Pending -> Running -> Succeeded/Failed, terminal for good), nothing
 * running is started again, and the status is a pure function of the state.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { stepPod } from '../../src/kubelet/pod-actions.ts';
import { allContainers, initialPodState, type PodFact, type PodWorkerState } from '../../src/kubelet/pod-state.ts';
import { podStatus } from '../../src/kubelet/pod-status.ts';

const BACKOFF = { baseMs: 1_000, maxMs: 8_000, resetAfterMs: 60_000 };
const RANK: Record<string, number> = { Pending: 0, Running: 1, Succeeded: 2, Failed: 2 };

const podArb = fc.record({
  restartPolicy: fc.constantFrom('Always', 'OnFailure', 'Never'),
  inits: fc.integer({ min: 0, max: 2 }),
  containers: fc.integer({ min: 1, max: 3 }),
  liveness: fc.boolean(),
  readiness: fc.boolean(),
  startup: fc.boolean(),
});

type PodShape = typeof podArb extends fc.Arbitrary<infer T> ? T : never;

function makePod(p: PodShape): KubeObject {
  const probe = { exec: { command: ['x'] }, failureThreshold: 2 };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: {
      restartPolicy: p.restartPolicy,
      initContainers: Array.from({ length: p.inits }, (_, i) => ({ name: `i${i}`, image: 'x' })),
      containers: Array.from({ length: p.containers }, (_, i) => ({
        name: `c${i}`,
        image: 'x',
        ...(p.liveness ? { livenessProbe: probe } : {}),
        ...(p.readiness ? { readinessProbe: probe } : {}),
        ...(p.startup ? { startupProbe: probe } : {}),
      })),
    },
  };
}

/** One random fact that makes sense for the state (choice picks among the possible ones). */
function pickFact(state: PodWorkerState, now: number, choice: number, exitCode: number, ok: boolean): PodFact {
  const options: PodFact[] = [{ type: 'wake', at: now }];
  if (state.stage === 'preparing') options.push({ type: 'prepared', at: now }, { type: 'prepare.failed', message: 'x', at: now });
  for (const c of allContainers(state)) {
    if (c.inFlight === 'starting') {
      const id = `sim://u/${c.name}/${now}`;
      options.push({ type: 'container.started', name: c.name, containerID: id, imageID: 'i', at: now });
      options.push({ type: 'pull.failed', name: c.name, message: 'no', at: now });
      options.push({ type: 'start.failed', name: c.name, reason: 'RunContainerError', message: 'no', at: now });
    }
    if (c.state.kind === 'running' && c.containerID) {
      const exit = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: c.state.startedAt, finishedAt: new Date(now).toISOString() };
      options.push({ type: 'container.exited', name: c.name, containerID: c.containerID, exit, at: now });
      for (const kind of c.probeKinds) options.push({ type: 'probe.result', name: c.name, containerID: c.containerID, kind, ok, at: now });
    }
  }
  if (state.stage === 'running') options.push({ type: 'pod.deleting', graceMs: 1_000, at: now });
  return options[choice % options.length]!;
}

describe('pod worker properties', () => {
  it('holds its invariants over random runs', () => {
    fc.assert(
      fc.property(
        podArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2_000 }), fc.constantFrom(0, 1, 137), fc.boolean()), { minLength: 1, maxLength: 80 }),
        (spec, steps) => {
          let now = Date.parse('2026-01-01T00:00:00Z');
          let state = initialPodState(makePod(spec), { hostIP: '127.0.0.1', podIP: '127.30.0.2', now, backoff: BACKOFF });
          let phaseRank = 0;
          let terminal: string | undefined;
          const restarts = new Map<string, number>();
          for (const [choice, advance, exitCode, ok] of steps) {
            now += advance;
            const fact = pickFact(state, now, choice, exitCode, ok);
            const before = state;
            const { state: next, commands } = stepPod(state, fact);
            state = next;

            for (const command of commands) {
              if (command.type === 'start') {
                const c = allContainers(state).find((x) => x.name === command.name);
                assert.notEqual(c?.state.kind, 'running', `started ${command.name} while it runs`);
                assert.notEqual(allContainers(before).find((x) => x.name === command.name)?.inFlight, 'starting', `started ${command.name} twice`);
              }
              if (command.type === 'wakeAt') assert.ok(command.at - now <= BACKOFF.maxMs, 'a wait longer than the cap');
            }
            for (const c of allContainers(state)) {
              assert.ok(c.restartCount >= (restarts.get(c.name) ?? 0), 'restartCount went down');
              restarts.set(c.name, c.restartCount);
              for (const entry of [c.crashBackoff, c.pullBackoff]) if (entry) assert.ok(entry.delayMs <= BACKOFF.maxMs);
              if (c.retryAt !== undefined) assert.ok(c.retryAt - now <= BACKOFF.maxMs);
            }

            const status = podStatus(state) as { phase: string };
            assert.ok(RANK[status.phase]! >= phaseRank, `phase went back to ${status.phase}`);
            phaseRank = RANK[status.phase]!;
            if (terminal) assert.equal(status.phase, terminal, 'left a terminal phase');
            if (status.phase === 'Succeeded' || status.phase === 'Failed') terminal = status.phase;

            assert.deepEqual(podStatus(structuredClone(state)), podStatus(state), 'status is a function of the state alone');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
