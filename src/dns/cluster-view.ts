/**
 * What the DNS answer function may know of the cluster: CoreDNS's dnsController lookups,
 * as an interface over read-only objects. Two implementations: `staticClusterView` over
 * plain arrays (unit and property tests, replays), and `indexedClusterView` over the
 * DNS server's informer caches, whose extra indexes (by cluster IP, endpoint address,
 * pod IP) keep every lookup a map read.
 */
import type { KubeObject } from '../api/object.ts';
import { LABEL_INDEX, defaultIndexers, type Indexer, type Indexers } from '../informer/indexer.ts';

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ClusterView {
  namespaceExists(namespace: string): boolean;
  service(namespace: string, name: string): KubeObject | undefined;
  /** The EndpointSlices of a Service (by the kubernetes.io/service-name label). */
  endpointSlices(namespace: string, service: string): KubeObject[];
  servicesWithClusterIP(ip: string): KubeObject[];
  endpointSlicesWithAddress(ip: string): KubeObject[];
  podsWithIP(ip: string): KubeObject[];
  /** The SOA serial: the newest revision the view has seen (CoreDNS: the last change's time). */
  serial(): number;
}

export const CLUSTER_IP_INDEX = 'dnsClusterIP';
export const ENDPOINT_ADDRESS_INDEX = 'dnsEndpointAddress';
export const POD_IP_INDEX = 'dnsPodIP';

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export function clusterIPsOf(service: KubeObject): string[] {
  const spec = (service.spec ?? {}) as { clusterIP?: unknown; clusterIPs?: unknown };
  const ips = strings(spec.clusterIPs);
  if (ips.length > 0) return ips.filter((ip) => ip !== 'None' && ip !== '');
  return typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None' && spec.clusterIP !== '' ? [spec.clusterIP] : [];
}

/**
 * Indexes for the DNS server's informer factory (on top of the defaults). Each applies
 * to every kind and files an object only under the fields its kind has.
 */
export const dnsIndexers: Indexers = {
  ...defaultIndexers,
  [CLUSTER_IP_INDEX]: (o) => (o.kind === 'Service' ? clusterIPsOf(o) : []),
  [ENDPOINT_ADDRESS_INDEX]: (o) =>
    o.kind === 'EndpointSlice' ? [...new Set(((o as { endpoints?: Array<{ addresses?: unknown }> }).endpoints ?? []).flatMap((e) => strings(e.addresses)))] : [],
  [POD_IP_INDEX]: (o) => {
    if (o.kind !== 'Pod') return [];
    const status = (o.status ?? {}) as { podIP?: unknown; podIPs?: Array<{ ip?: unknown }> };
    const ips = (status.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => typeof ip === 'string');
    if (typeof status.podIP === 'string' && status.podIP !== '') ips.push(status.podIP);
    return [...new Set(ips)];
  },
};

const revision = (o: KubeObject): number => Number(o.metadata.resourceVersion ?? 0) || 0;

export interface ViewCaches {
  namespaces: Indexer;
  services: Indexer;
  endpointSlices: Indexer;
  /** Only for `pods verified`. */
  pods?: Indexer;
  /** The newest revision any of these caches has applied. */
  serial(): number;
}

export function indexedClusterView(caches: ViewCaches): ClusterView {
  return {
    namespaceExists: (namespace) => caches.namespaces.get(namespace) !== undefined,
    service: (namespace, name) => caches.services.getBy(namespace, name),
    endpointSlices: (namespace, service) =>
      caches.endpointSlices.byIndex(LABEL_INDEX, `${SERVICE_NAME_LABEL}=${service}`).filter((s) => s.metadata.namespace === namespace),
    servicesWithClusterIP: (ip) => caches.services.byIndex(CLUSTER_IP_INDEX, ip),
    endpointSlicesWithAddress: (ip) => caches.endpointSlices.byIndex(ENDPOINT_ADDRESS_INDEX, ip),
    podsWithIP: (ip) => caches.pods?.byIndex(POD_IP_INDEX, ip) ?? [],
    serial: () => caches.serial(),
  };
}

export interface ClusterObjects {
  namespaces?: KubeObject[];
  services?: KubeObject[];
  endpointSlices?: KubeObject[];
  pods?: KubeObject[];
}

/** A view over plain arrays; namespaces default to those the other objects live in. */
export function staticClusterView(objects: ClusterObjects): ClusterView {
  const services = objects.services ?? [];
  const slices = objects.endpointSlices ?? [];
  const pods = objects.pods ?? [];
  const namespaces = new Set(
    objects.namespaces ? objects.namespaces.map((n) => n.metadata.name) : [...services, ...slices, ...pods].map((o) => o.metadata.namespace),
  );
  const all = [...(objects.namespaces ?? []), ...services, ...slices, ...pods];
  const serial = all.reduce((max, o) => Math.max(max, revision(o)), 0);
  return {
    namespaceExists: (namespace) => namespaces.has(namespace),
    service: (namespace, name) => services.find((s) => s.metadata.namespace === namespace && s.metadata.name === name),
    endpointSlices: (namespace, service) => slices.filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.[SERVICE_NAME_LABEL] === service),
    servicesWithClusterIP: (ip) => services.filter((s) => dnsIndexers[CLUSTER_IP_INDEX]!(s).includes(ip)),
    endpointSlicesWithAddress: (ip) => slices.filter((s) => dnsIndexers[ENDPOINT_ADDRESS_INDEX]!(s).includes(ip)),
    podsWithIP: (ip) => pods.filter((p) => dnsIndexers[POD_IP_INDEX]!(p).includes(ip)),
    serial: () => serial,
  };
}
