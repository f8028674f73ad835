/**
 * networking.k8s.io: Ingress rules (DNS hosts, absolute paths with a pathType, one
 * backend each), IngressClass controllers (domain-prefixed, immutable), and
 * NetworkPolicy selectors, ports and CIDRs.
 */
import { isIP } from 'node:net';
import type { FieldError } from '../errors.ts';
import { child, index, type FieldPath } from '../field-path.ts';
import { invalidEach, invalidValue, required, tooLong } from '../field-errors.ts';
import { byteLength, isDNS1035Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain } from '../names.ts';
import type { Ingress, IngressBackend, IngressClass, NetworkPolicy } from '../types.ts';
import { isCIDR, validateImmutable, validateLabelSelector } from './common.ts';

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

function validateBackend(backend: IngressBackend, path: FieldPath): FieldError[] {
  const { service, resource } = backend;
  if (service && resource) return [invalidValue(path, '', 'cannot set both resource and service backends')];
  if (resource) {
    const errors: FieldError[] = [];
    if (!resource.kind) errors.push(required(child(path, 'resource', 'kind')));
    if (!resource.name) errors.push(required(child(path, 'resource', 'name')));
    return errors;
  }
  if (!service) return [invalidValue(path, '', 'resource or service backend is required')];
  const errors: FieldError[] = [];
  if (!service.name) errors.push(required(child(path, 'service', 'name')));
  else errors.push(...invalidEach(child(path, 'service', 'name'), service.name, isDNS1035Label(service.name)));
  const portName = service.port?.name ?? '';
  const portNumber = service.port?.number ?? 0;
  if (portName && portNumber) errors.push(invalidValue(path, '', 'cannot set both port name & port number'));
  else if (portName) errors.push(...invalidEach(child(path, 'service', 'port', 'name'), portName, isValidPortName(portName)));
  else if (portNumber) errors.push(...invalidEach(child(path, 'service', 'port', 'number'), portNumber, isValidPortNum(portNumber)));
  else errors.push(required(path, 'port name or number is required'));
  return errors;
}

function validateHttpPath(path: string, pathType: string, at: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!path.startsWith('/')) errors.push(invalidValue(at, path, 'must be an absolute path'));
    for (const sequence of INVALID_PATH_SEQUENCES) if (path.includes(sequence)) errors.push(invalidValue(at, path, `must not contain '${sequence}'`));
    for (const suffix of INVALID_PATH_SUFFIXES) if (path.endsWith(suffix)) errors.push(invalidValue(at, path, `cannot end with '${suffix}'`));
  } else if (path && !path.startsWith('/')) {
    errors.push(invalidValue(at, path, 'must be an absolute path'));
  }
  return errors;
}

export function validateIngress(ingress: Ingress): FieldError[] {
  const spec = ingress.spec ?? {};
  const errors: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) errors.push(invalidValue('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errors.push(...validateBackend(spec.defaultBackend, child('spec', 'defaultBackend')));
  rules.forEach((rule, i) => {
    const at = index(child('spec', 'rules'), i);
    const host = rule.host ?? '';
    if (host) {
      if (isIP(host) !== 0) errors.push(invalidValue(child(at, 'host'), host, 'must be a DNS name, not an IP address'));
      const check = host.includes('*') ? isWildcardDNS1123Subdomain : isDNS1123Subdomain;
      errors.push(...invalidEach(child(at, 'host'), host, check(host)));
    }
    if (!rule.http) return;
    const paths = rule.http.paths ?? [];
    if (paths.length === 0) errors.push(required(child(at, 'http', 'paths')));
    paths.forEach((httpPath, j) => {
      const pathAt = index(child(at, 'http', 'paths'), j);
      if (!httpPath.pathType) {
        errors.push(required(child(pathAt, 'pathType'), 'pathType must be specified'));
        return;
      }
      errors.push(...validateHttpPath(httpPath.path ?? '', httpPath.pathType, child(pathAt, 'path')));
      errors.push(...validateBackend(httpPath.backend ?? {}, child(pathAt, 'backend')));
    });
  });
  (spec.tls ?? []).forEach((tls, i) =>
    (tls.hosts ?? []).forEach((host, j) => {
      const check = host.includes('*') ? isWildcardDNS1123Subdomain : isDNS1123Subdomain;
      errors.push(...invalidEach(index(child(index(child('spec', 'tls'), i), 'hosts'), j), host, check(host)));
    }),
  );
  if (spec.ingressClassName) errors.push(...invalidEach(child('spec', 'ingressClassName'), spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)));
  return errors;
}

