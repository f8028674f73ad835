/**
 * The cluster DNS (CoreDNS's kubernetes plugin role): connecting -> syncing -> listening
 * -> serving -> closing -> stopped. It answers nothing before its caches of Namespaces,
 * Services and EndpointSlices are synced, then binds UDP and TCP on its address (default
 * CLUSTER_DNS_IP:53) and answers from those caches, which the informers keep current, so
 * a new Service is answered as soon as its watch event arrives. A failed connect, sync or
 * bind (the port taken) is retried after a pause; `stop` closes the sockets, then the
 * informers and the connection. The I/O is src/dns/effects.ts; the answers are the pure
 * src/dns/answer.ts.
 */
import { assign, setup } from 'xstate';
import type { DnsServerHandle } from '../src/dns/server.ts';
import { dnsEffects, type ClusterDnsOptions, type DnsSet } from '../src/dns/effects.ts';

export interface ClusterDnsInput extends ClusterDnsOptions {
  natsUrl: string;
  /** Pause before a failed connect, sync or bind is tried again (default 1 s). */
  retryMs?: number;
  syncTimeoutMs?: number;
}

interface ClusterDnsContext {
  input: ClusterDnsInput;
  set?: DnsSet;
  server?: DnsServerHandle;
  lastError?: string;
}

type ClusterDnsEvent = { type: 'stop' };

const dnsOptions = (input: ClusterDnsInput): ClusterDnsOptions => {
  const { natsUrl: _n, retryMs: _r, syncTimeoutMs: _s, ...options } = input;
  return options;
};

export const clusterDnsMachine = setup({
  types: {
    input: {} as ClusterDnsInput,
    context: {} as ClusterDnsContext,
    events: {} as ClusterDnsEvent,
  },
  actors: dnsEffects,
  actions: {
    recordError: assign({ lastError: ({ event }) => String((event as { error?: unknown }).error) }),
  },
  delays: { retry: ({ context }) => context.input.retryMs ?? 1_000 },
}).createMachine({
  id: 'clusterDns',
  context: ({ input }) => ({ input }),
  initial: 'connecting',
  on: { stop: '.closing' },
  states: {
    connecting: {
      invoke: {
        src: 'open',
        input: ({ context }) => ({ natsUrl: context.input.natsUrl, options: dnsOptions(context.input) }),
        onDone: { target: 'syncing', actions: assign({ set: ({ event }) => event.output }) },
        onError: { target: 'connectPause', actions: 'recordError' },
      },
    },
    connectPause: { after: { retry: 'connecting' } },
    syncing: {
      invoke: {
        src: 'syncCaches',
        input: ({ context }) => ({ set: context.set!, timeoutMs: context.input.syncTimeoutMs ?? 60_000 }),
        onDone: 'listening',
        onError: { target: 'syncPause', actions: 'recordError' },
      },
    },
    syncPause: { after: { retry: 'syncing' } },
    listening: {
      invoke: {
        src: 'listen',
        input: ({ context }) => ({ set: context.set!, options: dnsOptions(context.input) }),
        onDone: { target: 'serving', actions: assign({ server: ({ event }) => event.output, lastError: undefined }) },
        onError: { target: 'listenPause', actions: 'recordError' },
      },
    },
    listenPause: { after: { retry: 'listening' } },
    serving: {},
    closing: {
      // A second stop while closing changes nothing (the root's stop would re-enter this state).
      on: { stop: {} },
      invoke: {
        src: 'close',
        input: ({ context }) => ({ set: context.set, server: context.server }),
        onDone: 'stopped',
        onError: 'stopped',
      },
      exit: assign({ set: undefined, server: undefined }),
    },
    stopped: { type: 'final' },
  },
});
