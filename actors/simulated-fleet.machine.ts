/**
 * Many simulated kubelets on one NATS connection (kwok's role in `jetkube up
 * --simulated-nodes N`): connecting -> running -> stopping -> closing -> stopped. Each
 * node is a full kubelet machine with the simulated runtime; they share the client, so
 * thousands of nodes cost one connection, and one watch of the bound pods (as kwok's
 * informer), so they cost the API server one watcher, not one each. `stop` drains every
 * kubelet, then closes both.
 */
import { assign, fromPromise, setup, type ActorRefFrom } from 'xstate';
import { ApiClient } from '../src/client/api-client.ts';
import type { PlannedNode } from '../src/kubelet/node-plan.ts';
import { SharedPodFeed } from '../src/kubelet/shared-pod-feed.ts';
import { kubeletMachine } from './kubelet.machine.ts';

export interface SimulatedFleetInput {
  natsUrl: string;
  nodes: PlannedNode[];
  /** Events per pod (Pulling, Started, ...): off by default at scale, as kwok does. */
  recordEvents?: boolean;
  retryMs?: number;
}

interface FleetContext {
  input: SimulatedFleetInput;
  client?: ApiClient;
  podFeed?: SharedPodFeed;
  kubelets: ActorRefFrom<typeof kubeletMachine>[];
  stopRequested: boolean;
}

export const simulatedFleetMachine = setup({
  types: { input: {} as SimulatedFleetInput, context: {} as FleetContext, events: {} as { type: 'stop' } },
  actors: {
    kubelet: kubeletMachine,
    connect: fromPromise<{ client: ApiClient; podFeed: SharedPodFeed }, { natsUrl: string; nodeNames: ReadonlySet<string> }>(async ({ input }) => {
      const client = await ApiClient.connect(input.natsUrl, 'simulated-nodes', { fieldManager: 'kubelet' });
      const podFeed = new SharedPodFeed(client, input.nodeNames);
      podFeed.start();
      return { client, podFeed };
    }),
    close: fromPromise<void, { client?: ApiClient; podFeed?: SharedPodFeed }>(async ({ input }) => {
      input.podFeed?.stop();
      await input.client?.close();
    }),
  },
  guards: {
    allStopped: ({ context }) => context.kubelets.every((k) => k.getSnapshot().status !== 'active'),
    stopRequested: ({ context }) => context.stopRequested,
  },
  delays: { retry: ({ context }) => context.input.retryMs ?? 1_000 },
}).createMachine({
  id: 'simulatedFleet',
  context: ({ input }) => ({ input, kubelets: [], stopRequested: false }),
  initial: 'connecting',
  states: {
    connecting: {
      on: { stop: { actions: assign({ stopRequested: true }) } },
      invoke: {
        src: 'connect',
        input: ({ context }) => ({ natsUrl: context.input.natsUrl, nodeNames: new Set(context.input.nodes.map((node) => node.nodeName)) }),
        onDone: [
          { guard: 'stopRequested', target: 'closing', actions: assign({ client: ({ event }) => event.output.client, podFeed: ({ event }) => event.output.podFeed }) },
          {
            target: 'running',
            actions: assign(({ context, event, spawn }) => ({
              client: event.output.client,
              podFeed: event.output.podFeed,
              kubelets: context.input.nodes.map((node) =>
                spawn('kubelet', {
                  id: `kubelet-${node.nodeName}`,
                  input: {
                    natsUrl: context.input.natsUrl,
                    client: event.output.client,
                    podFeed: event.output.podFeed,
                    runtime: 'simulated' as const,
                    nodeName: node.nodeName,
                    podCIDR: node.podCIDR,
                    rootDir: node.rootDir,
                    recordEvents: context.input.recordEvents ?? false,
                  },
                }),
              ),
            })),
          },
        ],
        onError: [{ guard: 'stopRequested', target: 'stopped' }, { target: 'waiting' }],
      },
    },
    waiting: {
      on: { stop: 'stopped' },
      after: { retry: 'connecting' },
    },
    running: {
      on: { stop: 'stopping' },
    },
    stopping: {
      entry: ({ context }) => context.kubelets.forEach((k) => k.send({ type: 'stop' })),
      always: { guard: 'allStopped', target: 'closing' },
      on: { '*': { guard: 'allStopped', target: 'closing' } },
    },
    closing: {
      invoke: { src: 'close', input: ({ context }) => ({ client: context.client, podFeed: context.podFeed }), onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final', entry: assign({ kubelets: [] }) },
  },
});
