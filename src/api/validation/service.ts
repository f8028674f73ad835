/**
 * Services and their endpoints: ports (named when several, unique by name and by
 * port/protocol), types and their rules (headless only for ClusterIP, ExternalName needs
 * a DNS name, node ports only where nodes listen), IP fields, and a cluster IP that never
 * changes once allocated. Endpoints and EndpointSlices get their address and port checks.
 */
import { isIP } from 'node:net';
import type { FieldError } from '../errors.ts';
import { child, index, type FieldPath } from '../field-path.ts';
import { duplicate, forbidden, invalidEach, invalidValue, notSupported, required, tooMany } from '../field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortName, isValidPortNum } from '../names.ts';
import type { EndpointSlice, Endpoints, Service } from '../types.ts';
import { validateImmutable, validateLabels } from './common.ts';

const SPEC = 'spec';
const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

const isHeadless = (service: Service) => service.spec?.clusterIP === 'None';

/** LoadBalancer and NodePort services, and ClusterIP ones with external IPs, are reachable from outside. */
const externallyAccessible = (service: Service) =>
  service.spec?.type === 'LoadBalancer' || service.spec?.type === 'NodePort' || (service.spec?.type === 'ClusterIP' && (service.spec.externalIPs ?? []).length > 0);

/** The allocated IPs as Kubernetes keeps them: clusterIPs, or clusterIP alone before normalization. */
function clusterIPsOf(service: Service): string[] {
  const spec = service.spec ?? {};
  if (spec.clusterIPs && spec.clusterIPs.length > 0) return spec.clusterIPs;
  return spec.clusterIP ? [spec.clusterIP] : [];
}

function validatePortNumOrName(port: number | string | undefined, path: FieldPath): FieldError[] {
  if (port === undefined) return [];
  if (typeof port === 'string') return invalidEach(path, port, isValidPortName(port));
  return invalidEach(path, port, isValidPortNum(port));
}

