/**
 * Which ClusterIP and NodePorts a Service holds and needs, pure (Kubernetes'
 * pkg/registry/core/service: needsClusterIP, needsNodePort, patchAllocatedValues,
 * dropTypeDependentFields):
 * - ClusterIP, NodePort and LoadBalancer Services get a ClusterIP unless headless
 *   (`None`); ExternalName gets none.
 * - NodePort Services, and LoadBalancer ones unless allocateLoadBalancerNodePorts is
 *   false, get a nodePort per port.
 * - An update that leaves out an allocated value keeps it (a PUT of the manifest without
 *   clusterIP or nodePort); a type change that no longer needs a value drops it, so
 *   `type: ClusterIP` after `NodePort` gives the ports back.
 */
import { isPlainObject, type KubeObject } from '../api/object.ts';

export interface ServicePortSpec {
  name?: string;
  protocol?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: ServicePortSpec[];
  allocateLoadBalancerNodePorts?: boolean;
  healthCheckNodePort?: number;
  selector?: Record<string, string>;
}

export function serviceSpec(service: KubeObject | undefined): ServiceSpec {
  return service && isPlainObject(service.spec) ? (service.spec as ServiceSpec) : {};
}

export function needsClusterIP(service: KubeObject): boolean {
  const type = serviceSpec(service).type ?? 'ClusterIP';
  return type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer';
}

export function needsNodePorts(service: KubeObject): boolean {
  const spec = serviceSpec(service);
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

export function isHeadless(service: KubeObject): boolean {
  return serviceSpec(service).clusterIP === 'None';
}

/** The addresses and ports a Service holds as written (what its allocation records must cover). */
export function heldBy(service: KubeObject): { ips: string[]; nodePorts: number[] } {
  const spec = serviceSpec(service);
  const ips = needsClusterIP(service) ? (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None') : [];
  const nodePorts = new Set<number>();
  for (const port of spec.ports ?? []) if (typeof port.nodePort === 'number' && port.nodePort > 0) nodePorts.add(port.nodePort);
  if (typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort > 0) nodePorts.add(spec.healthCheckNodePort);
  return { ips, nodePorts: [...nodePorts] };
}

/** The values of `after` that must be allocated: a ClusterIP (requested or any) and node ports (requested or any), per port index. */
export interface AllocationWants {
  clusterIP?: { requested?: string };
  nodePorts: Array<{ portIndex: number; requested?: number }>;
}

export function allocationWants(after: KubeObject, before?: KubeObject): AllocationWants {
  const held = before ? heldBy(before) : { ips: [], nodePorts: [] };
  const spec = serviceSpec(after);
  const wants: AllocationWants = { nodePorts: [] };
  if (needsClusterIP(after) && !isHeadless(after)) {
    const requested = spec.clusterIPs?.[0] ?? spec.clusterIP;
    if (!requested) wants.clusterIP = {};
    else if (!held.ips.includes(requested)) wants.clusterIP = { requested };
  }
  if (needsNodePorts(after)) {
    (spec.ports ?? []).forEach((port, portIndex) => {
      if (typeof port.nodePort !== 'number' || port.nodePort === 0) wants.nodePorts.push({ portIndex });
      else if (!held.nodePorts.includes(port.nodePort)) wants.nodePorts.push({ portIndex, requested: port.nodePort });
    });
  }
  return wants;
}

/** `after` with the allocated values written in: clusterIP/clusterIPs and the ports' nodePorts. */
export function withAllocations(after: KubeObject, clusterIP: string | undefined, nodePorts: ReadonlyMap<number, number>): KubeObject {
  const spec = serviceSpec(after);
  const next: ServiceSpec = { ...spec };
  if (clusterIP) {
    next.clusterIP = clusterIP;
    next.clusterIPs = [clusterIP];
  }
  if (isHeadless(after)) next.clusterIPs = ['None'];
  if (nodePorts.size > 0) next.ports = (spec.ports ?? []).map((port, i) => (nodePorts.has(i) ? { ...port, nodePort: nodePorts.get(i)! } : port));
  if (needsClusterIP(after)) {
    next.ipFamilies ??= ['IPv4'];
    next.ipFamilyPolicy ??= 'SingleStack';
  }
  return { ...after, spec: next as Record<string, unknown> };
}

/**
 * patchAllocatedValues then dropTypeDependentFields: an update keeps what was allocated
 * unless the user changed it, and drops what the new type no longer needs (when the user
 * left it as it was).
 */
export function carryAllocatedValues(before: KubeObject, after: KubeObject): KubeObject {
  const old = serviceSpec(before);
  const spec: ServiceSpec = { ...serviceSpec(after) };
  if (needsClusterIP(before) && needsClusterIP(after)) {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if ((!spec.clusterIPs || spec.clusterIPs.length === 0) && old.clusterIPs) spec.clusterIPs = old.clusterIPs;
  }
  if (needsNodePorts(before) && needsNodePorts(after) && spec.ports) {
    spec.ports = spec.ports.map((port) => {
      if (port.nodePort) return port;
      const same = (old.ports ?? []).find((o) => o.port === port.port && (o.protocol ?? 'TCP') === (port.protocol ?? 'TCP') && o.nodePort);
      return same ? { ...port, nodePort: same.nodePort } : port;
    });
  }
  if (needsClusterIP(before) && !needsClusterIP(after)) {
    if (spec.clusterIP === old.clusterIP) delete spec.clusterIP;
    if (JSON.stringify(spec.clusterIPs) === JSON.stringify(old.clusterIPs)) delete spec.clusterIPs;
    if (spec.type === 'ExternalName') {
      delete spec.ipFamilies;
      delete spec.ipFamilyPolicy;
    }
  }
  if (needsNodePorts(before) && !needsNodePorts(after) && spec.ports) {
    spec.ports = spec.ports.map((port) => {
      const same = (old.ports ?? []).find((o) => o.port === port.port && (o.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
      if (!port.nodePort || !same || same.nodePort !== port.nodePort) return port;
      const { nodePort: _dropped, ...rest } = port;
      return rest;
    });
  }
  const accessible = (o: KubeObject) => {
    const t = serviceSpec(o).type;
    return t === 'NodePort' || t === 'LoadBalancer' || (t === 'ClusterIP' && ((serviceSpec(o) as { externalIPs?: string[] }).externalIPs ?? []).length > 0);
  };
  const etp = (o: ServiceSpec) => (o as { externalTrafficPolicy?: string }).externalTrafficPolicy;
  if (accessible(before) && !accessible(after) && etp(spec) === etp(old)) delete (spec as { externalTrafficPolicy?: string }).externalTrafficPolicy;
  return { ...after, spec: spec as Record<string, unknown> };
}
