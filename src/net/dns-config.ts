/**
 * A pod's resolver configuration, the kubelet's DNS configurer (pkg/kubelet/network/dns)
 * as pure functions: from the pod's dnsPolicy and dnsConfig, the node's cluster DNS
 * settings and the host's resolv.conf to the nameservers, search list and options the
 * pod's `etc/resolv.conf` holds.
 * - ClusterFirst (the default; Default for a hostNetwork pod), ClusterFirstWithHostNet:
 *   the cluster DNS servers only, search `<ns>.svc.<domain> svc.<domain> <domain>` then
 *   the host's search list, `options ndots:5`; without cluster DNS it falls back to
 *   Default (Kubernetes records MissingClusterDNS; here it is a warning);
 * - Default: the host's resolv.conf as it is (no file: nameserver 127.0.0.1, search .);
 * - None: nothing but dnsConfig.
 * dnsConfig is then appended (duplicates dropped, its options overriding), and the result
 * cut to Kubernetes' limits: 3 nameservers, 32 search domains of at most 253 characters,
 * 2048 characters of search line. Each cut is reported as a DNSConfigForming warning.
 *
 * jetkube extension: a nameserver may carry a port (`127.96.0.10:5353`, `[::1]:5353`) for a
 * cluster DNS that cannot bind port 53 unprivileged; only jetkube's own image programs
 * read the file (there is no mount namespace), and they understand it.
 * Everything here is pure except loadNodeDnsSettings, which reads the host's file once
 * at kubelet start.
 */
import { readFileSync } from 'node:fs';
import { CLUSTER_DNS_IP, CLUSTER_DOMAIN } from './cluster-network.ts';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** What the kubelet knows about DNS: --cluster-dns, --cluster-domain, --resolv-conf. */
export interface NodeDnsSettings {
  clusterDNS: string[];
  clusterDomain?: string;
  /** The host's resolv.conf, parsed; undefined when the kubelet's resolvConf is "". */
  hostResolvConf?: ResolvConf;
  /** The node's addresses (only for the no-resolv.conf fallback). */
  nodeIPs?: string[];
}

export interface DnsWarning {
  reason: 'MissingClusterDNS' | 'DNSConfigForming';
  message: string;
}

/** The pod spec fields this reads. */
export interface PodDnsSpec {
  dnsPolicy?: string;
  hostNetwork?: boolean;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: Array<{ name?: string; value?: string }> };
}

/** The pod as this reads it; a KubeObject pod fits. */
export interface PodDnsFields {
  metadata: { namespace?: string };
  spec?: PodDnsSpec | unknown;
}

const specOf = (pod: PodDnsFields): PodDnsSpec => (pod.spec ?? {}) as PodDnsSpec;

export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
const MAX_DOMAIN_LENGTH = 253;
const DEFAULT_DNS_OPTIONS = ['ndots:5'];

type PodDnsType = 'cluster' | 'host' | 'none';

function podDnsType(pod: PodDnsFields): PodDnsType {
  switch (specOf(pod).dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    case 'ClusterFirst':
    default:
      return specOf(pod).hostNetwork ? 'host' : 'cluster';
  }
}

