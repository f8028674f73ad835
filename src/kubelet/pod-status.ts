/**
 * The pod's status as the kubelet posts it, a pure function of the worker's state:
 * phase, conditions, addresses, start time, and a status per container (state, lastState,
 * ready, started, restartCount, image and ids). Containers still waiting for the init
 * containers show PodInitializing, as kubelet's do.
 */
import { computePhase, type ContainerRecord, type PodWorkerState, type TerminatedState } from './pod-state.ts';
import { conditionStatuses } from './pod-conditions.ts';

export interface ContainerStatus {
  name: string;
  state: Record<string, unknown>;
  lastState: Record<string, unknown>;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

export function podStatus(state: PodWorkerState): Record<string, unknown> {
  const initDone = state.initContainers.every((c) => c.state.kind === 'terminated' && c.state.terminated.exitCode === 0);
  const current = state.initContainers.find((c) => !(c.state.kind === 'terminated' && c.state.terminated.exitCode === 0));
  const status: Record<string, unknown> = {
    phase: computePhase(state),
    conditions: conditionStatuses(state).map((c) => ({
      type: c.type,
      status: c.status,
      lastProbeTime: null,
      lastTransitionTime: state.conditionSince[c.type]?.at ?? state.startTime,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    })),
    hostIP: state.hostIP,
    hostIPs: [{ ip: state.hostIP }],
    startTime: state.startTime,
    containerStatuses: state.containers.map((c) => containerStatus(c, !initDone)),
    qosClass: undefined,
  };
  delete status.qosClass;
  if (state.sandboxReady) {
    status.podIP = state.podIP;
    status.podIPs = [{ ip: state.podIP }];
  }
  if (state.initContainers.length > 0) status.initContainerStatuses = state.initContainers.map((c) => containerStatus(c, c !== current && !c.hasRun));
  return status;
}

function containerStatus(c: ContainerRecord, initializing: boolean): ContainerStatus {
  const status: ContainerStatus = {
    name: c.name,
    state: stateOf(c, initializing),
    lastState: c.lastState ? { terminated: terminated(c.lastState) } : {},
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID ?? '',
    started: c.state.kind === 'running' && c.started,
  };
  if (c.containerID) status.containerID = c.containerID;
  return status;
}

function stateOf(c: ContainerRecord, initializing: boolean): Record<string, unknown> {
  switch (c.state.kind) {
    case 'running':
      return { running: { startedAt: c.state.startedAt } };
    case 'terminated':
      return { terminated: terminated(c.state.terminated) };
    case 'waiting': {
      const reason = initializing && c.state.reason === 'ContainerCreating' ? 'PodInitializing' : c.state.reason;
      return { waiting: { reason, ...(c.state.message ? { message: c.state.message } : {}) } };
    }
  }
}

function terminated(t: TerminatedState): Record<string, unknown> {
  return {
    exitCode: t.exitCode,
    ...(t.signal !== undefined ? { signal: t.signal } : {}),
    reason: t.reason,
    ...(t.message ? { message: t.message } : {}),
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    ...(t.containerID ? { containerID: t.containerID } : {}),
  };
}
