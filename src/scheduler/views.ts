/**
 * The parts of Pod and Node objects the scheduler reads, as typed views over plain
 * KubeObjects (the objects stay plain JSON; these only name the fields), and the few
 * questions every plugin asks of them: is the pod ours, is it terminal, is it bound.
 */
import type { KubeObject } from '../api/object.ts';
import type { LabelSelector } from '../api/selectors.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export type Quantities = Record<string, string | number>;

export interface ContainerPortView {
  containerPort?: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

export interface ContainerView {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: Quantities; limits?: Quantities };
  ports?: ContainerPortView[];
}

export interface TolerationView {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface TaintView {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeSelectorRequirementView {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTermView {
  matchExpressions?: NodeSelectorRequirementView[];
  matchFields?: NodeSelectorRequirementView[];
}

export interface PodAffinityTermView {
  labelSelector?: LabelSelector | null;
  namespaces?: string[];
  namespaceSelector?: LabelSelector | null;
  topologyKey: string;
}

export interface TopologySpreadConstraintView {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelector | null;
  minDomains?: number;
}

export interface AffinityView {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTermView[] };
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference?: NodeSelectorTermView }[];
  };
  podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTermView[] };
  podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTermView[] };
}

export interface PodSpecView {
  nodeName?: string;
  schedulerName?: string;
  priority?: number;
  preemptionPolicy?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: TolerationView[];
  affinity?: AffinityView;
  topologySpreadConstraints?: TopologySpreadConstraintView[];
  containers?: ContainerView[];
  initContainers?: ContainerView[];
  overhead?: Quantities;
}

export interface NodeSpecView {
  unschedulable?: boolean;
  taints?: TaintView[];
}

export const podSpec = (pod: KubeObject): PodSpecView => (pod.spec ?? {}) as PodSpecView;
export const nodeSpec = (node: KubeObject): NodeSpecView => (node.spec ?? {}) as NodeSpecView;
export const podPhase = (pod: KubeObject): string | undefined => (pod.status as { phase?: string } | undefined)?.phase;
export const nodeAllocatable = (node: KubeObject): Quantities =>
  ((node.status as { allocatable?: Quantities; capacity?: Quantities } | undefined)?.allocatable ??
    (node.status as { capacity?: Quantities } | undefined)?.capacity ??
    {}) as Quantities;

export const podKey = (pod: KubeObject): string => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
export const isAssigned = (pod: KubeObject): boolean => !!podSpec(pod).nodeName;
export const isTerminal = (pod: KubeObject): boolean => podPhase(pod) === 'Succeeded' || podPhase(pod) === 'Failed';
export const podPriority = (pod: KubeObject): number => podSpec(pod).priority ?? 0;

/** A pending pod this scheduler must place (kube-scheduler's responsibleForPod + unassigned, not terminating). */
export function isPendingFor(pod: KubeObject, schedulerName = DEFAULT_SCHEDULER_NAME): boolean {
  const name = podSpec(pod).schedulerName;
  const ours = name === undefined || name === '' ? schedulerName === DEFAULT_SCHEDULER_NAME : name === schedulerName;
  return ours && !isAssigned(pod) && !pod.metadata.deletionTimestamp && !isTerminal(pod);
}
