/**
 * The cluster DNS's decision, pure: a question and a view of the cluster in, the records
 * of the answer out (or "forward": not ours). It is CoreDNS's kubernetes plugin as
 * deployed by kubeadm (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure;
 * fallthrough in-addr.arpa ip6.arpa; ttl 30 }`):
 * - A/AAAA `<svc>.<ns>.svc.<zone>`: the ClusterIP; for a headless Service the ready
 *   endpoint addresses; `<endpoint>.<svc>...` one endpoint by hostname or dashed address;
 * - SRV `_<port>._<proto>.<svc>.<ns>.svc.<zone>` (and `<svc>...` for every port): priority
 *   0, weight 100/n, target the Service name (ClusterIP) or each endpoint's name
 *   (headless), with the targets' addresses as additional records;
 * - ExternalName: a CNAME to spec.externalName; an in-zone target is followed here, an
 *   outside one is handed back as `chase` for the server to ask upstream;
 * - `<a-b-c-d>.<ns>.pod.<zone>`: the address in the name (pods insecure), or only an
 *   existing pod's (verified);
 * - PTR for ClusterIPs and endpoint addresses; an unknown address falls through to
 *   the upstream resolvers;
 * - a name that does not exist: NXDOMAIN; an existing name without records of the asked
 *   type: NOERROR with no answer (NODATA); both with the zone's SOA in authority;
 * - the apex answers SOA and NS (`ns.dns.<zone>`, the DNS server's own address), and
 *   `dns-version.<zone>` TXT the schema version, as CoreDNS does.
 * Only endpoints whose `ready` condition is not false count (the EndpointSlice controller
 * already marks not-ready ones ready for publishNotReadyAddresses Services).
 */
import { isIP } from 'node:net';
import type { Answer as DnsRecord } from 'dns-packet';
import { clusterIPsOf, type ClusterView } from './cluster-view.ts';
import { dashedAddress, isReverseName, parseQueryName, podLabelToIP, relativeToZone, reverseNameToIP, trimDot, type ParsedName } from './query-name.ts';

export type { DnsRecord };

export type PodMode = 'disabled' | 'verified' | 'insecure';

export interface ZoneSettings {
  /** The cluster domain, `cluster.local`. */
  zone: string;
  ttl: number;
  /** The DNS server's own address, for NS and `ns.dns.<zone>`. */
  dnsIP: string;
  podMode: PodMode;
}

export interface DnsQuestion {
  name: string;
  type: string;
}

export type Resolution =
  | {
      kind: 'answer';
      rcode: 'NOERROR' | 'NXDOMAIN';
      answers: DnsRecord[];
      authorities: DnsRecord[];
      additionals: DnsRecord[];
      /** An out-of-zone CNAME target whose addresses the server appends from upstream. */
      chase?: { name: string; type: 'A' | 'AAAA' };
    }
  | { kind: 'forward' };

/** CoreDNS's DNSSchemaVersion, answered for `dns-version.<zone>` TXT. */
export const DNS_SCHEMA_VERSION = '1.1.0';
const DNS_VERSION_TTL = 28800;

/** What a name stands for, before the question's type picks from it (CoreDNS's msg.Service). */
interface Target {
  /** An address, or a domain (ExternalName). */
  host: string;
  port?: number;
  /** The name an SRV record points at. */
  srvTarget: string;
}

type Lookup = { exists: false } | { exists: true; targets: Target[] };

const NXDOMAIN: Lookup = { exists: false };
const nodata = (): Lookup => ({ exists: true, targets: [] });

export function resolveQuestion(question: DnsQuestion, view: ClusterView, settings: ZoneSettings): Resolution {
  const type = question.type.toUpperCase();
  if (isReverseName(question.name)) return reverse(question, type, view, settings);
  const relative = relativeToZone(question.name, settings.zone);
  if (relative === undefined) return { kind: 'forward' };
  // The SOA is owned by the zone as the question spelled it (CoreDNS keeps the query's case).
  const asked = trimDot(question.name);
  const zone = asked.slice(asked.length - settings.zone.length);
  const answer = (rcode: 'NOERROR' | 'NXDOMAIN', answers: DnsRecord[] = [], additionals: DnsRecord[] = []): Resolution => ({
    kind: 'answer',
    rcode,
    answers,
    authorities: answers.length === 0 ? [soa(zone, view, settings)] : [],
    additionals,
  });

  if (relative === 'dns-version' && type === 'TXT') {
    return answer('NOERROR', [{ type: 'TXT', name: question.name, ttl: DNS_VERSION_TTL, class: 'IN', data: [DNS_SCHEMA_VERSION] }]);
  }
  if (relative === 'ns.dns') {
    const family = isIP(settings.dnsIP) === 6 ? 'AAAA' : 'A';
    return answer('NOERROR', type === family ? [address(question.name, settings.dnsIP, settings.ttl)] : []);
  }
  const parsed = parseQueryName(relative);
  if (parsed.kind === 'apex') {
    if (type === 'SOA') return { kind: 'answer', rcode: 'NOERROR', answers: [soa(question.name, view, settings)], authorities: [], additionals: [] };
    if (type === 'NS') {
      const nsName = `ns.dns.${settings.zone}`;
      return answer('NOERROR', [{ type: 'NS', name: question.name, ttl: settings.ttl, class: 'IN', data: nsName }], [address(nsName, settings.dnsIP, settings.ttl)]);
    }
    return answer('NOERROR');
  }
  const lookup = lookupName(parsed, view, settings);
  if (!lookup.exists) return answer('NXDOMAIN');
  const targets = lookup.targets;
  switch (type) {
    case 'A':
    case 'AAAA': {
      const family = type === 'A' ? 4 : 6;
      const records = unique(targets.filter((t) => isIP(t.host) === family).map((t) => t.host)).map((ip) => address(question.name, ip, settings.ttl));
      const cname = targets.find((t) => isIP(t.host) === 0);
      if (records.length > 0 || !cname) return answer('NOERROR', records);
      return followCname(question.name, cname.host, type, view, settings, answer);
    }
    case 'CNAME': {
      const cname = targets.find((t) => isIP(t.host) === 0);
      return answer('NOERROR', cname ? [cnameRecord(question.name, cname.host, settings.ttl)] : []);
    }
    case 'SRV':
      return srv(question.name, targets, settings, answer);
    default:
      return answer('NOERROR');
  }
}

