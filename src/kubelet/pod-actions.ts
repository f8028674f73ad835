/**
 * What a pod worker does next, given what it knows: kubelet's computePodActions, pure.
 * Init containers run one at a time, in order, each to success before the next; then
 * every app container is started; a container whose restart back-off is running waits
 * (the worker arms a wake-up for the earliest); a container a probe condemned is killed;
 * probes follow the container (startup first, then liveness and readiness). A pod being
 * deleted stops everything and, once nothing runs, is finalized (last status, then the
 * API object is removed). applyCommands records what was asked, so the same state never
 * asks twice.
 */
import { allContainers, computePhase, evolvePod, settle, type ContainerRecord, type PodFact, type PodWorkerState } from './pod-state.ts';

export type PodCommand =
  | { type: 'start'; name: string; init: boolean; attempt: number }
  | { type: 'kill'; name: string; containerID: string; graceMs: number; reason: 'liveness' | 'startup' | 'deletion'; message: string }
  | { type: 'probe'; name: string; containerID: string; phase: 'startup' | 'main' }
  | { type: 'wakeAt'; at: number }
  | { type: 'finalize' };

export function decidePodActions(state: PodWorkerState, now: number): PodCommand[] {
  if (state.stage === 'terminating') return terminate(state);
  if (state.stage !== 'running') return [];
  const commands: PodCommand[] = [];
  let wakeAt = Infinity;
  const visit = (c: ContainerRecord) => {
    if (c.inFlight) return;
    if (c.state.kind === 'running') {
      if (c.kill && c.containerID) {
        const graceMs = c.probeThresholds[c.kill.reason]?.terminationGraceMs ?? state.terminationGraceMs;
        commands.push({ type: 'kill', name: c.name, containerID: c.containerID, graceMs, reason: c.kill.reason, message: c.kill.message });
        return;
      }
      const phase = c.probeKinds.includes('startup') && !c.started ? 'startup' : 'main';
      const wanted = phase === 'startup' || c.probeKinds.some((k) => k !== 'startup');
      if (wanted && c.probing !== phase && c.containerID) commands.push({ type: 'probe', name: c.name, containerID: c.containerID, phase });
      return;
    }
    if (c.retryAt === undefined || computePhase(state) === 'Succeeded' || computePhase(state) === 'Failed') return;
    if (c.retryAt <= now) commands.push({ type: 'start', name: c.name, init: c.init, attempt: c.hasRun ? c.restartCount + 1 : c.restartCount });
    else wakeAt = Math.min(wakeAt, c.retryAt);
  };
  const pendingInit = state.initContainers.find((c) => !(c.state.kind === 'terminated' && c.state.terminated.exitCode === 0));
  if (pendingInit) visit(pendingInit);
  else state.containers.forEach(visit);
  if (wakeAt !== Infinity) commands.push({ type: 'wakeAt', at: wakeAt });
  return commands;
}

function terminate(state: PodWorkerState): PodCommand[] {
  const commands: PodCommand[] = [];
  let busy = false;
  const graceMs = Math.min(state.deletionGraceMs ?? state.terminationGraceMs, state.terminationGraceMs);
  for (const c of allContainers(state)) {
    if (c.inFlight) busy = true;
    else if (c.state.kind === 'running' && c.containerID) {
      busy = true;
      commands.push({ type: 'kill', name: c.name, containerID: c.containerID, graceMs, reason: 'deletion', message: `Stopping container ${c.name}` });
    }
  }
  if (!busy) commands.push({ type: 'finalize' });
  return commands;
}

/** The state once the commands are under way (starts and stops in flight, probes armed). */
export function applyCommands(state: PodWorkerState, commands: PodCommand[]): PodWorkerState {
  let next = state;
  for (const command of commands) {
    switch (command.type) {
      case 'start':
        next = mapContainer(next, command.name, (c) => ({ ...c, inFlight: 'starting', retryAt: undefined }));
        break;
      case 'kill':
        next = mapContainer(next, command.name, (c) => ({ ...c, inFlight: 'stopping', kill: undefined }));
        break;
      case 'probe':
        next = mapContainer(next, command.name, (c) => ({ ...c, probing: command.phase }));
        break;
      case 'finalize':
        next = { ...next, stage: 'finalizing' };
        break;
      case 'wakeAt':
        break;
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  }
  return next;
}

function mapContainer(state: PodWorkerState, name: string, change: (c: ContainerRecord) => ContainerRecord): PodWorkerState {
  const map = (list: ContainerRecord[]) => list.map((c) => (c.name === name ? change(c) : c));
  return { ...state, initContainers: map(state.initContainers), containers: map(state.containers) };
}

/** One turn of a worker: the fact applied, the decisions taken, and the state they leave. */
export function stepPod(state: PodWorkerState, fact: PodFact): { state: PodWorkerState; commands: PodCommand[] } {
  const evolved = evolvePod(state, fact);
  const commands = decidePodActions(evolved, fact.at);
  return { state: settle(applyCommands(evolved, commands), fact.at), commands };
}
