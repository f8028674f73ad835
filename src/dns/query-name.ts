/**
 * How a query name splits under the cluster zone, after the Kubernetes DNS specification
 * and CoreDNS's parseRequest:
 *   <svc>.<ns>.svc.<zone>                  a Service
 *   <endpoint>.<svc>.<ns>.svc.<zone>       one endpoint (hostname, else dashed address)
 *   _<port>._<proto>.<svc>.<ns>.svc.<zone> a named port (SRV)
 *   <a-b-c-d>.<ns>.pod.<zone>              a pod by address
 * Shorter names under `svc` or `pod` are empty non-terminals; anything else, or anything
 * longer, does not exist. Names are compared lowercased (DNS is case-insensitive).
 */
import { isIP } from 'node:net';

export type ParsedName =
  | { kind: 'apex' }
  | { kind: 'invalid' }
  /** `svc.<zone>`, `pod.<zone>`, or `<ns>.svc|pod.<zone>` when namespace is given. */
  | { kind: 'nonTerminal'; podOrSvc: 'svc' | 'pod'; namespace?: string }
  | { kind: 'service'; namespace: string; service: string; endpoint?: string; port?: string; protocol?: string }
  | { kind: 'pod'; namespace: string; pod: string; extra: boolean };

/** The part of `name` below `zone` ('' for the apex), or undefined when name is outside it. */
export function relativeToZone(name: string, zone: string): string | undefined {
  const n = trimDot(name).toLowerCase();
  const z = trimDot(zone).toLowerCase();
  if (n === z) return '';
  return n.endsWith(`.${z}`) ? n.slice(0, -(z.length + 1)) : undefined;
}

export function trimDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

export function parseQueryName(relative: string): ParsedName {
  if (relative === '') return { kind: 'apex' };
  const labels = relative.split('.');
  const podOrSvc = labels.pop();
  if (podOrSvc !== 'svc' && podOrSvc !== 'pod') return { kind: 'invalid' };
  const namespace = labels.pop();
  if (namespace === undefined) return { kind: 'nonTerminal', podOrSvc };
  const name = labels.pop();
  if (name === undefined) return { kind: 'nonTerminal', podOrSvc, namespace };
  if (podOrSvc === 'pod') return { kind: 'pod', namespace, pod: name, extra: labels.length > 0 };
  if (labels.length === 0) return { kind: 'service', namespace, service: name };
  if (labels.length === 1) return { kind: 'service', namespace, service: name, endpoint: labels[0] };
  if (labels.length === 2) return { kind: 'service', namespace, service: name, port: stripUnderscore(labels[0]!), protocol: stripUnderscore(labels[1]!) };
  return { kind: 'invalid' };
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

/** A pod label back to its address: `10-0-0-1` -> 10.0.0.1, `fd00--1` -> fd00::1; undefined when it is none. */
export function podLabelToIP(label: string): string | undefined {
  const ip = (label.split('-').length === 4 && !label.includes('--')) ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  return isIP(ip) ? ip : undefined;
}

/** The label CoreDNS gives an endpoint without a hostname: its address with dashes. */
export function dashedAddress(ip: string): string {
  return ip.replaceAll(ip.includes(':') ? ':' : '.', '-');
}

/** The address a reverse name stands for (`4.3.2.1.in-addr.arpa` -> 1.2.3.4); undefined for partial names. */
export function reverseNameToIP(name: string): string | undefined {
  const n = trimDot(name).toLowerCase();
  if (n.endsWith('.in-addr.arpa')) {
    const octets = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (octets.length !== 4) return undefined;
    const ip = octets.reverse().join('.');
    return isIP(ip) === 4 ? ip : undefined;
  }
  if (n.endsWith('.ip6.arpa')) {
    const nibbles = n.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
    return canonicalIPv6(groups.join(':'));
  }
  return undefined;
}

export function isReverseName(name: string): boolean {
  const n = trimDot(name).toLowerCase();
  return n === 'in-addr.arpa' || n === 'ip6.arpa' || n.endsWith('.in-addr.arpa') || n.endsWith('.ip6.arpa');
}

/** IPv6 in its RFC 5952 form, so that addresses compare as strings. */
export function canonicalIPv6(ip: string): string {
  const url = new URL(`http://[${ip}]/`);
  return url.hostname.slice(1, -1);
}