function lookupName(parsed: Exclude<ParsedName, { kind: 'apex' }>, view: ClusterView, settings: ZoneSettings): Lookup {
  switch (parsed.kind) {
    case 'invalid':
      return NXDOMAIN;
    case 'nonTerminal':
      return parsed.namespace === undefined || view.namespaceExists(parsed.namespace) ? nodata() : NXDOMAIN;
    case 'pod':
      return lookupPod(parsed, view, settings);
    case 'service':
      return lookupService(parsed, view, settings);
  }
}

function lookupPod(parsed: Extract<ParsedName, { kind: 'pod' }>, view: ClusterView, settings: ZoneSettings): Lookup {
  if (settings.podMode === 'disabled' || parsed.extra || !view.namespaceExists(parsed.namespace)) return NXDOMAIN;
  const ip = podLabelToIP(parsed.pod);
  if (!ip) return NXDOMAIN;
  if (settings.podMode === 'verified' && !view.podsWithIP(ip).some((p) => p.metadata.namespace === parsed.namespace)) return NXDOMAIN;
  return { exists: true, targets: [{ host: ip, srvTarget: `${parsed.pod}.${parsed.namespace}.pod.${settings.zone}` }] };
}

interface SlicePort {
  name?: string;
  protocol?: string;
  port?: number;
}

interface SliceEndpoint {
  addresses?: string[];
  hostname?: string;
  conditions?: { ready?: boolean };
}

const sameLabel = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
const portMatches = (parsed: { port?: string; protocol?: string }, port: SlicePort) =>
  (parsed.port === undefined || sameLabel(parsed.port, port.name)) && (parsed.protocol === undefined || sameLabel(parsed.protocol, port.protocol ?? 'TCP'));

function lookupService(parsed: Extract<ParsedName, { kind: 'service' }>, view: ClusterView, settings: ZoneSettings): Lookup {
  if (!view.namespaceExists(parsed.namespace)) return NXDOMAIN;
  const service = view.service(parsed.namespace, parsed.service);
  if (!service) return NXDOMAIN;
  const spec = (service.spec ?? {}) as { type?: string; clusterIP?: string; externalName?: string; ports?: SlicePort[] };
  const serviceName = `${parsed.service}.${parsed.namespace}.svc.${settings.zone}`;

  if (spec.type === 'ExternalName') {
    const external = spec.externalName ?? '';
    // CoreDNS answers only a name here (an address in externalName gives nothing); no endpoints or ports below it.
    if (external === '' || isIP(external) !== 0 || parsed.endpoint !== undefined || parsed.port !== undefined) return NXDOMAIN;
    return { exists: true, targets: [{ host: external.endsWith('.') ? external.slice(0, -1) : external, srvTarget: serviceName }] };
  }

  if (spec.clusterIP === 'None' || parsed.endpoint !== undefined) {
    const targets: Target[] = [];
    for (const slice of view.endpointSlices(parsed.namespace, parsed.service)) {
      const ports = ((slice as { ports?: SlicePort[] }).ports ?? []) as SlicePort[];
      for (const endpoint of ((slice as { endpoints?: SliceEndpoint[] }).endpoints ?? []) as SliceEndpoint[]) {
        if (endpoint.conditions?.ready === false) continue;
        for (const ip of endpoint.addresses ?? []) {
          const label = endpoint.hostname || dashedAddress(ip);
          if (parsed.endpoint !== undefined && !sameLabel(parsed.endpoint, label)) continue;
          const srvTarget = `${label}.${serviceName}`;
          // A slice without ports still gives addresses (CoreDNS adds a sentinel port).
          if (ports.length === 0 && parsed.port === undefined && parsed.protocol === undefined) targets.push({ host: ip, srvTarget });
          for (const port of ports) if (portMatches(parsed, port)) targets.push({ host: ip, port: port.port, srvTarget });
        }
      }
    }
    return targets.length > 0 ? { exists: true, targets } : NXDOMAIN;
  }

  const matching = (spec.ports ?? []).filter((port) => portMatches(parsed, port));
  if (matching.length === 0) return NXDOMAIN;
  const ips = clusterIPsOf(service);
  return { exists: true, targets: matching.flatMap((port) => ips.map((ip) => ({ host: ip, port: port.port, srvTarget: serviceName }))) };
}

