/**
 * What a pod worker knows about its pod, and how each fact changes it: the decider's
 * state and evolve (see STYLE.md). Facts come from the runtime, the probes, the API and
 * the clock; the decisions that follow are pod-actions.ts, the status the API sees is
 * pod-status.ts, both pure functions of this state. Time comes in with every fact.
 */
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { DEFAULT_BACKOFF, nextBackoff, nextRetryBackoff, type BackoffConfig, type BackoffEntry } from './backoff.ts';
import { newTracker, observeProbe, type ProbeKind, type ProbeTracker } from './probe-tracker.ts';
import { probeSpec } from './probe-spec.ts';
import { goDuration, rfc3339 } from './time-format.ts';
import { conditionStatuses } from './pod-conditions.ts';
import { computePhase } from './pod-phase.ts';

export { computePhase } from './pod-phase.ts';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface TerminatedState {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID?: string;
}

export type ContainerState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string }
  | { kind: 'terminated'; terminated: TerminatedState };

export interface ContainerRecord {
  name: string;
  image: string;
  init: boolean;
  state: ContainerState;
  lastState?: TerminatedState;
  restartCount: number;
  /** Started at least once (here, or before a kubelet restart): the next start is a restart. */
  hasRun: boolean;
  containerID?: string;
  imageID?: string;
  startedAtMs?: number;
  /** Startup probe passed (or there is none) while running. */
  started: boolean;
  ready: boolean;
  /** A start or a stop the runtime is carrying out. */
  inFlight?: 'starting' | 'stopping';
  /** When to (re)start it; absent: not to be started (running, or done for good). */
  retryAt?: number;
  crashBackoff?: BackoffEntry;
  pullBackoff?: BackoffEntry;
  probeKinds: ProbeKind[];
  probeThresholds: Partial<Record<ProbeKind, { successThreshold: number; failureThreshold: number; terminationGraceMs?: number }>>;
  probes: Partial<Record<ProbeKind, ProbeTracker>>;
  /** Which probes the driver runs for the current containerID. */
  probing?: 'startup' | 'main';
  /** A probe asked for this container to be killed. */
  kill?: { reason: 'liveness' | 'startup'; message: string };
}

export type Stage = 'preparing' | 'running' | 'terminating' | 'finalizing' | 'done';

export interface PodWorkerState {
  uid: string;
  namespace: string;
  name: string;
  restartPolicy: RestartPolicy;
  terminationGraceMs: number;
  backoff: BackoffConfig;
  stage: Stage;
  sandboxReady: boolean;
  prepareError?: string;
  hostIP: string;
  podIP: string;
  startTime: string;
  initContainers: ContainerRecord[];
  containers: ContainerRecord[];
  /** Set once the pod is Succeeded or Failed: kubelet never leaves a terminal phase. */
  terminalPhase?: 'Succeeded' | 'Failed';
  deletionGraceMs?: number;
  /** When each condition's status last changed (lastTransitionTime). */
  conditionSince: Record<string, { status: string; at: string }>;
}

export type PodFact =
  | { type: 'prepared'; at: number }
  | { type: 'prepare.failed'; message: string; at: number }
  | { type: 'pull.failed'; name: string; message: string; at: number }
  | { type: 'start.failed'; name: string; reason: string; message: string; at: number }
  | { type: 'container.started'; name: string; containerID: string; imageID: string; at: number }
  | { type: 'container.exited'; name: string; containerID: string; exit: TerminatedState; at: number }
  | { type: 'probe.result'; name: string; containerID: string; kind: ProbeKind; ok: boolean; message?: string; at: number }
  | { type: 'pod.deleting'; graceMs: number; at: number }
  | { type: 'wake'; at: number };

export interface WorkerSetup {
  hostIP: string;
  podIP: string;
  now: number;
  backoff?: BackoffConfig;
}

const records = (value: unknown) => (Array.isArray(value) ? value.filter(isPlainObject) : []);

