/**
 * kube-proxy's options (its KubeProxyConfiguration, the parts a userspace proxy has) and
 * their defaults, pure. One proxy serves a whole host: every jetkube node of a machine
 * shares its loopback, so a ClusterIP socket bound once is reachable from every node's
 * pods, and a second proxy would only find its ports taken.
 */
import { hostname } from 'node:os';
import type { ApiClient } from '../client/api-client.ts';
import type { KubeProxyMetrics } from '../metrics/kube-proxy-metrics.ts';

export interface KubeProxyInput {
  natsUrl: string;
  /** A client someone else owns (the supervisor's); otherwise the proxy connects its own. */
  client?: ApiClient;
  /** This host's name, the Events' source.host (default: os.hostname()). */
  hostname?: string;
  /** --node-ip: node addresses besides 127.0.0.1 that NodePorts listen on. */
  nodeIPs?: string[];
  /**
   * --nodeport-addresses: where NodePorts listen instead of 127.0.0.1 and nodeIPs;
   * '0.0.0.0' (or '0.0.0.0/0') listens on every address of the host, outside ones too.
   */
  nodePortAddresses?: string[];
  /** Full resync period (--iptables-sync-period's role; default 30 s). */
  syncPeriodMs?: number;
  /** Where the sync and network programming latencies go (kube-proxy's /metrics). */
  metrics?: KubeProxyMetrics;
  /** How soon a listener that could not open is tried again (default 5 s). */
  listenRetryMs?: number;
  /** Pause before reconnecting or re-syncing caches after a failure (default 1 s). */
  retryMs?: number;
  /** Per backend dial; a dial that takes longer moves on to the next backend (default 2 s). */
  connectTimeoutMs?: number;
  /** An idle UDP association is closed after this (conntrack's UDP timeout, default 30 s). */
  udpIdleTimeoutMs?: number;
  /** How long the first list of Services and EndpointSlices may take (default 60 s). */
  syncTimeoutMs?: number;
  /** Record a Warning Event on a Service whose port cannot be opened (default true). */
  recordEvents?: boolean;
  /** The clock of session affinity and sync timings (tests pass their own). */
  now?: () => number;
}

export interface KubeProxyConfig {
  hostname: string;
  nodePortAddresses: string[];
  syncPeriodMs: number;
  listenRetryMs: number;
  retryMs: number;
  connectTimeoutMs: number;
  udpIdleTimeoutMs: number;
  syncTimeoutMs: number;
  recordEvents: boolean;
  now: () => number;
}

export const ALL_ADDRESSES = '0.0.0.0';

export function nodePortAddressesFor(input: Pick<KubeProxyInput, 'nodeIPs' | 'nodePortAddresses'>): string[] {
  const requested = input.nodePortAddresses ?? ['127.0.0.1', ...(input.nodeIPs ?? [])];
  const addresses = requested.map((a) => (a === '0.0.0.0/0' ? ALL_ADDRESSES : a));
  // The wildcard covers every address, and would collide with a listener on any of them.
  if (addresses.includes(ALL_ADDRESSES)) return [ALL_ADDRESSES];
  return [...new Set(addresses)];
}

export function resolveKubeProxyConfig(input: KubeProxyInput): KubeProxyConfig {
  return {
    hostname: input.hostname ?? hostname(),
    nodePortAddresses: nodePortAddressesFor(input),
    syncPeriodMs: input.syncPeriodMs ?? 30_000,
    listenRetryMs: input.listenRetryMs ?? 5_000,
    retryMs: input.retryMs ?? 1_000,
    connectTimeoutMs: input.connectTimeoutMs ?? 2_000,
    udpIdleTimeoutMs: input.udpIdleTimeoutMs ?? 30_000,
    syncTimeoutMs: input.syncTimeoutMs ?? 60_000,
    recordEvents: input.recordEvents ?? true,
    now: input.now ?? Date.now,
  };
}
