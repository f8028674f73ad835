/**
 * kube-proxy: connecting -> online(syncing -> applying <-> idle) -> closing -> stopped.
 * One per host, not per node: every jetkube node of a machine shares its loopback, so
 * one set of ClusterIP and NodePort sockets serves the pods of all of them. Online, it
 * follows Services and EndpointSlices (informers), and once both caches have synced it
 * applies the plan (src/proxy/desired-state.ts, pure) to real sockets
 * (src/proxy/listener-set.ts). Changes that arrive while applying are folded into one
 * more apply right after; with nothing to do it applies again every syncPeriodMs, or
 * every listenRetryMs while a port cannot be opened. `lastSync` records how long the
 * newest change waited until the sockets reflected it, and from the slice's trigger time
 * when the EndpointSlice controller set one (Kubernetes' network programming latency). `stop` closes every listener and
 * relayed connection. Effects: src/proxy/proxy-effects.ts.
 */
import { assign, setup } from 'xstate';
import { componentLogger } from '../src/log.ts';
import { resolveKubeProxyConfig, type KubeProxyConfig, type KubeProxyInput } from '../src/proxy/proxy-config.ts';
import { kubeProxyEffects, type ApplyOutput, type KubeProxyFeedEvent, type KubeProxySession } from '../src/proxy/proxy-effects.ts';

export type { KubeProxyInput } from '../src/proxy/proxy-config.ts';

const log = componentLogger('kube-proxy');

export interface SyncRecord extends ApplyOutput {
  /** When the apply finished. */
  at: number;
  /** From the first change it took in (as the informer delivered it) to sockets updated. */
  changeToAppliedMs?: number;
  /**
   * Kubernetes' network programming latency: from the oldest trigger time
   * (endpoints.kubernetes.io/last-change-trigger-time, a pod change as the EndpointSlice
   * controller saw it) among the slices it took in, to sockets updated.
   */
  networkProgrammingMs?: number;
}

interface KubeProxyContext {
  input: KubeProxyInput;
  config: KubeProxyConfig;
  session?: KubeProxySession;
  /** A change arrived that no apply has taken in yet. */
  dirty: boolean;
  /** When the oldest change not yet taken in arrived. */
  pendingSince?: number;
  /** When the oldest change the running apply took in arrived. */
  applyingSince?: number;
  /** The oldest slice trigger time not yet taken in, and the one the running apply took in. */
  pendingTriggeredAt?: number;
  applyingTriggeredAt?: number;
  lastSync?: SyncRecord;
  syncs: number;
  failing: number;
  lastError?: string;
}

type KubeProxyEvent = { type: 'stop' } | KubeProxyFeedEvent;

export const kubeProxyMachine = setup({
  types: {
    input: {} as KubeProxyInput,
    context: {} as KubeProxyContext,
    events: {} as KubeProxyEvent,
  },
  actors: kubeProxyEffects,
  guards: {
    dirty: ({ context }) => context.dirty,
  },
  actions: {
    noteChange: assign(({ context, event }) => {
      const { at, triggeredAt } = event as KubeProxyFeedEvent;
      const pendingTriggeredAt =
        triggeredAt === undefined ? context.pendingTriggeredAt : Math.min(triggeredAt, context.pendingTriggeredAt ?? triggeredAt);
      return { dirty: true, pendingSince: context.pendingSince ?? at, pendingTriggeredAt };
    }),
    takeChanges: assign(({ context }) => ({
      dirty: false,
      applyingSince: context.pendingSince,
      pendingSince: undefined,
      applyingTriggeredAt: context.pendingTriggeredAt,
      pendingTriggeredAt: undefined,
    })),
  },
  delays: {
    retry: ({ context }) => context.config.retryMs,
    resync: ({ context }) => (context.failing > 0 ? context.config.listenRetryMs : context.config.syncPeriodMs),
  },
}).createMachine({
  id: 'kubeProxy',
  context: ({ input }) => ({ input, config: resolveKubeProxyConfig(input), dirty: false, syncs: 0, failing: 0 }),
  initial: 'connecting',
  states: {
    connecting: {
      on: { stop: 'stopped' },
      invoke: {
        src: 'connect',
        input: ({ context }) => ({ input: context.input }),
        onDone: { target: 'online', actions: assign({ session: ({ event }) => event.output }) },
        onError: { target: 'pausing', actions: assign({ lastError: ({ event }) => String(event.error) }) },
      },
    },
    pausing: {
      on: { stop: 'stopped' },
      after: { retry: 'connecting' },
    },
    online: {
      invoke: { src: 'watch', input: ({ context }) => ({ session: context.session! }) },
      on: {
        stop: 'closing',
        'proxy.changed': { actions: 'noteChange' },
      },
      initial: 'syncing',
      states: {
        syncing: {
          invoke: {
            src: 'syncCaches',
            input: ({ context }) => ({ session: context.session! }),
            onDone: 'applying',
            onError: {
              target: 'pausing',
              actions: [assign({ lastError: ({ event }) => String(event.error) }), ({ event }) => log.warn({ err: event.error }, 'cache sync failed')],
            },
          },
        },
        pausing: { after: { retry: 'syncing' } },
        applying: {
          entry: 'takeChanges',
          invoke: {
            src: 'apply',
            input: ({ context }) => ({ session: context.session! }),
            onDone: {
              target: 'applied',
              actions: assign(({ context, event }) => {
                const at = context.config.now();
                const since = context.applyingSince;
                const triggered = context.applyingTriggeredAt;
                return {
                  syncs: context.syncs + 1,
                  failing: event.output.failing,
                  lastSync: {
                    ...event.output,
                    at,
                    ...(since !== undefined ? { changeToAppliedMs: at - since } : {}),
                    ...(triggered !== undefined ? { networkProgrammingMs: at - triggered } : {}),
                  },
                };
              }),
            },
            onError: {
              target: 'applied',
              actions: [assign({ lastError: ({ event }) => String(event.error), failing: 1 }), ({ event }) => log.error({ err: event.error }, 'sync failed')],
            },
          },
        },
        applied: {
          always: [{ guard: 'dirty', target: 'applying' }, { target: 'idle' }],
        },
        idle: {
          on: { 'proxy.changed': { target: 'applying', actions: 'noteChange' } },
          after: { resync: 'applying' },
        },
      },
    },
    closing: {
      invoke: {
        src: 'close',
        input: ({ context }) => ({ session: context.session }),
        onDone: 'stopped',
        onError: { target: 'stopped', actions: ({ event }) => log.warn({ err: event.error }, 'close failed') },
      },
    },
    stopped: { type: 'final' },
  },
});
