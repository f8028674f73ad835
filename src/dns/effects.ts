/**
 * The cluster DNS's I/O as actors its machine invokes: open a client and the informers
 * the answers are read from (Namespaces, Services, EndpointSlices, and Pods only for
 * `pods verified`), wait for their caches, bind the UDP and TCP sockets, close it all.
 * Upstream resolvers come from the input or from the host's resolv.conf (minus the
 * server's own address, which would loop). Tests swap these with .provide().
 */
import { readFile } from 'node:fs/promises';
import { fromPromise } from 'xstate';
import { ApiClient } from '../client/api-client.ts';
import { SharedInformerFactory } from '../informer/informer-factory.ts';
import { stripManagedFields } from '../informer/transforms.ts';
import { componentLogger } from '../log.ts';
import { CLUSTER_DNS_IP, CLUSTER_DOMAIN } from '../net/cluster-network.ts';
import { parseResolvConf } from '../net/dns-config.ts';
import type { PodMode, ZoneSettings } from './answer.ts';
import { dnsIndexers, indexedClusterView, type ClusterView } from './cluster-view.ts';
import { forwarderTo, parseUpstream, type Upstream } from './forwarder.ts';
import { createQueryHandler } from './query-handler.ts';
import { listenDns, type DnsServerHandle } from './server.ts';

const log = componentLogger('dns');

export interface ClusterDnsOptions {
  /** Where to listen (default CLUSTER_DNS_IP, 127.96.0.10). */
  address?: string;
  /** Default 53 (root, or ip_unprivileged_port_start <= 53); 0 picks a free port. */
  port?: number;
  /** The cluster domain (default cluster.local). */
  zone?: string;
  /** TTL of every answer: 30 s, as kubeadm's Corefile (the plugin's own default is 5). */
  ttl?: number;
  /** `pods insecure` (default, as kubeadm), `verified` (watches Pods) or `disabled`. */
  podMode?: PodMode;
  /** Upstream resolvers (`ip` or `ip:port`); default: the nameservers of resolvConfPath. [] forwards nothing: REFUSED. */
  upstreams?: string[];
  /** Default /etc/resolv.conf. */
  resolvConfPath?: string;
  forwardTimeoutMs?: number;
}

export const DEFAULT_DNS_TTL = 30;

export interface DnsSet {
  client: ApiClient;
  factory: SharedInformerFactory;
  view: ClusterView;
}

export async function openDnsSet(natsUrl: string, options: ClusterDnsOptions): Promise<DnsSet> {
  const client = await ApiClient.connect(natsUrl, 'cluster-dns', { fieldManager: 'coredns' });
  const factory = new SharedInformerFactory(client, { indexers: dnsIndexers, transform: stripManagedFields });
  // The SOA serial is the time of the last change seen, as CoreDNS's Modified().
  const now = () => Math.floor(Date.now() / 1000);
  let lastChange = now();
  const touched = { onAdd: () => void (lastChange = now()), onUpdate: () => void (lastChange = now()), onDelete: () => void (lastChange = now()) };
  const namespaces = factory.informerFor('namespaces');
  const services = factory.informerFor('services');
  const endpointSlices = factory.informerFor('endpointslices.discovery.k8s.io');
  const pods = options.podMode === 'verified' ? factory.informerFor('pods') : undefined;
  for (const informer of [namespaces, services, endpointSlices, pods]) informer?.addEventHandler(touched);
  const view = indexedClusterView({
    namespaces: namespaces.indexer,
    services: services.indexer,
    endpointSlices: endpointSlices.indexer,
    ...(pods ? { pods: pods.indexer } : {}),
    serial: () => lastChange,
  });
  return { client, factory, view };
}

export async function syncDnsCaches(set: DnsSet, timeoutMs: number): Promise<void> {
  set.factory.start();
  if (!(await set.factory.waitForCacheSync(timeoutMs))) throw new Error(`dns caches did not sync within ${timeoutMs} ms`);
}

export async function closeDnsSet(set: DnsSet): Promise<void> {
  set.factory.shutdown();
  await set.client.close();
}

/** The upstreams to forward to: given ones, else the host's resolv.conf nameservers that are not this server. */
export async function resolveUpstreams(options: ClusterDnsOptions): Promise<Upstream[]> {
  const address = options.address ?? CLUSTER_DNS_IP;
  const port = options.port ?? 53;
  let specs = options.upstreams;
  if (!specs) {
    const text = await readFile(options.resolvConfPath ?? '/etc/resolv.conf', 'utf8').catch(() => '');
    specs = parseResolvConf(text).nameservers;
  }
  return specs
    .map((spec) => parseUpstream(spec))
    .filter((u): u is Upstream => u !== undefined && !(u.host === address && u.port === port));
}

export async function startDnsServer(set: DnsSet, options: ClusterDnsOptions): Promise<DnsServerHandle> {
  const address = options.address ?? CLUSTER_DNS_IP;
  const settings: ZoneSettings = {
    zone: options.zone ?? CLUSTER_DOMAIN,
    ttl: options.ttl ?? DEFAULT_DNS_TTL,
    dnsIP: address,
    podMode: options.podMode ?? 'insecure',
  };
  const upstreams = await resolveUpstreams(options);
  const handle = createQueryHandler({
    view: set.view,
    settings,
    ...(upstreams.length > 0 ? { forward: forwarderTo(upstreams, options.forwardTimeoutMs) } : {}),
    log,
  });
  const port = options.port ?? 53;
  const server = await listenDns({ address, port, handle, log }).catch((error: NodeJS.ErrnoException) => {
    // EACCES: port 53 needs root (or net.ipv4.ip_unprivileged_port_start <= 53); pass another port.
    log.warn({ err: error, address, port }, 'cluster DNS cannot listen; trying again');
    throw error;
  });
  log.info(
    { address: server.address, port: server.port, zone: settings.zone, upstreams: upstreams.map((u) => `${u.host}:${u.port}`) },
    upstreams.length > 0 ? 'cluster DNS serving' : 'cluster DNS serving; no upstream resolver, names outside the cluster are refused',
  );
  return server;
}

export const dnsEffects = {
  open: fromPromise<DnsSet, { natsUrl: string; options: ClusterDnsOptions }>(({ input }) => openDnsSet(input.natsUrl, input.options)),
  syncCaches: fromPromise<void, { set: DnsSet; timeoutMs: number }>(({ input }) => syncDnsCaches(input.set, input.timeoutMs)),
  listen: fromPromise<DnsServerHandle, { set: DnsSet; options: ClusterDnsOptions }>(({ input }) => startDnsServer(input.set, input.options)),
  close: fromPromise<void, { set?: DnsSet; server?: DnsServerHandle }>(async ({ input }) => {
    await input.server?.close();
    if (input.set) await closeDnsSet(input.set);
  }),
};
