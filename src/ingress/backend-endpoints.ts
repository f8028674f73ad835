/**
 * A Service backend resolved to the addresses traffic goes to, as ingress-nginx does it:
 * straight to the ready endpoints of the Service's EndpointSlices, not through its
 * ClusterIP, so the proxy balances itself and sees an endpoint go away at once. The
 * backend names a Service port by number (`port`) or by name; the EndpointSlice port of
 * the same name (the EndpointSlice controller names slice ports after Service ports)
 * gives the target port; a slice without ports stands for all of them, at a numeric
 * targetPort. An endpoint counts when
 * `conditions.ready` is not false (absent means ready, per the API). An ExternalName
 * Service resolves to its DNS name on the Service port. Pure.
 */
import type { KubeObject } from '../api/object.ts';
import type { EndpointSlice, IngressBackend, Service, ServicePort } from '../api/types.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface Endpoint {
  address: string;
  port: number;
}

export interface ResolvedBackend {
  /** `namespace/service:port`, the balancer's key. */
  id: string;
  namespace: string;
  service: string;
  endpoints: Endpoint[];
  /** Why there are no endpoints, for logs and the 503 page. */
  problem?: string;
}

/** Services by `ns/name`, EndpointSlices by `ns/service-name`. */
export interface ServiceIndex {
  services: ReadonlyMap<string, KubeObject>;
  slicesByService: ReadonlyMap<string, readonly KubeObject[]>;
}

export function indexServices(services: readonly KubeObject[], slices: readonly KubeObject[]): ServiceIndex {
  const byKey = new Map<string, KubeObject>();
  for (const service of services) byKey.set(`${service.metadata.namespace}/${service.metadata.name}`, service);
  const slicesByService = new Map<string, KubeObject[]>();
  for (const slice of slices) {
    const owner = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!owner) continue;
    const key = `${slice.metadata.namespace}/${owner}`;
    const list = slicesByService.get(key);
    if (list) list.push(slice);
    else slicesByService.set(key, [slice]);
  }
  return { services: byKey, slicesByService };
}

function findServicePort(service: Service, port: { name?: string; number?: number }): ServicePort | undefined {
  const ports = service.spec?.ports ?? [];
  if (port.number) return ports.find((p) => p.port === port.number);
  if (port.name) return ports.find((p) => (p.name ?? '') === port.name);
  return undefined;
}

/** The slice's port for the Service port; a slice listing no ports serves all of them (the API's reading), at the numeric targetPort. */
function slicePort(slice: EndpointSlice, servicePort: ServicePort): number | undefined {
  const protocol = servicePort.protocol ?? 'TCP';
  const ports = slice.ports ?? [];
  if (ports.length > 0) return ports.find((p) => (p.name ?? '') === (servicePort.name ?? '') && (p.protocol ?? 'TCP') === protocol)?.port;
  return typeof servicePort.targetPort === 'number' ? servicePort.targetPort : servicePort.targetPort === undefined ? servicePort.port : undefined;
}

export function resolveBackend(namespace: string, backend: IngressBackend, index: ServiceIndex): ResolvedBackend | undefined {
  const ref = backend.service;
  if (!ref?.name) return undefined;
  const portLabel = ref.port?.number ? String(ref.port.number) : (ref.port?.name ?? '');
  const base = { id: `${namespace}/${ref.name}:${portLabel}`, namespace, service: ref.name };
  const service = index.services.get(`${namespace}/${ref.name}`) as Service | undefined;
  if (!service) return { ...base, endpoints: [], problem: `service ${namespace}/${ref.name} not found` };
  const servicePort = findServicePort(service, ref.port ?? {});
  if (!servicePort) return { ...base, endpoints: [], problem: `service ${namespace}/${ref.name} has no port ${portLabel}` };
  if (service.spec?.type === 'ExternalName') {
    const name = service.spec.externalName?.replace(/\.$/, '');
    return name ? { ...base, endpoints: [{ address: name, port: servicePort.port ?? 80 }] } : { ...base, endpoints: [], problem: 'no externalName' };
  }
  const endpoints: Endpoint[] = [];
  const seen = new Set<string>();
  for (const slice of (index.slicesByService.get(`${namespace}/${ref.name}`) ?? []) as EndpointSlice[]) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = slicePort(slice, servicePort);
    if (!port) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      const address = endpoint.addresses?.[0];
      if (!address || seen.has(`${address}:${port}`)) continue;
      seen.add(`${address}:${port}`);
      endpoints.push({ address, port });
    }
  }
  endpoints.sort((a, b) => (a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1));
  return endpoints.length > 0 ? { ...base, endpoints } : { ...base, endpoints, problem: `service ${namespace}/${ref.name} has no ready endpoints` };
}
