/**
 * The EndpointSlices a Service's pods make, pure (kube-controller-manager's
 * endpointslice controller, 1.32): one endpoint per pod with an address that has not
 * finished, terminating ones included, with conditions ready (Ready and not
 * terminating, or always under publishNotReadyAddresses), serving (Ready) and
 * terminating; hostname under a headless Service whose name is the pod's subdomain.
 * Endpoints with the same resolved ports share slices of at most maxEndpoints (100).
 * Slices are labeled kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by,
 * owned by the Service (the garbage collector removes them with it), and reconciled with
 * as little churn as the simple rule allows: existing slices of a port set are reused in
 * name order, extra ones deleted, missing ones created with generateName `<service>-`.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/object.ts';
import { newControllerRef } from '../runtime/owner.ts';
import { isHeadless, serviceSpec } from '../../net/service-allocation-rules.ts';
import {
  belongsInEndpoints,
  compareIPs,
  hostnameFor,
  isPodReady,
  isTerminating,
  nodeNameOf,
  podIP,
  portsFor,
  portsSignature,
  publishesNotReady,
  selectsPod,
  targetRef,
  type ResolvedPort,
} from '../endpoints/pod-endpoints.ts';
import { HEADLESS_LABEL } from '../endpoints/decide.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef: Record<string, string>;
}

export interface DesiredSlice {
  ports: ResolvedPort[];
  endpoints: SliceEndpoint[];
}

export function endpointFor(pod: KubeObject, service: KubeObject): SliceEndpoint {
  const ready = isPodReady(pod);
  const terminating = isTerminating(pod);
  const hostname = hostnameFor(pod, service);
  const nodeName = nodeNameOf(pod);
  return {
    addresses: [podIP(pod)!],
    conditions: { ready: publishesNotReady(service) || (ready && !terminating), serving: ready, terminating },
    ...(hostname ? { hostname } : {}),
    ...(nodeName ? { nodeName } : {}),
    targetRef: targetRef(pod),
  };
}

/** The slices' contents, grouped by port set and cut into pieces of maxEndpoints. */
export function desiredSlices(service: KubeObject, pods: readonly KubeObject[], maxEndpoints = MAX_ENDPOINTS_PER_SLICE): DesiredSlice[] {
  const noPorts = (serviceSpec(service).ports ?? []).length === 0;
  const groups = new Map<string, DesiredSlice>();
  for (const pod of pods) {
    if (!selectsPod(service, pod) || !belongsInEndpoints(pod, true, publishesNotReady(service))) continue;
    const ports = portsFor(pod, service);
    if (ports.length === 0 && !(noPorts && isHeadless(service))) continue;
    const signature = portsSignature(ports);
    const group = groups.get(signature) ?? { ports, endpoints: [] };
    groups.set(signature, group);
    group.endpoints.push(endpointFor(pod, service));
  }
  const slices: DesiredSlice[] = [];
  for (const [, group] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    group.endpoints.sort((a, b) => compareIPs(a.addresses[0]!, b.addresses[0]!) || (a.targetRef.uid ?? '').localeCompare(b.targetRef.uid ?? ''));
    for (let i = 0; i < group.endpoints.length; i += maxEndpoints) slices.push({ ports: group.ports, endpoints: group.endpoints.slice(i, i + maxEndpoints) });
  }
  // A Service with no endpoints still gets one (empty) slice, as Kubernetes keeps a placeholder.
  if (slices.length === 0) slices.push({ ports: [], endpoints: [] });
  return slices;
}

export function sliceLabels(service: KubeObject): Record<string, string> {
  return {
    ...(service.metadata.labels ?? {}),
    ...(isHeadless(service) ? { [HEADLESS_LABEL]: '' } : {}),
    [SERVICE_NAME_LABEL]: service.metadata.name!,
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}

export type SliceAction = { type: 'create'; slice: KubeObject } | { type: 'update'; slice: KubeObject } | { type: 'delete'; name: string; uid: string };

/** The writes that turn `current` (the slices this controller manages for the Service) into the desired set. */
export function decideSlices(service: KubeObject | undefined, pods: readonly KubeObject[], current: readonly KubeObject[], maxEndpoints = MAX_ENDPOINTS_PER_SLICE): SliceAction[] {
  const deleteAll = () => current.map((s): SliceAction => ({ type: 'delete', name: s.metadata.name!, uid: s.metadata.uid! }));
  if (!service || !serviceSpec(service).selector || Object.keys(serviceSpec(service).selector ?? {}).length === 0 || serviceSpec(service).type === 'ExternalName') {
    return service ? deleteAll() : [];
  }
  const labels = sliceLabels(service);
  const ownerRef = newControllerRef(service);
  const unused = [...current].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const actions: SliceAction[] = [];
  const desired = desiredSlices(service, pods, maxEndpoints);
  const pending: DesiredSlice[] = [];
  // First pass: a slice whose port set matches is reused.
  for (const slice of desired) {
    const at = unused.findIndex((s) => portsSignature((s.ports as ResolvedPort[] | undefined) ?? []) === portsSignature(slice.ports));
    if (at < 0) {
      pending.push(slice);
      continue;
    }
    const [existing] = unused.splice(at, 1);
    const next = { ...existing!, metadata: { ...existing!.metadata, labels }, addressType: 'IPv4', endpoints: slice.endpoints, ports: slice.ports };
    const same = isDeepStrictEqual(existing!.endpoints ?? [], slice.endpoints) && isDeepStrictEqual(existing!.ports ?? [], slice.ports) && isDeepStrictEqual(existing!.metadata.labels ?? {}, labels);
    if (!same) actions.push({ type: 'update', slice: next });
  }
  for (const slice of pending) {
    const existing = unused.shift();
    if (existing) {
      actions.push({ type: 'update', slice: { ...existing, metadata: { ...existing.metadata, labels }, addressType: 'IPv4', endpoints: slice.endpoints, ports: slice.ports } });
      continue;
    }
    actions.push({
      type: 'create',
      slice: {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${service.metadata.name}-`, namespace: service.metadata.namespace, labels, ownerReferences: [ownerRef] },
        addressType: 'IPv4',
        endpoints: slice.endpoints,
        ports: slice.ports,
      },
    });
  }
  for (const extra of unused) actions.push({ type: 'delete', name: extra.metadata.name!, uid: extra.metadata.uid! });
  return actions;
}