/** The state a worker starts from; a status left by an earlier kubelet keeps restart counts and start time. */
export function initialPodState(pod: KubeObject, setup: WorkerSetup): PodWorkerState {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const status = isPlainObject(pod.status) ? pod.status : {};
  const old = new Map<string, Record<string, unknown>>();
  for (const s of [...records(status.initContainerStatuses), ...records(status.containerStatuses)]) old.set(String(s.name), s);
  const record = (container: Record<string, unknown>, init: boolean): ContainerRecord => {
    const name = String(container.name ?? '');
    const previous = old.get(name);
    const probeKinds = (['startup', 'liveness', 'readiness'] as const).filter((k) => !init && probeSpec(container, k));
    const probeThresholds: ContainerRecord['probeThresholds'] = {};
    for (const kind of probeKinds) {
      const p = probeSpec(container, kind)!;
      probeThresholds[kind] = { successThreshold: p.successThreshold, failureThreshold: p.failureThreshold, ...(p.terminationGraceMs !== undefined ? { terminationGraceMs: p.terminationGraceMs } : {}) };
    }
    const lastState = isPlainObject(previous?.lastState) && isPlainObject(previous.lastState.terminated) ? (previous.lastState.terminated as unknown as TerminatedState) : undefined;
    return {
      name,
      image: String(container.image ?? ''),
      init,
      state: { kind: 'waiting', reason: 'ContainerCreating' },
      ...(lastState ? { lastState } : {}),
      restartCount: typeof previous?.restartCount === 'number' ? previous.restartCount : 0,
      hasRun: typeof previous?.containerID === 'string' && previous.containerID !== '',
      started: false,
      ready: false,
      retryAt: 0,
      probeKinds,
      probeThresholds,
      probes: {},
    };
  };
  const policy = spec.restartPolicy === 'Never' || spec.restartPolicy === 'OnFailure' ? spec.restartPolicy : 'Always';
  const state: PodWorkerState = {
    uid: pod.metadata.uid ?? '',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    restartPolicy: policy,
    terminationGraceMs: (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30) * 1000,
    backoff: setup.backoff ?? DEFAULT_BACKOFF,
    stage: 'preparing',
    sandboxReady: false,
    hostIP: setup.hostIP,
    podIP: setup.podIP,
    startTime: typeof status.startTime === 'string' ? status.startTime : rfc3339(setup.now),
    initContainers: records(spec.initContainers).map((c) => record(c, true)),
    containers: records(spec.containers).map((c) => record(c, false)),
    conditionSince: {},
  };
  // A pod that already finished stays finished (a kubelet restart must not run it again).
  if (status.phase === 'Succeeded' || status.phase === 'Failed') state.terminalPhase = status.phase;
  return stampConditions(state, setup.now);
}

/** kubelet's format.Pod: `name_namespace(uid)`. */
export const podDescription = (s: Pick<PodWorkerState, 'name' | 'namespace' | 'uid'>) => `${s.name}_${s.namespace}(${s.uid})`;

export function shouldRestart(policy: RestartPolicy, exitCode: number, init: boolean): boolean {
  if (policy === 'Never') return false;
  if (init || policy === 'OnFailure') return exitCode !== 0;
  return true;
}

export function allContainers(state: PodWorkerState): ContainerRecord[] {
  return [...state.initContainers, ...state.containers];
}

export function findContainer(state: PodWorkerState, name: string): ContainerRecord | undefined {
  return state.initContainers.find((c) => c.name === name) ?? state.containers.find((c) => c.name === name);
}

export function withContainer(state: PodWorkerState, name: string, change: (c: ContainerRecord) => ContainerRecord): PodWorkerState {
  const map = (list: ContainerRecord[]) => list.map((c) => (c.name === name ? change(c) : c));
  return { ...state, initContainers: map(state.initContainers), containers: map(state.containers) };
}

export function evolvePod(state: PodWorkerState, fact: PodFact): PodWorkerState {
  return settle(applyFact(state, fact), fact.at);
}

/** Fixes a terminal phase once reached and stamps condition transitions: run after every change. */
export function settle(state: PodWorkerState, at: number): PodWorkerState {
  return stampConditions(settlePhase(state), at);
}

