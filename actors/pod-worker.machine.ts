/**
 * One pod on this node, from the moment it is bound here until its API object is gone:
 * working (the stages preparing -> running -> terminating -> finalizing of the pure
 * pod state) -> removing (the pod vanished from the API, or the kubelet stops: kill at
 * once, write nothing) -> done. Every fact (from the runtime, the probes, the clock, the
 * API) is one turn of the pure decider (stepPod): the state evolves, the commands go to
 * the driver actor, the status is written when it changed, and the Events a state change
 * calls for are recorded. The parent hears `worker.done` with the pod's uid.
 */
import { assign, enqueueActions, fromCallback, sendParent, setup, type AnyEventObject } from 'xstate';
import type { KubeObject } from '../src/api/object.ts';
import type { BackoffConfig } from '../src/kubelet/backoff.ts';
import { Handoff } from '../src/kubelet/handoff.ts';
import { PodDriver, type DriverReport, type PodWorkerDeps } from '../src/kubelet/pod-driver.ts';
import { stepPod, type PodCommand } from '../src/kubelet/pod-actions.ts';
import { transitionEvents } from '../src/kubelet/pod-events.ts';
import { initialPodState, type PodFact, type PodWorkerState } from '../src/kubelet/pod-state.ts';
import { podStatus } from '../src/kubelet/pod-status.ts';

export interface PodWorkerInput {
  /** The pod as first seen, taken as the worker starts (XState would keep an input's pod for the worker's life). */
  pod: Handoff<KubeObject>;
  podIP: string;
  deps: PodWorkerDeps;
  backoff?: BackoffConfig;
  /** Pause before preparing the pod again after a failure (volumes, referenced objects). */
  prepareRetryMs?: number;
}

interface PodWorkerContext {
  deps: PodWorkerDeps;
  pod: KubeObject;
  state: PodWorkerState;
  lastStatus?: string;
  prepareRetryMs: number;
}

export type PodWorkerEvent =
  | PodFact
  | { type: 'finalized' }
  | { type: 'removed' }
  | { type: 'pod.updated'; pod: KubeObject }
  | { type: 'pod.removed' }
  | { type: 'stop' };

export type DriverCommand =
  | { type: 'prepare' }
  | { type: 'command'; command: PodCommand }
  | { type: 'status'; status: Record<string, unknown> }
  | { type: 'observe'; pod: KubeObject }
  | { type: 'remove' };

export type PodWorkerParentEvent = { type: 'worker.done'; uid: string };

const FACTS = new Set(['prepared', 'prepare.failed', 'pull.failed', 'start.failed', 'container.started', 'container.exited', 'probe.result', 'pod.deleting', 'wake']);

/** Grace of a deletion: the smaller of the API's deletionGracePeriodSeconds and the pod's own. */
export function deletionGraceMs(pod: KubeObject): number {
  const spec = (pod.spec ?? {}) as { terminationGracePeriodSeconds?: number };
  const own = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
  const asked = typeof pod.metadata.deletionGracePeriodSeconds === 'number' ? pod.metadata.deletionGracePeriodSeconds : own;
  return Math.max(0, Math.min(asked, own)) * 1000;
}