export function formPodDns(pod: PodDnsFields, node: NodeDnsSettings): { dns: ResolvConf; warnings: DnsWarning[] } {
  const warnings: DnsWarning[] = [];
  const host = node.hostResolvConf;
  let dns: ResolvConf = { nameservers: [...(host?.nameservers ?? [])], searches: [...(host?.searches ?? [])], options: [...(host?.options ?? [])] };
  let type = podDnsType(pod);
  if (type === 'cluster' && node.clusterDNS.length === 0) {
    warnings.push({
      reason: 'MissingClusterDNS',
      message: 'kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.',
    });
    type = 'host';
  }
  if (type === 'none') dns = { nameservers: [], searches: [], options: [] };
  if (type === 'cluster') {
    dns = { nameservers: [...node.clusterDNS], searches: clusterSearches(pod, node.clusterDomain ?? CLUSTER_DOMAIN, dns.searches), options: [...DEFAULT_DNS_OPTIONS] };
  }
  if (type === 'host' && !host) {
    const loopbacks = (node.nodeIPs ?? []).map((ip) => (ip.includes(':') ? '::1' : '127.0.0.1'));
    dns = { nameservers: loopbacks.length > 0 ? loopbacks : ['127.0.0.1'], searches: ['.'], options: dns.options };
  }
  const extra = specOf(pod).dnsConfig;
  if (extra) {
    dns = {
      nameservers: unique([...dns.nameservers, ...(extra.nameservers ?? [])]),
      searches: unique([...dns.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(dns.options, extra.options ?? []),
    };
  }
  return { dns: fitLimits(dns, warnings), warnings };
}

function clusterSearches(pod: PodDnsFields, domain: string, hostSearches: string[]): string[] {
  if (domain === '') return hostSearches;
  const namespace = pod.metadata.namespace ?? 'default';
  return unique([`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...hostSearches]);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Options by name, later ones overriding earlier ones in place (Kubernetes uses a map). */
function mergeOptions(existing: string[], added: Array<{ name?: string; value?: string }>): string[] {
  const byName = new Map<string, string>();
  for (const option of existing) {
    const colon = option.indexOf(':');
    if (colon < 0) byName.set(option, '');
    else byName.set(option.slice(0, colon), option.slice(colon + 1));
  }
  for (const { name, value } of added) if (name) byName.set(name, value ?? '');
  return [...byName].map(([name, value]) => (value === '' ? name : `${name}:${value}`));
}

function fitLimits(dns: ResolvConf, warnings: DnsWarning[]): ResolvConf {
  let nameservers = dns.nameservers;
  if (nameservers.length > MAX_DNS_NAMESERVERS) {
    nameservers = nameservers.slice(0, MAX_DNS_NAMESERVERS);
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${nameservers.join(' ')}`,
    });
  }
  let exceeded = dns.searches.length > MAX_DNS_SEARCH_PATHS;
  let searches = dns.searches.slice(0, MAX_DNS_SEARCH_PATHS);
  const fitting = searches.filter((s) => s.length <= MAX_DOMAIN_LENGTH);
  if (fitting.length !== searches.length) exceeded = true;
  searches = fitting;
  while (searches.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) {
    searches = searches.slice(0, -1);
    exceeded = true;
  }
  if (exceeded) {
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${searches.join(' ')}`,
    });
  }
  return { nameservers, searches, options: dns.options };
}

/**
 * resolv.conf as Kubernetes reads it: `nameserver` lines accumulate, the last `search`
 * and `options` lines win, `#` starts a comment line, a trailing dot of a search domain
 * is dropped.
 */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const [keyword, ...fields] = trimmed.split(/\s+/);
    if (keyword === 'nameserver' && fields[0]) conf.nameservers.push(fields[0]);
    if (keyword === 'search') conf.searches = fields.map((s) => (s.endsWith('.') && s !== '.' ? s.slice(0, -1) : s));
    if (keyword === 'options') conf.options = fields;
  }
  return conf;
}

/** The file the runtime writes as the container's etc/resolv.conf. */
export function renderResolvConf(dns: ResolvConf): string {
  const lines = dns.nameservers.map((ns) => `nameserver ${ns}`);
  if (dns.searches.length > 0) lines.push(`search ${dns.searches.join(' ')}`);
  if (dns.options.length > 0) lines.push(`options ${dns.options.join(' ')}`);
  return lines.join('\n') + '\n';
}

/**
 * The kubelet's DNS settings: --cluster-dns (default the cluster's DNS address),
 * --cluster-domain (cluster.local) and --resolv-conf (/etc/resolv.conf; "" for none),
 * the host file read once, as the kubelet does at start. A missing file reads as empty.
 */
export function loadNodeDnsSettings(options: { clusterDNS?: string[]; clusterDomain?: string; resolvConf?: string; nodeIPs?: string[] } = {}): NodeDnsSettings {
  const path = options.resolvConf ?? '/etc/resolv.conf';
  let hostResolvConf: ResolvConf | undefined;
  if (path !== '') {
    try {
      hostResolvConf = parseResolvConf(readFileSync(path, 'utf8'));
    } catch {
      hostResolvConf = { nameservers: [], searches: [], options: [] };
    }
  }
  return {
    clusterDNS: options.clusterDNS ?? [CLUSTER_DNS_IP],
    clusterDomain: options.clusterDomain ?? CLUSTER_DOMAIN,
    ...(hostResolvConf ? { hostResolvConf } : {}),
    ...(options.nodeIPs ? { nodeIPs: options.nodeIPs } : {}),
  };
}