function followCname(
  name: string,
  target: string,
  type: 'A' | 'AAAA',
  view: ClusterView,
  settings: ZoneSettings,
  answer: (rcode: 'NOERROR' | 'NXDOMAIN', answers?: DnsRecord[], additionals?: DnsRecord[]) => Resolution,
): Resolution {
  const cname = cnameRecord(name, target, settings.ttl);
  if (relativeToZone(target, settings.zone) === undefined) {
    const resolution = answer('NOERROR', [cname]);
    return resolution.kind === 'answer' ? { ...resolution, chase: { name: target, type } } : resolution;
  }
  // One level of in-zone chasing: an ExternalName pointing at another Service name.
  const inner = resolveQuestion({ name: target, type }, view, settings);
  if (inner.kind !== 'answer') return answer('NOERROR', [cname]);
  return answer('NOERROR', [cname, ...inner.answers.filter((r) => r.type !== 'CNAME')]);
}

function srv(
  name: string,
  targets: Target[],
  settings: ZoneSettings,
  answer: (rcode: 'NOERROR' | 'NXDOMAIN', answers?: DnsRecord[], additionals?: DnsRecord[]) => Resolution,
): Resolution {
  const withPorts = targets.filter((t) => isIP(t.host) !== 0 && t.port !== undefined);
  const seen = new Set<string>();
  const distinct = withPorts.filter((t) => {
    const key = `${t.srvTarget}:${t.port}:${t.host}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const weight = distinct.length > 0 ? Math.floor(100 / distinct.length) : 0;
  const answers: DnsRecord[] = distinct.map((t) => ({
    type: 'SRV',
    name,
    ttl: settings.ttl,
    class: 'IN',
    data: { priority: 0, weight, port: t.port!, target: t.srvTarget },
  }));
  const additionalKeys = new Set<string>();
  const additionals: DnsRecord[] = [];
  for (const t of distinct) {
    const key = `${t.srvTarget} ${t.host}`;
    if (additionalKeys.has(key)) continue;
    additionalKeys.add(key);
    additionals.push(address(t.srvTarget, t.host, settings.ttl));
  }
  return answer('NOERROR', answers, additionals);
}

function reverse(question: DnsQuestion, type: string, view: ClusterView, settings: ZoneSettings): Resolution {
  const ip = reverseNameToIP(question.name);
  if (type !== 'PTR' || !ip) return { kind: 'forward' };
  const names = ptrNames(ip, view, settings);
  if (names.length === 0) return { kind: 'forward' };
  return {
    kind: 'answer',
    rcode: 'NOERROR',
    answers: names.map((data) => ({ type: 'PTR', name: question.name, ttl: settings.ttl, class: 'IN', data })),
    authorities: [],
    additionals: [],
  };
}

/** A ClusterIP names its Service; otherwise every ready endpoint with that address names itself. */
function ptrNames(ip: string, view: ClusterView, settings: ZoneSettings): string[] {
  const service = view.servicesWithClusterIP(ip)[0];
  if (service) return [`${service.metadata.name}.${service.metadata.namespace}.svc.${settings.zone}`];
  const names: string[] = [];
  for (const slice of view.endpointSlicesWithAddress(ip)) {
    const serviceName = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (!serviceName) continue;
    for (const endpoint of ((slice as { endpoints?: SliceEndpoint[] }).endpoints ?? []) as SliceEndpoint[]) {
      if (endpoint.conditions?.ready === false || !(endpoint.addresses ?? []).includes(ip)) continue;
      names.push(`${endpoint.hostname || dashedAddress(ip)}.${serviceName}.${slice.metadata.namespace}.svc.${settings.zone}`);
    }
  }
  return unique(names);
}

function soa(zone: string, view: ClusterView, settings: ZoneSettings): DnsRecord {
  return {
    type: 'SOA',
    name: zone,
    ttl: settings.ttl,
    class: 'IN',
    data: {
      mname: `ns.dns.${settings.zone}`,
      rname: `hostmaster.${settings.zone}`,
      serial: view.serial() >>> 0,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: settings.ttl,
    },
  };
}

function address(name: string, ip: string, ttl: number): DnsRecord {
  return { type: isIP(ip) === 6 ? 'AAAA' : 'A', name, ttl, class: 'IN', data: ip };
}

function cnameRecord(name: string, target: string, ttl: number): DnsRecord {
  return { type: 'CNAME', name, ttl, class: 'IN', data: target };
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