export function validateService(service: Service): FieldError[] {
  const spec = service.spec ?? {};
  const errors: FieldError[] = [];
  const ports = spec.ports ?? [];
  const portsPath = child(SPEC, 'ports');
  const type = spec.type;
  if (ports.length === 0 && !isHeadless(service) && type !== 'ExternalName') errors.push(required(portsPath));
  const ips = clusterIPsOf(service);
  const firstIPPath = index(child(SPEC, 'clusterIPs'), 0);
  if ((type === 'LoadBalancer' || type === 'NodePort') && isHeadless(service)) {
    errors.push(invalidValue(firstIPPath, 'None', `may not be set to 'None' for ${type} services`));
  }
  if (type === 'ExternalName') {
    if (ips.length > 0) errors.push(forbidden(child(SPEC, 'clusterIPs'), 'may not be set for ExternalName services'));
    if ((spec.ipFamilies ?? []).length > 0) errors.push(forbidden(child(SPEC, 'ipFamilies'), 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy) errors.push(forbidden(child(SPEC, 'ipFamilyPolicy'), 'may not be set for ExternalName services'));
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errors.push(...invalidEach(child(SPEC, 'externalName'), cname, isDNS1123Subdomain(cname)));
    else errors.push(required(child(SPEC, 'externalName')));
  } else {
    ips.forEach((ip, i) => {
      if (ip === 'None') {
        if (i > 0 || ips.length > 1) errors.push(invalidValue(index(child(SPEC, 'clusterIPs'), i), ip, "'None' must be the first and only value"));
      } else if (isIP(ip) === 0) {
        errors.push(invalidValue(index(child(SPEC, 'clusterIPs'), i), ip, IP_ERROR));
      }
    });
    if (spec.clusterIP && spec.clusterIPs && spec.clusterIPs.length > 0 && spec.clusterIPs[0] !== spec.clusterIP) {
      errors.push(invalidValue(child(SPEC, 'clusterIPs'), spec.clusterIPs, 'first value must match `clusterIP`'));
    }
  }
  const names = new Set<string>();
  const seenPorts = new Set<string>();
  const seenNodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const at = index(portsPath, i);
    const name = port.name ?? '';
    if (ports.length > 1 && !name) errors.push(required(child(at, 'name')));
    else if (name) {
      errors.push(...invalidEach(child(at, 'name'), name, isDNS1123Label(name)));
      if (names.has(name)) errors.push(duplicate(child(at, 'name'), name));
      else names.add(name);
    }
    errors.push(...invalidEach(child(at, 'port'), port.port ?? 0, isValidPortNum(port.port ?? 0)));
    errors.push(...validatePortNumOrName(port.targetPort, child(at, 'targetPort')));
    if (port.appProtocol) errors.push(...invalidEach(child(at, 'appProtocol'), port.appProtocol, isQualifiedName(port.appProtocol)));
    if (port.nodePort) {
      if (type === 'ClusterIP') errors.push(forbidden(child(at, 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
      errors.push(...invalidEach(child(at, 'nodePort'), port.nodePort, isValidPortNum(port.nodePort)));
      const nodeKey = `${port.protocol ?? ''}/${port.nodePort}`;
      if (seenNodePorts.has(nodeKey)) errors.push(duplicate(child(at, 'nodePort'), port.nodePort));
      seenNodePorts.add(nodeKey);
    }
    const portKey = `${port.protocol ?? ''}/${port.port ?? 0}`;
    if (seenPorts.has(portKey)) errors.push(duplicate(at, { port: port.port ?? 0, protocol: port.protocol ?? '' }));
    seenPorts.add(portKey);
  });
  errors.push(...validateLabels(spec.selector, child(SPEC, 'selector')));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    if (isIP(ip) === 0) errors.push(invalidValue(index(child(SPEC, 'externalIPs'), i), ip, IP_ERROR));
  });
  (spec.ipFamilies ?? []).forEach((family, i) => {
    if (family !== 'IPv4' && family !== 'IPv6') errors.push(notSupported(index(child(SPEC, 'ipFamilies'), i), family, ['IPv4', 'IPv6']));
  });
  if (spec.externalTrafficPolicy && !externallyAccessible(service)) {
    errors.push(invalidValue(child(SPEC, 'externalTrafficPolicy'), spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  }
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout !== undefined && (timeout <= 0 || timeout > 86400)) {
    errors.push(invalidValue(child(SPEC, 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'), timeout, 'must be greater than 0 and less than 86400'));
  }
  return errors;
}

/** An allocated cluster IP is the service's identity on the network: it may grow a second family, never change. */
export function validateServiceUpdate(service: Service, old: Service): FieldError[] {
  if (service.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  const ips = clusterIPsOf(service);
  const oldIPs = clusterIPsOf(old);
  const errors: FieldError[] = [];
  oldIPs.forEach((ip, i) => {
    if (i < ips.length && ips[i] !== ip) errors.push(invalidValue(index(child(SPEC, 'clusterIPs'), i), ips, 'may not change once set'));
  });
  if (oldIPs.length > 0 && ips.length === 0) errors.push(invalidValue(index(child(SPEC, 'clusterIPs'), 0), ips, 'primary clusterIP can not be unset'));
  return errors;
}

export function validateEndpoints(endpoints: Endpoints): FieldError[] {
  const errors: FieldError[] = [];
  (endpoints.subsets ?? []).forEach((subset, i) => {
    const at = index('subsets', i);
    for (const list of ['addresses', 'notReadyAddresses'] as const) {
      (subset[list] ?? []).forEach((address, j) => {
        const ip = address.ip ?? '';
        if (isIP(ip) === 0) errors.push(invalidValue(child(index(child(at, list), j), 'ip'), ip, IP_ERROR));
      });
    }
    const ports = subset.ports ?? [];
    ports.forEach((port, j) => {
      const portAt = index(child(at, 'ports'), j);
      if (ports.length > 1 && !port.name) errors.push(required(child(portAt, 'name')));
      else if (port.name) errors.push(...invalidEach(child(portAt, 'name'), port.name, isDNS1123Label(port.name)));
      errors.push(...invalidEach(child(portAt, 'port'), port.port ?? 0, isValidPortNum(port.port ?? 0)));
      if (!port.protocol) errors.push(required(child(portAt, 'protocol')));
    });
  });
  return errors;
}

const MAX_ENDPOINT_ADDRESSES = 100;

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errors: FieldError[] = [];
  if (!slice.addressType) errors.push(required('addressType'));
  (slice.endpoints ?? []).forEach((endpoint, i) => {
    const at = index('endpoints', i);
    const addresses = endpoint.addresses ?? [];
    if (addresses.length === 0) errors.push(required(child(at, 'addresses'), 'must contain at least 1 address'));
    else if (addresses.length > MAX_ENDPOINT_ADDRESSES) errors.push(tooMany(child(at, 'addresses'), addresses.length, MAX_ENDPOINT_ADDRESSES));
    addresses.forEach((address, j) => {
      const addressPath = index(child(at, 'addresses'), j);
      if (slice.addressType === 'IPv4' && isIP(address) !== 4) errors.push(invalidValue(addressPath, address, 'must be a valid IPv4 address'));
      if (slice.addressType === 'IPv6' && isIP(address) !== 6) errors.push(invalidValue(addressPath, address, 'must be a valid IPv6 address'));
      if (slice.addressType === 'FQDN') errors.push(...invalidEach(addressPath, address, isDNS1123Subdomain(address.replace(/\.$/, ''))));
    });
    if (endpoint.nodeName) errors.push(...invalidEach(child(at, 'nodeName'), endpoint.nodeName, isDNS1123Subdomain(endpoint.nodeName)));
  });
  const names = new Set<string>();
  (slice.ports ?? []).forEach((port, i) => {
    const at = index('ports', i);
    const name = port.name ?? '';
    if (name) errors.push(...invalidEach(child(at, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) errors.push(duplicate(child(at, 'name'), name));
    names.add(name);
    if (port.port !== undefined) errors.push(...invalidEach(child(at, 'port'), port.port, isValidPortNum(port.port)));
  });
  return errors;
}

export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  return validateImmutable(slice.addressType, old.addressType, 'addressType');
}
