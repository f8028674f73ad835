/**
 * What kube-proxy should be listening on, pure: Services and EndpointSlices in, the
 * listener set out. Each Service port is one balancing group (ServicePortPlan: its ready
 * backends and session affinity), reachable through frontends: ClusterIP:port, each
 * externalIP:port, and for NodePort and LoadBalancer Services nodePort on every node
 * address. ClusterIP, NodePort and externalIP frontends of one Service port share their
 * group, as they share one KUBE-SVC chain in iptables mode, so ClientIP affinity holds
 * whichever way a client comes in. A frontend with no ready backend is still listed: it
 * refuses connections rather than leaving them to hang. Headless and ExternalName
 * Services, Services labelled service.kubernetes.io/service-proxy-name (another proxy's)
 * and SCTP ports get nothing. Re-running it over a recorded log gives the same plan.
 */
import type { KubeObject } from '../api/object.ts';
import type { Service } from '../api/types.ts';
import { backendsFor, slicesByService, type Backend, type Protocol } from './endpoints.ts';

export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

export type FrontendKind = 'ClusterIP' | 'NodePort' | 'ExternalIP';

export interface ServiceRef {
  namespace: string;
  name: string;
  uid?: string;
}

export interface ServicePortPlan {
  /** `namespace/name:portName/protocol`, the balancing group's identity. */
  key: string;
  service: ServiceRef;
  portName: string;
  protocol: Protocol;
  backends: Backend[];
  /** ClientIP session affinity, when the Service asks for it. */
  affinityTimeoutMs?: number;
}

export interface FrontendPlan {
  /** `protocol/ip:port`: two frontends with one key would be one socket. */
  key: string;
  protocol: Protocol;
  ip: string;
  port: number;
  kind: FrontendKind;
  servicePortKey: string;
}

export interface ProxyPlan {
  servicePorts: ServicePortPlan[];
  frontends: FrontendPlan[];
}

export interface PlanOptions {
  /** Where NodePorts listen: the node addresses (127.0.0.1 and any --node-ip), or 0.0.0.0. */
  nodePortAddresses: readonly string[];
}

export const frontendKey = (protocol: Protocol, ip: string, port: number) => `${protocol}/${ip}:${port}`;

const proxiedProtocol = (protocol: string | undefined): Protocol | undefined =>
  protocol === undefined || protocol === 'TCP' ? 'TCP' : protocol === 'UDP' ? 'UDP' : undefined;

const isIPv4 = (ip: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);

function clusterIPsOf(service: Service): string[] {
  const spec = service.spec ?? {};
  const ips = spec.clusterIPs && spec.clusterIPs.length > 0 ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter(isIPv4);
}

function isProxied(service: Service): boolean {
  if (service.metadata?.labels?.[SERVICE_PROXY_NAME_LABEL] !== undefined) return false;
  const spec = service.spec ?? {};
  return spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
}

export function desiredProxyState(services: readonly KubeObject[], slices: readonly KubeObject[], options: PlanOptions): ProxyPlan {
  const slicesOf = slicesByService(slices.filter((s) => s.metadata.labels?.[SERVICE_PROXY_NAME_LABEL] === undefined));
  const servicePorts: ServicePortPlan[] = [];
  const frontends = new Map<string, FrontendPlan>();
  const ordered = [...services].sort((a, b) => serviceId(a).localeCompare(serviceId(b)));
  for (const object of ordered) {
    const service = object as unknown as Service;
    if (!isProxied(service)) continue;
    const spec = service.spec ?? {};
    const ref: ServiceRef = { namespace: object.metadata.namespace ?? '', name: object.metadata.name ?? '', ...(object.metadata.uid ? { uid: object.metadata.uid } : {}) };
    const slicesForService = slicesOf.get(`${ref.namespace}/${ref.name}`) ?? [];
    const affinityTimeoutMs =
      spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS) * 1000 : undefined;
    const exposesNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    for (const port of spec.ports ?? []) {
      const protocol = proxiedProtocol(port.protocol);
      if (!protocol || port.port === undefined) continue;
      const portName = port.name ?? '';
      const key = `${ref.namespace}/${ref.name}:${portName}/${protocol}`;
      servicePorts.push({
        key,
        service: ref,
        portName,
        protocol,
        backends: backendsFor({ name: portName, protocol }, slicesForService),
        ...(affinityTimeoutMs !== undefined ? { affinityTimeoutMs } : {}),
      });
      const add = (kind: FrontendKind, ip: string, listenPort: number) => {
        const fk = frontendKey(protocol, ip, listenPort);
        if (!frontends.has(fk)) frontends.set(fk, { key: fk, protocol, ip, port: listenPort, kind, servicePortKey: key });
      };
      for (const ip of clusterIPsOf(service)) add('ClusterIP', ip, port.port);
      for (const ip of (spec.externalIPs ?? []).filter(isIPv4)) add('ExternalIP', ip, port.port);
      if (exposesNodePorts && port.nodePort) for (const ip of options.nodePortAddresses) add('NodePort', ip, port.nodePort);
    }
  }
  return { servicePorts, frontends: [...frontends.values()] };
}

function serviceId(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}
