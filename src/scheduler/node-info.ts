/**
 * NodeInfo: one node and what is placed on it (bound and assumed pods), with the sums the
 * filters and scores read: requested resources (plain and with the scoring defaults),
 * host ports in use, and how many pods carry required anti-affinity. PodInfo is a pod with
 * its requests parsed once, so scheduling a pod never re-parses the pods already placed.
 */
import type { KubeObject } from '../api/object.ts';
import { addInto, CPU, MEMORY, podRequests, PODS, toResourceList, type ResourceList } from './resources.ts';
import { nodeAllocatable, nodeSpec, podKey, podPriority, podSpec, type PodAffinityTermView, type TaintView } from './views.ts';

export interface HostPort {
  hostIP: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  key: string;
  pod: KubeObject;
  priority: number;
  requests: ResourceList;
  nonZeroCpu: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  requiredAffinity: PodAffinityTermView[];
  requiredAntiAffinity: PodAffinityTermView[];
}

export function newPodInfo(pod: KubeObject): PodInfo {
  const spec = podSpec(pod);
  const nonZero = podRequests(spec, true);
  return {
    key: podKey(pod),
    pod,
    priority: podPriority(pod),
    requests: podRequests(spec),
    nonZeroCpu: nonZero.get(CPU) ?? 0,
    nonZeroMemory: nonZero.get(MEMORY) ?? 0,
    hostPorts: hostPortsOf(pod),
    requiredAffinity: spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    requiredAntiAffinity: spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
  };
}

/** The host ports a pod's containers ask for (init containers hold none for the pod's life). */
export function hostPortsOf(pod: KubeObject): HostPort[] {
  const ports: HostPort[] = [];
  for (const c of podSpec(pod).containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      ports.push({ hostIP: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return ports;
}

export class NodeInfo {
  node?: KubeObject;
  labels: Record<string, string> = {};
  taints: TaintView[] = [];
  unschedulable = false;
  allocatable: ResourceList = new Map();
  readonly pods = new Map<string, PodInfo>();
  readonly requested: ResourceList = new Map();
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  readonly usedPorts: HostPort[] = [];
  podsWithRequiredAntiAffinity = 0;
  podsWithAffinity = 0;

  constructor(readonly name: string) {}

  setNode(node: KubeObject): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    const spec = nodeSpec(node);
    this.taints = spec.taints ?? [];
    this.unschedulable = spec.unschedulable === true;
    this.allocatable = toResourceList(nodeAllocatable(node));
  }

  /** How many pods the node takes (allocatable "pods"); a node that does not say takes none. */
  get allowedPods(): number {
    return this.allocatable.get(PODS) ?? 0;
  }

  addPod(info: PodInfo): void {
    if (this.pods.has(info.key)) this.removePod(info.key);
    this.pods.set(info.key, info);
    addInto(this.requested, info.requests);
    this.nonZeroCpu += info.nonZeroCpu;
    this.nonZeroMemory += info.nonZeroMemory;
    this.usedPorts.push(...info.hostPorts);
    if (info.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity++;
    if (info.requiredAffinity.length > 0 || info.requiredAntiAffinity.length > 0) this.podsWithAffinity++;
  }

  removePod(key: string): PodInfo | undefined {
    const info = this.pods.get(key);
    if (!info) return undefined;
    this.pods.delete(key);
    addInto(this.requested, info.requests, -1);
    this.nonZeroCpu -= info.nonZeroCpu;
    this.nonZeroMemory -= info.nonZeroMemory;
    for (const port of info.hostPorts) {
      const at = this.usedPorts.findIndex((p) => p.hostIP === port.hostIP && p.protocol === port.protocol && p.port === port.port);
      if (at >= 0) this.usedPorts.splice(at, 1);
    }
    if (info.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity--;
    if (info.requiredAffinity.length > 0 || info.requiredAntiAffinity.length > 0) this.podsWithAffinity--;
    return info;
  }

  /** A copy holding only the pods kept by the predicate (preemption's what-if). */
  withPodsWhere(keep: (info: PodInfo) => boolean): NodeInfo {
    const copy = new NodeInfo(this.name);
    if (this.node) copy.setNode(this.node);
    for (const info of this.pods.values()) if (keep(info)) copy.addPod(info);
    return copy;
  }
}
