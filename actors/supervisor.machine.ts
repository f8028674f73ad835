/**
 * The supervisor of `jetkube up`: starts the cluster's components as child actors and,
 * on stop, tells each to stop and waits until every one has finished draining. Each
 * component talks to the others only through NATS, so the same machines run alone
 * under `jetkube run <component>`.
 */
import type { LeaderElectedInput } from './leader-elected.ts';
import { assign, setup, type ActorRefFrom } from 'xstate';
import { apiServerMachine, type ApiServerInput } from './apiserver.machine.ts';
import { controllerManagerMachine } from './controller-manager.machine.ts';
import { ingressMachine, type IngressControllerInput } from './ingress.machine.ts';
import { clusterDnsMachine, type ClusterDnsInput } from './dns.machine.ts';
import { kubeletMachine } from './kubelet.machine.ts';
import { kubeProxyMachine, type KubeProxyInput } from './kube-proxy.machine.ts';
import { schedulerMachine } from './scheduler.machine.ts';
import { simulatedFleetMachine } from './simulated-fleet.machine.ts';
import type { PlannedNode } from '../src/kubelet/node-plan.ts';
import type { KubeletMetrics } from '../src/metrics/kubelet-metrics.ts';
import type { SchedulerMetrics } from '../src/metrics/scheduler-metrics.ts';
import type { ControllerManagerOptions } from '../src/controllers/manager.ts';
import type { HttpFaceConfig } from '../src/http/effect.ts';
import { natsUrlAs } from '../src/natsd/credentials.ts';
import type { NatsUser } from '../src/natsd/users.ts';

export interface SupervisorInput {
  natsUrl: string;
  /**
   * Connect each component as its own NATS user (src/natsd/users.ts), with the seeds
   * from $JETKUBE_NATS_CREDENTIALS: what `jetkube up` does. Default false: anonymous.
   */
  natsUsers?: boolean;
  /** How many API servers to run in the queue group (default 1). */
  apiServers?: number;
  /** The HTTPS face, served by the first API server (one address cannot be bound twice). */
  http?: HttpFaceConfig;
  /** Instances of the scheduler and of the controller manager, under leader election (default 1). */
  controlPlaneReplicas?: number;
  /** Each API server's own HTTPS face (several API servers behind one front); without it only the first serves `http`. */
  apiServerHttp?: HttpFaceConfig[];
  /** Run the controller manager too (default true). */
  controllerManager?: boolean;
  /** Added to every API server's input (its admission plugins). */
  apiServerOptions?: Pick<ApiServerInput, 'admission' | 'encryptionConfigFile' | 'auditPolicyFile'>;
  /** The controller manager's options (e.g. where the local-path provisioner keeps volumes). */
  controllerManagerOptions?: ControllerManagerOptions & Pick<LeaderElectedInput, 'leaseTiming'>;
  /** Run the scheduler too (default true). */
  scheduler?: boolean;
  /** Added to the scheduler's input (its metrics). */
  schedulerOptions?: { metrics?: SchedulerMetrics } & Pick<LeaderElectedInput, 'leaseTiming'>;
  /** Added to each kubelet's input, by node name (its metrics). */
  kubeletOptions?: Map<string, { metrics?: KubeletMetrics }>;
  /** Kubelets with the process runtime, one per planned node. */
  nodes?: PlannedNode[];
  /** Simulated nodes, sharing one connection. */
  simulatedNodes?: PlannedNode[];
  /** The cluster DNS (default on, 127.96.0.10:53; false to leave it out). */
  dns?: false | Omit<ClusterDnsInput, 'natsUrl'>;
  /** The pods' nameservers, as kubelets' --cluster-dns (default the DNS's address). */
  clusterDNS?: string[];
  /** kube-proxy, one per host (default on; false to leave it out). */
  kubeProxy?: false | Omit<KubeProxyInput, 'natsUrl'>;
  /** The ingress controller (default on; false to leave it out), with its options. */
  ingress?: false | Omit<IngressControllerInput, 'natsUrl'>;
}

/** 0..n-1 for the scheduler and controller manager instances (one leads, the others stand by). */
function replicas(input: SupervisorInput): number[] {
  return Array.from({ length: Math.max(1, input.controlPlaneReplicas ?? 1) }, (_, i) => i);
}

/** The HTTPS face of the i-th API server, if it has one. */
function httpOf(input: SupervisorInput, i: number): { http?: HttpFaceConfig } {
  const own = input.apiServerHttp?.[i];
  if (own) return { http: own };
  return i === 0 && input.http ? { http: input.http } : {};
}

/** The URL a component connects with: as its own user when the supervisor runs with natsUsers. */
function natsUrlOf(input: SupervisorInput, user: NatsUser): string {
  return input.natsUsers ? natsUrlAs(input.natsUrl, user) : input.natsUrl;
}