const MAX_CONTROLLER_LENGTH = 250;
const HTTP_PATH_RE = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

export function validateIngressClass(ingressClass: IngressClass): FieldError[] {
  const controller = ingressClass.spec?.controller ?? '';
  const path = child('spec', 'controller');
  if (byteLength(controller) > MAX_CONTROLLER_LENGTH) return [tooLong(path, MAX_CONTROLLER_LENGTH)];
  if (!controller) return [required(path)];
  const slash = controller.indexOf('/');
  if (slash <= 0 || slash === controller.length - 1) return [invalidValue(path, controller, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = controller.slice(0, slash);
  const rest = controller.slice(slash + 1);
  const errors = invalidEach(path, host, isDNS1123Subdomain(host));
  if (!HTTP_PATH_RE.test(rest)) {
    errors.push(invalidValue(path, rest, "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
  }
  return errors;
}

export function validateIngressClassUpdate(ingressClass: IngressClass, old: IngressClass): FieldError[] {
  return validateImmutable(ingressClass.spec?.controller, old.spec?.controller, child('spec', 'controller'));
}


type NetworkPolicySpec = NonNullable<NetworkPolicy['spec']>;
type PolicyPort = NonNullable<NonNullable<NetworkPolicySpec['ingress']>[number]['ports']>[number];
type PolicyPeer = NonNullable<NonNullable<NetworkPolicySpec['ingress']>[number]['from']>[number];

function validatePolicyPort(port: PolicyPort, at: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof port.port === 'string') errors.push(...invalidEach(child(at, 'port'), port.port, isValidPortName(port.port)));
  else if (port.port !== undefined) errors.push(...invalidEach(child(at, 'port'), port.port, isValidPortNum(port.port)));
  if (port.endPort !== undefined) {
    if (typeof port.port !== 'number') errors.push(required(child(at, 'port'), 'must be specified when endPort is specified'));
    else if (port.endPort < port.port) errors.push(invalidValue(child(at, 'endPort'), port.endPort, 'must be greater than or equal to `port`'));
  }
  return errors;
}

function validatePolicyPeer(peer: PolicyPeer, at: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const set = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((p) => p !== undefined).length;
  if (set === 0) errors.push(required(at, 'must specify a peer'));
  if (peer.ipBlock && (peer.podSelector || peer.namespaceSelector)) errors.push(invalidValue(at, peer, 'may not specify both ipBlock and another peer'));
  errors.push(...validateLabelSelector(peer.podSelector, child(at, 'podSelector')));
  errors.push(...validateLabelSelector(peer.namespaceSelector, child(at, 'namespaceSelector')));
  if (peer.ipBlock) {
    const cidr = peer.ipBlock.cidr ?? '';
    if (!cidr) errors.push(required(child(at, 'ipBlock', 'cidr')));
    else if (!isCIDR(cidr)) errors.push(invalidValue(child(at, 'ipBlock', 'cidr'), cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  }
  return errors;
}

export function validateNetworkPolicy(policy: NetworkPolicy): FieldError[] {
  const spec = policy.spec ?? {};
  const errors = validateLabelSelector(spec.podSelector, child('spec', 'podSelector'));
  const rules = [
    ...(spec.ingress ?? []).map((rule, i) => ({ at: index(child('spec', 'ingress'), i), ports: rule.ports, peers: rule.from, peersField: 'from' })),
    ...(spec.egress ?? []).map((rule, i) => ({ at: index(child('spec', 'egress'), i), ports: rule.ports, peers: rule.to, peersField: 'to' })),
  ];
  for (const { at, ports, peers, peersField } of rules) {
    (ports ?? []).forEach((port, j) => errors.push(...validatePolicyPort(port, index(child(at, 'ports'), j))));
    (peers ?? []).forEach((peer, j) => errors.push(...validatePolicyPeer(peer, index(child(at, peersField), j))));
  }
  const types = spec.policyTypes ?? [];
  if (types.length > 2) errors.push(invalidValue(child('spec', 'policyTypes'), types, 'may not specify more than two policyTypes'));
  return errors;
}
