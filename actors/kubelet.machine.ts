/**
 * The kubelet: connecting -> registering -> running -> draining -> closing -> stopped.
 * Registering creates (or refreshes) the Node; running keeps the Lease and the node
 * status fresh (heartbeat) and follows the pods bound to this node (an informer with
 * fieldSelector spec.nodeName), with one pod worker machine per pod uid, each given the
 * next free address of the node's podCIDR, released when the worker is done. A kubelet
 * given a podCIDR uses it; one given none registers its Node without one and follows no
 * pod until the node IPAM controller has set spec.podCIDR (awaitingPodCIDR, bounded:
 * after POD_CIDR_WAIT_MS it falls back to the default range, loudly). A pod the
 * kubelet finds already bound when it starts (a kubelet restart) is started again; a
 * pod that already finished is left alone unless it is being deleted. `stop` kills the
 * pods' containers (a process runtime's children would not outlive us anyway) and
 * leaves the API objects as they are. Effects: src/kubelet/kubelet-effects.ts.
 */
import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom } from 'xstate';
import type { KubeObject } from '../src/api/object.ts';
import { Handoff } from '../src/kubelet/handoff.ts';
import { kubeletEffects, type KubeletFeedEvent, type KubeletSession } from '../src/kubelet/kubelet-effects.ts';
import { resolveKubeletConfig, type KubeletInput, type ResolvedKubeletConfig } from '../src/kubelet/kubelet-config.ts';
import { effectivePodCIDR } from '../src/kubelet/node-status.ts';
import { PodIPAllocator } from '../src/kubelet/pod-ip-allocator.ts';
import { waitForPodCIDR } from '../src/kubelet/node-effects.ts';
import { componentLogger } from '../src/log.ts';
import { podWorkerMachine, type PodWorkerParentEvent } from './pod-worker.machine.ts';

export type { KubeletInput } from '../src/kubelet/kubelet-config.ts';

const log = componentLogger('kubelet');
/** Remembered finished pods (a pod removed before its worker ended leaves an entry behind). */
const MAX_FINISHED = 10_000;

interface KubeletContext {
  input: KubeletInput;
  config: ResolvedKubeletConfig;
  session?: KubeletSession;
  node?: KubeObject;
  allocator?: PodIPAllocator;
  /** Mutated in place: a kubelet at scale holds thousands of workers, copying the map per pod would cost. */
  workers: Map<string, ActorRefFrom<typeof podWorkerMachine>>;
  /** Pods whose worker is done but whose deletion the informer may not have shown yet: not started again. */
  finished: Set<string>;
  lastError?: string;
}

type KubeletEvent = { type: 'stop' } | KubeletFeedEvent | PodWorkerParentEvent;

const isFinished = (pod: KubeObject) => {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
};

function withoutPodCIDR(session: KubeletSession): KubeletSession {
  const { podCIDR: _default, ...nodeConfig } = session.nodeConfig;
  return { ...session, nodeConfig };
}