type ComponentRef =
  | ActorRefFrom<typeof apiServerMachine>
  | ActorRefFrom<typeof controllerManagerMachine>
  | ActorRefFrom<typeof schedulerMachine>
  | ActorRefFrom<typeof kubeletMachine>
  | ActorRefFrom<typeof simulatedFleetMachine>
  | ActorRefFrom<typeof ingressMachine>
  | ActorRefFrom<typeof kubeProxyMachine>
  | ActorRefFrom<typeof clusterDnsMachine>;

interface SupervisorContext {
  natsUrl: string;
  components: ComponentRef[];
}

export const supervisorMachine = setup({
  types: {
    input: {} as SupervisorInput,
    context: {} as SupervisorContext,
    events: {} as { type: 'stop' },
  },
  actors: {
    apiserver: apiServerMachine,
    controllerManager: controllerManagerMachine,
    scheduler: schedulerMachine,
    kubelet: kubeletMachine,
    simulatedFleet: simulatedFleetMachine,
    ingress: ingressMachine,
    kubeProxy: kubeProxyMachine,
    dns: clusterDnsMachine,
  },
  guards: {
    allStopped: ({ context }) => context.components.every((c) => c.getSnapshot().status !== 'active'),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input, spawn }) => ({
    natsUrl: input.natsUrl,
    components: [
      ...Array.from({ length: input.apiServers ?? 1 }, (_, i) =>
        spawn('apiserver', {
          id: `apiserver-${i}`,
          systemId: `apiserver-${i}`,
          input: { natsUrl: natsUrlOf(input, 'apiserver'), name: `apiserver-${i}`, ...input.apiServerOptions, ...httpOf(input, i) },
        }),
      ),
      // The first instance of each serves the metrics; the others are standbys under leader election.
      ...(input.controllerManager === false
        ? []
        : replicas(input).map((i) => {
            const { metricsRegistry: _m, ...standby } = input.controllerManagerOptions ?? {};
            const id = i === 0 ? 'controller-manager' : `controller-manager-${i}`;
            const options = i === 0 ? input.controllerManagerOptions : { ...standby, systemIdPrefix: `${id}/` };
            return spawn('controllerManager', { id, systemId: id, input: { natsUrl: natsUrlOf(input, 'controller-manager'), ...options } });
          })),
      ...(input.scheduler === false
        ? []
        : replicas(input).map((i) => {
            const id = i === 0 ? 'scheduler' : `scheduler-${i}`;
            const options = i === 0 ? input.schedulerOptions : { systemIdPrefix: `${id}/` };
            return spawn('scheduler', { id, systemId: id, input: { natsUrl: natsUrlOf(input, 'scheduler'), ...options } });
          })),
      ...(input.nodes ?? []).map((node) =>
        spawn('kubelet', {
          id: `kubelet-${node.nodeName}`,
          systemId: `kubelet-${node.nodeName}`,
          // No podCIDR: the node IPAM controller gives each Node its /16 of 127.128.0.0/10.
          input: { natsUrl: natsUrlOf(input, 'kubelet'), runtime: 'process' as const, nodeName: node.nodeName, rootDir: node.rootDir, ...(input.clusterDNS ? { clusterDNS: input.clusterDNS } : {}), ...input.kubeletOptions?.get(node.nodeName) },
        }),
      ),
      ...(input.simulatedNodes && input.simulatedNodes.length > 0
        ? [spawn('simulatedFleet', { id: 'simulated-nodes', systemId: 'simulated-nodes', input: { natsUrl: natsUrlOf(input, 'kubelet'), nodes: input.simulatedNodes } })]
        : []),
      ...(input.dns === false ? [] : [spawn('dns', { id: 'dns', systemId: 'dns', input: { natsUrl: natsUrlOf(input, 'dns'), ...input.dns } })]),
      ...(input.kubeProxy === false ? [] : [spawn('kubeProxy', { id: 'kube-proxy', systemId: 'kube-proxy', input: { natsUrl: natsUrlOf(input, 'kube-proxy'), ...input.kubeProxy } })]),
      ...(input.ingress === false ? [] : [spawn('ingress', { id: 'ingress', systemId: 'ingress', input: { natsUrl: natsUrlOf(input, 'ingress'), ...input.ingress } })]),
    ],
  }),
  initial: 'running',
  states: {
    running: {
      on: { stop: 'stopping' },
    },
    stopping: {
      entry: ({ context }) => context.components.forEach((c) => c.send({ type: 'stop' })),
      always: { guard: 'allStopped', target: 'stopped' },
      on: {
        '*': { guard: 'allStopped', target: 'stopped' },
      },
    },
    stopped: {
      type: 'final',
      entry: assign({ components: [] }),
    },
  },
});
