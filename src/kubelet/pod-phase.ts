/**
 * The pod's phase, as kubelet's getPhase derives it from its containers: Pending while
 * an init container has not succeeded (Failed when one failed under Never) or an app
 * container waits for its first start; Running while any runs (or, under Always and
 * OnFailure, waits to restart); Succeeded or Failed once all have stopped for good. A
 * pod being finalized is terminal whatever its restart policy. Pure.
 */
import type { PodWorkerState } from './pod-state.ts';

/** kubelet's getPhase over the worker's containers; a pod being finalized is terminal. */
export function computePhase(state: PodWorkerState): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (state.terminalPhase) return state.terminalPhase;
  const podIsTerminal = state.stage === 'finalizing' || state.stage === 'done';
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of state.initContainers) {
    const exit = c.state.kind === 'terminated' ? c.state.terminated : c.state.kind === 'waiting' ? c.lastState : undefined;
    if (c.state.kind === 'running' || c.inFlight === 'starting') pendingInit++;
    else if (exit && exit.exitCode === 0) continue;
    else if (exit) failedInit++;
    else pendingInit++;
  }
  if (failedInit > 0 && (state.restartPolicy === 'Never' || podIsTerminal)) return 'Failed';
  if (pendingInit > 0 || failedInit > 0) return podIsTerminal ? 'Failed' : 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of state.containers) {
    if (c.state.kind === 'running') running++;
    else if (c.state.kind === 'terminated') {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState) stopped++;
    else waiting++;
  }
  if (podIsTerminal) return running === 0 && waiting === 0 && stopped > 0 && stopped === succeeded ? 'Succeeded' : 'Failed';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (state.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (state.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}