export const kubeletMachine = setup({
  types: {
    input: {} as KubeletInput,
    context: {} as KubeletContext,
    events: {} as KubeletEvent,
  },
  actors: {
    ...kubeletEffects,
    podWorker: podWorkerMachine,
    /** Resolves with the Node's spec.podCIDR once the node IPAM controller has set it. */
    awaitPodCIDR: fromPromise<string, { session: KubeletSession }>(({ input, signal }) =>
      waitForPodCIDR(input.session.client, input.session.nodeConfig.nodeName, { signal, log }),
    ),
  },
  guards: {
    noWorkers: ({ context }) => context.workers.size === 0,
    hasPodRange: ({ context }) => context.allocator !== undefined,
  },
  actions: {
    podSeen: enqueueActions(({ context, event, enqueue }) => {
      const pod = (event as Extract<KubeletFeedEvent, { type: 'pod.upserted' }>).pod;
      const uid = pod.metadata.uid ?? '';
      const worker = context.workers.get(uid);
      if (worker) {
        enqueue.sendTo(worker, { type: 'pod.updated', pod });
        return;
      }
      if (context.finished.has(uid)) return;
      if (isFinished(pod) && !pod.metadata.deletionTimestamp) return;
      enqueue.assign(({ context, spawn }) => {
        const allocator = context.allocator!;
        const oldIP = (pod.status as { podIP?: string } | undefined)?.podIP;
        let podIP: string;
        try {
          podIP = oldIP && allocator.claim(uid, oldIP) ? oldIP : allocator.allocate(uid);
        } catch (err) {
          log.error({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'no pod address left');
          return {};
        }
        const ref = spawn('podWorker', {
          id: `pod-${uid}`,
          input: { pod: new Handoff(pod), podIP, deps: context.session!.deps, backoff: context.config.backoff, prepareRetryMs: context.config.retryMs },
        });
        context.workers.set(uid, ref);
        return {};
      });
    }),
    podGone: enqueueActions(({ context, event, enqueue }) => {
      const pod = (event as Extract<KubeletFeedEvent, { type: 'pod.deleted' }>).pod;
      const uid = pod.metadata.uid ?? '';
      context.finished.delete(uid);
      const worker = context.workers.get(uid);
      if (worker) enqueue.sendTo(worker, { type: 'pod.removed' });
    }),
    workerDone: enqueueActions(({ context, event, enqueue }) => {
      const uid = (event as PodWorkerParentEvent).uid;
      const worker = context.workers.get(uid);
      context.workers.delete(uid);
      context.allocator?.release(uid);
      context.finished.add(uid);
      if (context.finished.size > MAX_FINISHED) context.finished.delete(context.finished.values().next().value!);
      if (worker) enqueue.stopChild(worker);
    }),
  },
  delays: { retry: ({ context }) => context.config.retryMs },
}).createMachine({
  id: 'kubelet',
  context: ({ input }) => ({ input, config: resolveKubeletConfig(input), workers: new Map(), finished: new Set() }),
  initial: 'connecting',
  states: {
    connecting: {
      on: { stop: 'stopped' },
      invoke: {
        src: 'connect',
        input: ({ context }) => ({ input: context.input }),
        onDone: {
          target: 'registering',
          // Without an explicit podCIDR the Node registers without one: the node IPAM controller assigns it.
          actions: assign({ session: ({ context, event }) => (context.input.podCIDR ? event.output : withoutPodCIDR(event.output)) }),
        },
        onError: { target: 'pausing', actions: assign({ lastError: ({ event }) => String(event.error) }) },
      },
    },
    pausing: {
      on: { stop: 'stopped' },
      after: { retry: 'connecting' },
    },
    registering: {
      on: { stop: 'closing' },
      initial: 'trying',
      states: {
        trying: {
          invoke: {
            src: 'register',
            input: ({ context }) => ({ session: context.session!, clock: context.config.clock }),
            onDone: {
              target: '#kubelet.running',
              actions: assign({
                node: ({ event }) => event.output,
                allocator: ({ context, event }) => {
                  const cidr = effectivePodCIDR(event.output, context.input.podCIDR ?? '');
                  return cidr ? new PodIPAllocator(cidr) : undefined;
                },
              }),
            },
            onError: {
              target: 'waiting',
              actions: [assign({ lastError: ({ event }) => String(event.error) }), ({ event }) => log.warn({ err: event.error }, 'node registration failed')],
            },
          },
        },
        waiting: { after: { retry: 'trying' } },
      },
    },
    running: {
      invoke: [
        {
          src: 'heartbeat',
          input: ({ context }) => ({
            session: context.session!,
            node: context.node!,
            clock: context.config.clock,
            leaseRenewMs: context.config.leaseRenewMs,
            reportMs: context.config.nodeStatusReportMs,
          }),
        },
        { src: 'streams', input: ({ context }) => ({ session: context.session! }) },
        { src: 'resourceMetrics', input: ({ context }) => ({ session: context.session!, clock: context.config.clock }) },
      ],
      initial: 'checkingPodRange',
      states: {
        checkingPodRange: {
          always: [{ guard: 'hasPodRange', target: 'serving' }, { target: 'awaitingPodCIDR' }],
        },
        awaitingPodCIDR: {
          invoke: {
            src: 'awaitPodCIDR',
            input: ({ context }) => ({ session: context.session! }),
            onDone: { target: 'serving', actions: assign({ allocator: ({ event }) => new PodIPAllocator(event.output) }) },
            onError: {
              target: 'serving',
              actions: [
                assign({ allocator: ({ context }) => new PodIPAllocator(context.config.podCIDR) }),
                ({ context, event }) => log.error({ err: event.error, fallback: context.config.podCIDR }, 'no pod CIDR assigned; falling back to the default range'),
              ],
            },
          },
        },
        // Pods are followed only once the node has an address range to give them.
        serving: {
          invoke: { src: 'pods', input: ({ context }) => ({ session: context.session! }) },
        },
      },
      on: {
        'pod.upserted': { actions: 'podSeen' },
        'pod.deleted': { actions: 'podGone' },
        'worker.done': { actions: 'workerDone' },
        'node.posted': {
          actions: assign(({ context, event }) => {
            // A podCIDR a controller set takes over while no pod holds an address of the old one.
            const cidr = effectivePodCIDR(event.node, context.input.podCIDR ?? context.allocator?.cidr ?? context.config.podCIDR);
            const allocator = context.allocator && context.allocator.cidr !== cidr && context.allocator.allocated === 0 ? new PodIPAllocator(cidr) : context.allocator;
            return { node: event.node, allocator };
          }),
        },
        stop: 'draining',
      },
    },
    draining: {
      entry: ({ context }) => context.workers.forEach((worker) => worker.send({ type: 'stop' })),
      always: { guard: 'noWorkers', target: 'closing' },
      on: { 'worker.done': { actions: 'workerDone' } },
    },
    closing: {
      invoke: {
        src: 'close',
        input: ({ context }) => ({ session: context.session, ...(context.input.logs ? { logs: context.input.logs } : {}) }),
        onDone: 'stopped',
        onError: 'stopped',
      },
    },
    stopped: { type: 'final' },
  },
});
