/**
 * What the Endpoints and EndpointSlice controllers both read off a Service and its pods,
 * pure (Kubernetes' endpointutil and podutil): which pods a Service selects, whether a
 * pod is ready, serving or terminating, whether it belongs in the endpoints at all, its
 * hostname under a headless Service, and a port resolved for it (a named targetPort is
 * looked up in that pod's containers, so two pods may serve one name on two numbers).
 */
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import { podCondition } from '../../api/pod-conditions.ts';
import { matchesLabels, selectorFromSet } from '../../api/selectors.ts';
import { serviceSpec, type ServicePortSpec } from '../../net/service-allocation-rules.ts';

export interface ResolvedPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export function serviceSelector(service: KubeObject): Record<string, string> | undefined {
  const selector = serviceSpec(service).selector;
  return selector && Object.keys(selector).length > 0 ? selector : undefined;
}

export function selectsPod(service: KubeObject, pod: KubeObject): boolean {
  const selector = serviceSelector(service);
  return !!selector && service.metadata.namespace === pod.metadata.namespace && matchesLabels(selectorFromSet(selector), pod.metadata.labels);
}

export function podIP(pod: KubeObject): string | undefined {
  const ip = (pod.status as { podIP?: unknown } | undefined)?.podIP;
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

export function isPodReady(pod: KubeObject): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

export function isTerminating(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp;
}

function phase(pod: KubeObject): string | undefined {
  return (pod.status as { phase?: string } | undefined)?.phase;
}

export function publishesNotReady(service: KubeObject): boolean {
  return (service.spec as { publishNotReadyAddresses?: boolean } | undefined)?.publishNotReadyAddresses === true;
}

/** ShouldPodBeInEndpoints: an address, not finished; terminating only when includeTerminating (slices) or publishNotReadyAddresses. */
export function belongsInEndpoints(pod: KubeObject, includeTerminating: boolean, publishNotReady: boolean): boolean {
  if (!podIP(pod)) return false;
  const p = phase(pod);
  if (p === 'Succeeded' || p === 'Failed') return false;
  if (isTerminating(pod) && !includeTerminating && !publishNotReady) return false;
  return true;
}

/** The pod's hostname under this Service: only when the pod names it as its subdomain. */
export function hostnameFor(pod: KubeObject, service: KubeObject): string | undefined {
  const spec = isPlainObject(pod.spec) ? (pod.spec as { hostname?: string; subdomain?: string }) : {};
  return spec.hostname && spec.subdomain === service.metadata.name ? spec.hostname : undefined;
}

interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

/** FindPort: a number as it is; a name through the pod's containers' ports of that protocol; undefined when the pod has none. */
export function resolveTargetPort(pod: KubeObject, servicePort: ServicePortSpec): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  const containers = ((pod.spec as { containers?: Array<{ ports?: ContainerPort[] }> } | undefined)?.containers ?? []);
  for (const container of containers) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

/** The Service's ports as this pod serves them (ports the pod cannot resolve are left out). */
export function portsFor(pod: KubeObject, service: KubeObject): ResolvedPort[] {
  const ports: ResolvedPort[] = [];
  for (const servicePort of serviceSpec(service).ports ?? []) {
    const port = resolveTargetPort(pod, servicePort);
    if (port === undefined) continue;
    ports.push({
      name: servicePort.name ?? '',
      port,
      protocol: servicePort.protocol ?? 'TCP',
      ...((servicePort as { appProtocol?: string }).appProtocol ? { appProtocol: (servicePort as { appProtocol?: string }).appProtocol } : {}),
    });
  }
  return ports;
}

export function targetRef(pod: KubeObject): Record<string, string> {
  return { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}

export function nodeNameOf(pod: KubeObject): string | undefined {
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  return nodeName || undefined;
}

export function portsSignature(ports: readonly ResolvedPort[]): string {
  return JSON.stringify(ports.map((p) => [p.name, p.port, p.protocol, p.appProtocol ?? '']));
}

export function compareIPs(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return a < b ? -1 : a > b ? 1 : 0;
}
