/**
 * The kubelet's input (what `jetkube run kubelet` and `jetkube up --nodes N
 * --simulated-nodes N` pass) and the defaults it resolves to. Many simulated kubelets
 * can share one connection: pass `client` (and a shared `runtime` object if wanted).
 */
import { hostname } from 'node:os';
import type { ApiClient } from '../client/api-client.ts';
import { realClock, type Clock } from '../informer/clock.ts';
import type { ContainerRuntime } from '../runtime/runtime.ts';
import type { KubeletMetrics } from '../metrics/kubelet-metrics.ts';
import { DEFAULT_BACKOFF, type BackoffConfig } from './backoff.ts';
import { hostCapacity, hostInfo } from './host-info.ts';
import type { ContainerLogSink } from './log-sink.ts';
import type { NodeConfig, NodeResources } from './node-status.ts';
import type { SharedPodFeed } from './shared-pod-feed.ts';

export interface KubeletInput {
  natsUrl: string;
  /** Default: the host's name. */
  nodeName?: string;
  runtime: 'process' | 'simulated' | ContainerRuntime;
  /** Pods' directories live under <rootDir>/pods/<uid>. */
  rootDir: string;
  /** The range pod addresses come from, until a controller sets spec.podCIDR on the Node. */
  podCIDR?: string;
  /** The node's InternalIP and the pods' hostIP (default 127.0.0.1). */
  nodeIP?: string;
  capacity?: Partial<NodeResources>;
  /** Default: the capacity. */
  allocatable?: Partial<NodeResources>;
  labels?: Record<string, string>;
  /** How often the node Lease is renewed (Kubernetes: 10 s). */
  leaseRenewMs?: number;
  /** How often the node status is posted when nothing changed (nodeStatusReportFrequency, 5 min). */
  nodeStatusReportMs?: number;
  logs?: ContainerLogSink;
  /** A client on a shared connection (not closed by the kubelet). */
  client?: ApiClient;
  /** The pods bound to this node from a watch shared by many kubelets (simulated fleets); default: the kubelet's own informer. */
  podFeed?: SharedPodFeed;
  clock?: Clock;
  /** Restart and image-pull back-off (tests shorten it). */
  backoff?: Partial<BackoffConfig>;
  /** Pause before a failed connect, registration or pod preparation is tried again. */
  retryMs?: number;
  /** Record Events (Pulling, Started, BackOff, ...); default true. Scale runs of simulated nodes may turn them off, as kwok does. */
  recordEvents?: boolean;
  /** Simulated runtime only: images whose pull fails. */
  failingImages?: string[];
  /** --cluster-dns: the pods' nameservers (default CLUSTER_DNS_IP; `ip:port` for an unprivileged DNS). */
  clusterDNS?: string[];
  /** Where the kubelet's /metrics series go (running pods and containers, pod start latency). */
  metrics?: KubeletMetrics;
}

export const DEFAULT_POD_CIDR = '127.244.0.0/24';
export const DEFAULT_LEASE_RENEW_MS = 10_000;
export const DEFAULT_NODE_STATUS_REPORT_MS = 5 * 60_000;

export interface ResolvedKubeletConfig {
  nodeName: string;
  nodeIP: string;
  podCIDR: string;
  leaseRenewMs: number;
  nodeStatusReportMs: number;
  retryMs: number;
  backoff: BackoffConfig;
  clock: Clock;
}

export function resolveKubeletConfig(input: KubeletInput): ResolvedKubeletConfig {
  return {
    nodeName: input.nodeName ?? hostname().toLowerCase(),
    nodeIP: input.nodeIP ?? '127.0.0.1',
    podCIDR: input.podCIDR ?? DEFAULT_POD_CIDR,
    leaseRenewMs: input.leaseRenewMs ?? DEFAULT_LEASE_RENEW_MS,
    nodeStatusReportMs: input.nodeStatusReportMs ?? DEFAULT_NODE_STATUS_REPORT_MS,
    retryMs: input.retryMs ?? 1_000,
    backoff: { ...DEFAULT_BACKOFF, ...input.backoff },
    clock: input.clock ?? realClock,
  };
}

export function nodeConfigFor(input: KubeletInput, resolved: ResolvedKubeletConfig, runtimeName: string): NodeConfig {
  const capacity = { ...hostCapacity(input.rootDir), ...input.capacity };
  return {
    nodeName: resolved.nodeName,
    hostIP: resolved.nodeIP,
    runtimeName,
    capacity,
    allocatable: { ...capacity, ...input.allocatable },
    podCIDR: resolved.podCIDR,
    ...(input.labels ? { labels: input.labels } : {}),
    host: hostInfo(),
  };
}
