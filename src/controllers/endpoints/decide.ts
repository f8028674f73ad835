/**
 * The Endpoints a Service's pods make, pure (kube-controller-manager's endpoints
 * controller, 1.32): one address per pod that belongs (an IP, not finished, not
 * terminating unless publishNotReadyAddresses), in `addresses` when Ready (or when the
 * Service publishes not-ready addresses) and in `notReadyAddresses` otherwise; ports
 * resolved per pod, and addresses with the same ports packed into one subset, sorted
 * (RepackSubsets). A headless Service without ports still lists its pods. Labels: the
 * Service's, plus service.kubernetes.io/headless on headless Services.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/object.ts';
import { isHeadless, serviceSpec } from '../../net/service-allocation-rules.ts';
import {
  belongsInEndpoints,
  compareIPs,
  hostnameFor,
  isPodReady,
  nodeNameOf,
  podIP,
  portsFor,
  portsSignature,
  publishesNotReady,
  selectsPod,
  targetRef,
  type ResolvedPort,
} from './pod-endpoints.ts';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: Record<string, string>;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: ResolvedPort[];
}

export function desiredSubsets(service: KubeObject, pods: readonly KubeObject[]): EndpointSubset[] {
  const publishNotReady = publishesNotReady(service);
  const noPorts = (serviceSpec(service).ports ?? []).length === 0;
  const groups = new Map<string, { ports: ResolvedPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!selectsPod(service, pod) || !belongsInEndpoints(pod, false, publishNotReady)) continue;
    const ports = portsFor(pod, service);
    if (ports.length === 0 && !(noPorts && isHeadless(service))) continue;
    const hostname = hostnameFor(pod, service);
    const nodeName = nodeNameOf(pod);
    const address: EndpointAddress = { ip: podIP(pod)!, ...(hostname ? { hostname } : {}), ...(nodeName ? { nodeName } : {}), targetRef: targetRef(pod) };
    const signature = portsSignature(ports);
    const group = groups.get(signature) ?? { ports, ready: [], notReady: [] };
    groups.set(signature, group);
    (publishNotReady || isPodReady(pod) ? group.ready : group.notReady).push(address);
  }
  const byAddress = (a: EndpointAddress, b: EndpointAddress) => compareIPs(a.ip, b.ip) || (a.targetRef.uid ?? '').localeCompare(b.targetRef.uid ?? '');
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.ready.length > 0 ? { addresses: g.ready.sort(byAddress) } : {}),
      ...(g.notReady.length > 0 ? { notReadyAddresses: g.notReady.sort(byAddress) } : {}),
      ...(g.ports.length > 0 ? { ports: [...g.ports].sort((a, b) => a.name.localeCompare(b.name) || a.port - b.port) } : {}),
    }));
}

export function desiredLabels(service: KubeObject): Record<string, string> {
  return { ...(service.metadata.labels ?? {}), ...(isHeadless(service) ? { [HEADLESS_LABEL]: '' } : {}) };
}

export type EndpointsAction =
  | { type: 'none' }
  | { type: 'create'; endpoints: KubeObject }
  | { type: 'update'; endpoints: KubeObject }
  | { type: 'delete'; name: string; uid?: string };

/** What to write for one Service key, given the Service (undefined when gone), its namespace's pods and the current Endpoints. */
export function decideEndpoints(service: KubeObject | undefined, pods: readonly KubeObject[], current: KubeObject | undefined): EndpointsAction {
  if (!service) return current ? { type: 'delete', name: current.metadata.name!, ...(current.metadata.uid ? { uid: current.metadata.uid } : {}) } : { type: 'none' };
  // A Service without a selector has its Endpoints written by someone else.
  if (!serviceSpec(service).selector || Object.keys(serviceSpec(service).selector ?? {}).length === 0) return { type: 'none' };
  if (serviceSpec(service).type === 'ExternalName') return { type: 'none' };
  const subsets = desiredSubsets(service, pods);
  const labels = desiredLabels(service);
  if (!current) {
    return {
      type: 'create',
      endpoints: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: service.metadata.name, namespace: service.metadata.namespace, labels }, subsets },
    };
  }
  const same = isDeepStrictEqual(current.subsets ?? [], subsets) && isDeepStrictEqual(current.metadata.labels ?? {}, labels);
  if (same) return { type: 'none' };
  return { type: 'update', endpoints: { ...current, metadata: { ...current.metadata, labels }, subsets } };
}