export const podWorkerMachine = setup({
  types: {
    input: {} as PodWorkerInput,
    context: {} as PodWorkerContext,
    events: {} as PodWorkerEvent,
  },
  actors: {
    driver: fromCallback<DriverCommand, { deps: PodWorkerDeps; pod: Handoff<KubeObject>; podIP: string }>(({ input, sendBack, receive }) => {
      const pod = input.pod.take();
      const driver = new PodDriver(input.deps, pod, PodDriver.sandboxFor(input.deps, pod, input.podIP), (report: DriverReport) => sendBack(report as AnyEventObject));
      receive((event) => {
        switch (event.type) {
          case 'prepare':
            void driver.prepare();
            return;
          case 'command':
            driver.run(event.command);
            return;
          case 'status':
            driver.writeStatus(event.status);
            return;
          case 'observe':
            driver.observePod(event.pod);
            return;
          case 'remove':
            void driver.removeNow();
            return;
        }
      });
      return () => driver.dispose();
    }),
  },
  guards: {
    preparingAfterFailure: ({ context }) => context.state.stage === 'preparing' && context.state.prepareError !== undefined,
    deleting: ({ context, event }) => event.type === 'pod.updated' && !!event.pod.metadata.deletionTimestamp && context.state.stage !== 'terminating' && context.state.stage !== 'finalizing' && context.state.stage !== 'done',
  },
  actions: {
    step: enqueueActions(({ context, event, enqueue }) => {
      const fact = event as PodFact;
      const previous = context.state;
      const { state, commands } = stepPod(previous, fact);
      const status = podStatus(state);
      const key = JSON.stringify(status);
      enqueue.assign({ state, lastStatus: key });
      // The status goes first: a finalize waits for the writes queued before it.
      if (key !== context.lastStatus) enqueue.sendTo('driver', { type: 'status', status } satisfies DriverCommand);
      for (const command of commands) enqueue.sendTo('driver', { type: 'command', command } satisfies DriverCommand);
      if (fact.type === 'prepare.failed') {
        enqueue.sendTo('driver', { type: 'command', command: { type: 'wakeAt', at: fact.at + context.prepareRetryMs } } satisfies DriverCommand);
      }
      const events = transitionEvents(previous, state);
      if (events.length > 0) {
        const pod = context.pod;
        const recorder = context.deps.recorder;
        enqueue(() => events.forEach((e) => recorder.record(pod, e.type, e.reason, e.message)));
      }
    }),
  },
}).createMachine({
  id: 'podWorker',
  context: ({ input }) => {
    const pod = input.pod.take();
    return {
      deps: input.deps,
      pod,
      prepareRetryMs: input.prepareRetryMs ?? 2_000,
      state: initialPodState(pod, { hostIP: input.deps.hostIP, podIP: input.podIP, now: input.deps.clock.now(), ...(input.backoff ? { backoff: input.backoff } : {}) }),
    };
  },
  invoke: { id: 'driver', src: 'driver', input: ({ context }) => ({ deps: context.deps, pod: new Handoff(context.pod), podIP: context.state.podIP }) },
  initial: 'working',
  states: {
    working: {
      entry: [
        enqueueActions(({ context, enqueue }) => {
          const status = podStatus(context.state);
          enqueue.assign({ lastStatus: JSON.stringify(status) });
          enqueue.sendTo('driver', { type: 'status', status } satisfies DriverCommand);
          enqueue.sendTo('driver', { type: 'prepare' } satisfies DriverCommand);
          // A pod first seen while being deleted goes straight to termination.
          if (context.pod.metadata.deletionTimestamp) enqueue.raise({ type: 'pod.deleting', graceMs: deletionGraceMs(context.pod), at: context.deps.clock.now() });
        }),
      ],
      on: {
        wake: [
          { guard: 'preparingAfterFailure', actions: enqueueActions(({ enqueue }) => enqueue.sendTo('driver', { type: 'prepare' } satisfies DriverCommand)) },
          { actions: 'step' },
        ],
        'pod.updated': [
          {
            guard: 'deleting',
            actions: [
              assign({ pod: ({ event }) => event.pod }),
              enqueueActions(({ event, enqueue }) => enqueue.sendTo('driver', { type: 'observe', pod: event.pod } satisfies DriverCommand)),
              enqueueActions(({ context, event, enqueue }) => enqueue.raise({ type: 'pod.deleting', graceMs: deletionGraceMs(event.pod), at: context.deps.clock.now() })),
            ],
          },
          {
            actions: [
              assign({ pod: ({ event }) => event.pod }),
              enqueueActions(({ event, enqueue }) => enqueue.sendTo('driver', { type: 'observe', pod: event.pod } satisfies DriverCommand)),
            ],
          },
        ],
        '*': { guard: ({ event }) => FACTS.has(event.type), actions: 'step' },
        finalized: 'done',
        'pod.removed': 'removing',
        stop: 'removing',
      },
    },
    removing: {
      entry: enqueueActions(({ enqueue }) => enqueue.sendTo('driver', { type: 'remove' } satisfies DriverCommand)),
      on: { removed: 'done' },
    },
    done: {
      type: 'final',
      entry: sendParent(({ context }) => ({ type: 'worker.done', uid: context.state.uid }) satisfies PodWorkerParentEvent),
    },
  },
});
