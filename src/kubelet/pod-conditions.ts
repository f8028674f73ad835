/**
 * The pod conditions the kubelet owns, as its status manager computes them (without
 * times: pod-state.ts stamps lastTransitionTime when a status changes). Order is the
 * kubelet's: PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled.
 * Readiness gates are not evaluated (Ready follows ContainersReady).
 */
import type { PodWorkerState } from './pod-state.ts';
import { computePhase } from './pod-phase.ts';

export interface ConditionStatus {
  type: 'PodReadyToStartContainers' | 'Initialized' | 'Ready' | 'ContainersReady' | 'PodScheduled';
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

export function conditionStatuses(state: PodWorkerState): ConditionStatus[] {
  const phase = computePhase(state);
  const sandboxUp = state.sandboxReady && state.stage !== 'finalizing' && state.stage !== 'done';
  const incompleteInit = state.initContainers.filter((c) => !(c.state.kind === 'terminated' && c.state.terminated.exitCode === 0)).map((c) => c.name);
  const unready = state.containers.filter((c) => !c.ready).map((c) => c.name);

  const initialized: ConditionStatus =
    phase === 'Succeeded'
      ? { type: 'Initialized', status: 'True', reason: 'PodCompleted' }
      : incompleteInit.length === 0
        ? { type: 'Initialized', status: 'True' }
        : { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incompleteInit.join(' ')}]` };

  let containersReady: ConditionStatus;
  if (phase === 'Succeeded') containersReady = { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  else if (incompleteInit.length > 0) containersReady = { type: 'ContainersReady', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incompleteInit.join(' ')}]` };
  else if (unready.length > 0 || phase === 'Failed') containersReady = { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  else containersReady = { type: 'ContainersReady', status: 'True' };

  return [
    { type: 'PodReadyToStartContainers', status: sandboxUp ? 'True' : 'False' },
    initialized,
    { ...containersReady, type: 'Ready' },
    containersReady,
    { type: 'PodScheduled', status: 'True' },
  ];
}