function applyFact(state: PodWorkerState, fact: PodFact): PodWorkerState {
  switch (fact.type) {
    case 'prepared':
      if (state.stage !== 'preparing') return state;
      return { ...state, stage: 'running', sandboxReady: true, prepareError: undefined };
    case 'prepare.failed':
      return { ...state, prepareError: fact.message };
    case 'pull.failed':
      return withContainer(state, fact.name, (c) => {
        const step = nextRetryBackoff(c.pullBackoff, state.backoff);
        const backingOff = c.pullBackoff !== undefined;
        const message = backingOff ? `Back-off pulling image "${c.image}": ErrImagePull: ${fact.message}` : fact.message;
        return { ...keepLastExit(c), inFlight: undefined, pullBackoff: step.entry, retryAt: fact.at + step.waitMs, state: { kind: 'waiting', reason: backingOff ? 'ImagePullBackOff' : 'ErrImagePull', message } };
      });
    case 'start.failed':
      return withContainer(state, fact.name, (c) => {
        const step = nextRetryBackoff(c.crashBackoff, state.backoff);
        return { ...keepLastExit(c), inFlight: undefined, crashBackoff: step.entry, retryAt: fact.at + step.waitMs, state: { kind: 'waiting', reason: fact.reason, message: fact.message } };
      });
    case 'container.started':
      return withContainer(state, fact.name, (c) => {
        const lastState = c.state.kind === 'terminated' ? c.state.terminated : c.lastState;
        const probes: ContainerRecord['probes'] = {};
        for (const kind of c.probeKinds) probes[kind] = newTracker(kind);
        const started = !c.probeKinds.includes('startup');
        const next: ContainerRecord = {
          ...c,
          inFlight: undefined,
          retryAt: undefined,
          pullBackoff: undefined,
          kill: undefined,
          probing: undefined,
          containerID: fact.containerID,
          imageID: fact.imageID,
          restartCount: c.hasRun ? c.restartCount + 1 : c.restartCount,
          hasRun: true,
          startedAtMs: fact.at,
          state: { kind: 'running', startedAt: rfc3339(fact.at) },
          started,
          probes,
          ready: false,
        };
        if (lastState) next.lastState = lastState;
        return { ...next, ready: readiness(next) };
      });
    case 'container.exited':
      return withContainer(state, fact.name, (c) => {
        if (c.containerID !== fact.containerID) return c;
        const exit = { ...fact.exit, containerID: fact.containerID };
        const base: ContainerRecord = { ...c, inFlight: undefined, kill: undefined, probing: undefined, started: false, ready: false, retryAt: undefined };
        if (state.stage !== 'running' || !shouldRestart(state.restartPolicy, exit.exitCode, c.init)) {
          return { ...base, state: { kind: 'terminated', terminated: exit } };
        }
        const ranMs = Math.max(0, Date.parse(exit.finishedAt) - Date.parse(exit.startedAt));
        const step = nextBackoff(c.crashBackoff, Number.isNaN(ranMs) ? 0 : ranMs, state.backoff);
        if (step.waitMs === 0) return { ...base, crashBackoff: step.entry, retryAt: fact.at, state: { kind: 'terminated', terminated: exit } };
        const message = `back-off ${goDuration(step.waitMs)} restarting failed container=${c.name} pod=${podDescription(state)}`;
        return { ...base, crashBackoff: step.entry, retryAt: fact.at + step.waitMs, lastState: exit, state: { kind: 'waiting', reason: 'CrashLoopBackOff', message } };
      });
    case 'probe.result':
      return withContainer(state, fact.name, (c) => observeProbeResult(c, fact));
    case 'pod.deleting':
      if (state.stage === 'terminating' || state.stage === 'finalizing' || state.stage === 'done') return state;
      return {
        ...state,
        stage: 'terminating',
        deletionGraceMs: fact.graceMs,
        // Nothing starts again once the pod is going away.
        initContainers: state.initContainers.map((c) => ({ ...c, retryAt: undefined })),
        containers: state.containers.map((c) => ({ ...c, retryAt: undefined })),
      };
    case 'wake':
      return state;
    default: {
      const never: never = fact;
      throw new Error(`unknown fact ${JSON.stringify(never)}`);
    }
  }
}

/** A container that goes back to waiting keeps its last exit as lastState. */
function keepLastExit(c: ContainerRecord): ContainerRecord {
  return c.state.kind === 'terminated' ? { ...c, lastState: c.state.terminated } : c;
}

function observeProbeResult(c: ContainerRecord, fact: Extract<PodFact, { type: 'probe.result' }>): ContainerRecord {
  if (c.containerID !== fact.containerID || c.state.kind !== 'running') return c;
  const tracker = c.probes[fact.kind];
  const thresholds = c.probeThresholds[fact.kind];
  if (!tracker || !thresholds) return c;
  const observed = observeProbe(tracker, fact.ok, thresholds, fact.message);
  const next: ContainerRecord = { ...c, probes: { ...c.probes, [fact.kind]: observed } };
  if (fact.kind === 'startup' && observed.result === 'success') next.started = true;
  if ((fact.kind === 'liveness' || fact.kind === 'startup') && observed.result === 'failure' && !c.kill && c.inFlight !== 'stopping') {
    const what = fact.kind === 'liveness' ? 'liveness' : 'startup';
    next.kill = { reason: what, message: `Container ${c.name} failed ${what} probe, will be restarted` };
  }
  return { ...next, ready: readiness(next) };
}

/** containerStatuses[].ready: running, started, and the readiness probe (if any) passing. */
function readiness(c: ContainerRecord): boolean {
  if (c.state.kind !== 'running' || !c.started) return false;
  if (!c.probeKinds.includes('readiness')) return true;
  return c.probes.readiness?.result === 'success';
}

/** Records a terminal phase the moment it is reached, so it never changes again. */
function settlePhase(state: PodWorkerState): PodWorkerState {
  if (state.terminalPhase) return state;
  const phase = computePhase(state);
  return phase === 'Succeeded' || phase === 'Failed' ? { ...state, terminalPhase: phase } : state;
}

/** Moves lastTransitionTime of every condition whose status changed. */
export function stampConditions(state: PodWorkerState, at: number): PodWorkerState {
  let since = state.conditionSince;
  for (const condition of conditionStatuses(state)) {
    const known = since[condition.type];
    if (known && known.status === condition.status) continue;
    since = { ...since, [condition.type]: { status: condition.status, at: rfc3339(at) } };
  }
  return since === state.conditionSince ? state : { ...state, conditionSince: since };
}
