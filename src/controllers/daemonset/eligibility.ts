/**
 * Which nodes a DaemonSet's pod belongs on, and the pod it gets there (Kubernetes'
 * NodeShouldRunDaemonPod, AddOrUpdateDaemonPodTolerations and
 * ReplaceDaemonSetPodNodeNameNodeAffinity): the pod must fit the node's name,
 * nodeSelector and required node affinity, and tolerate its NoSchedule and NoExecute
 * taints with the tolerations every daemon pod gets (not-ready and unreachable
 * NoExecute without tolerationSeconds, the pressure and unschedulable taints NoSchedule,
 * network-unavailable too for a hostNetwork pod). A pod already there keeps running
 * through untolerated NoSchedule taints, not NoExecute ones. Each pod is pinned to its
 * node by a required node affinity term on metadata.name; the scheduler binds it. Pure.
 */
import type { KubeObject } from '../../api/object.ts';
import { nodeTaints, toleratesTaint, type Taint, type Toleration } from '../node-lifecycle/taints.ts';
import {
  TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_NOT_READY, TAINT_PID_PRESSURE, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE,
} from '../node-lifecycle/taints.ts';
import { requirementMatches } from '../../scheduler/plugins/node-affinity.ts';
import type { NodeSelectorRequirementView, NodeSelectorTermView } from '../../scheduler/views.ts';
import { newControllerRef } from '../runtime/owner.ts';

export interface DaemonPodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  tolerations?: Toleration[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTermView[] } } & Record<string, unknown> } & Record<string, unknown>;
  [key: string]: unknown;
}

export interface Eligibility {
  /** A new daemon pod should be created here. */
  shouldRun: boolean;
  /** A daemon pod already here may stay. */
  shouldContinueRunning: boolean;
}

/** AddOrUpdateDaemonPodTolerations: the defaults, without duplicating ones the template has. */
export function daemonTolerations(spec: DaemonPodSpec): Toleration[] {
  const defaults: Toleration[] = [
    { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) defaults.push({ key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  const tolerations = [...(spec.tolerations ?? [])];
  // AddOrUpdateTolerationInPod: a toleration matching a default (key, operator, value, effect) becomes the default.
  const matches = (a: Toleration, b: Toleration) =>
    (a.key ?? '') === (b.key ?? '') && (a.operator || 'Equal') === (b.operator || 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
  for (const t of defaults) {
    const at = tolerations.findIndex((x) => matches(x, t));
    if (at >= 0) tolerations[at] = t;
    else tolerations.push(t);
  }
  return tolerations;
}

const nodeLabels = (node: KubeObject) => node.metadata.labels ?? {};

function termMatches(term: NodeSelectorTermView, node: KubeObject): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  if (!expressions.every((r: NodeSelectorRequirementView) => requirementMatches(r, nodeLabels(node)))) return false;
  return fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, { 'metadata.name': node.metadata.name! }));
}

function fitsNodeAffinity(spec: DaemonPodSpec, node: KubeObject): boolean {
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) if (nodeLabels(node)[key] !== value) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((term) => termMatches(term, node));
}

const untolerated = (taints: readonly Taint[], tolerations: readonly Toleration[], effects: readonly string[]) =>
  taints.some((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)));

export function nodeShouldRunDaemonPod(template: DaemonPodSpec, node: KubeObject): Eligibility {
  if (template.nodeName && template.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!fitsNodeAffinity(template, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonTolerations(template);
  const taints = nodeTaints(node);
  if (untolerated(taints, tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !untolerated(taints, tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** GetTargetNodeName: spec.nodeName, else the single node its affinity pins it to. */
export function targetNodeName(pod: KubeObject): string | undefined {
  const spec = (pod.spec ?? {}) as DaemonPodSpec;
  if (spec.nodeName) return spec.nodeName;
  for (const term of spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const field of term.matchFields ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) return field.values[0];
    }
  }
  return undefined;
}

/** A daemon pod for one node: the template's, with the revision labels, pinned to the node, with the default tolerations. */
export function newDaemonPod(ds: KubeObject, template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: DaemonPodSpec }, nodeName: string, labels: Record<string, string>): KubeObject {
  const spec = structuredClone(template.spec ?? {}) as DaemonPodSpec;
  const pin = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity: { ...(spec.affinity?.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: pin } };
  spec.tolerations = daemonTolerations(spec);
  const metadata: KubeObject['metadata'] = {
    generateName: `${ds.metadata.name}-`,
    namespace: ds.metadata.namespace,
    labels: { ...(template.metadata?.labels ?? {}), ...labels },
    ownerReferences: [newControllerRef(ds)],
  };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
