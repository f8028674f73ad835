/**
 * The ReplicaSet controller's decision (Kubernetes' syncReplicaSet), pure: given a
 * ReplicaSet, the pods of its namespace, the time, and whether the controller's own
 * earlier creates and deletes have all been observed, which writes converge it?
 *  1. claim: adopt active orphans its selector matches; release owned pods it no longer
 *     matches; pods controlled by another owner are not its business;
 *  2. manage (only with expectations satisfied): create the shortfall from the template
 *     (at most `burst`), or delete the surplus in rankPodsForDeletion order;
 *  3. status: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
 *     observedGeneration, and the ReplicaFailure condition (set from the failure of
 *     the controller's last creates or deletes, removed once a sync manages without
 *     one), written only when it changes.
 * A ReplicaSet being deleted gets no actions: the garbage collector owns that phase.
 * Imports nothing from xstate, nats or pino, so it can be re-run over a recorded log.
 */
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorMatches, type LabelSelector } from '../../api/selectors.ts';
import { controllerRef, newControllerRef } from '../runtime/owner.ts';
import { isPodActive, isPodAvailable, isPodReady, rankPodsForDeletion } from './pods.ts';

export const BURST_REPLICAS = 500;

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
  [key: string]: unknown;
}

export interface ReplicaSetCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** Why the controller's last creates or deletes failed: data the status reports, as Kubernetes' manageReplicasErr. */
export interface ManageFailure {
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

export type ReplicaSetAction =
  | { type: 'adoptPod'; pod: KubeObject }
  | { type: 'releasePod'; pod: KubeObject }
  | { type: 'createPod'; pod: KubeObject }
  | { type: 'deletePod'; pod: KubeObject }
  | { type: 'updateStatus'; status: ReplicaSetStatus };

export interface ReplicaSetDecision {
  actions: ReplicaSetAction[];
  /** Look again then: a ready pod becomes available once minReadySeconds pass. */
  requeueAfterMs?: number;
}

export interface DecideOptions {
  /** Every create and delete this controller made for the RS has been observed. */
  expectationsSatisfied: boolean;
  burst?: number;
  /** The failure of the last sync's creates or deletes; absent once one managed without failing. */
  manageFailure?: ManageFailure;
}

interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };
}

export function decideReplicaSet(rs: KubeObject, podsInNamespace: readonly KubeObject[], now: number, options: DecideOptions): ReplicaSetDecision {
  if (rs.metadata.deletionTimestamp) return { actions: [] };
  const spec = (rs.spec ?? {}) as ReplicaSetSpec;
  const wanted = spec.replicas ?? 1;
  const minReadySeconds = spec.minReadySeconds ?? 0;
  const matches = (pod: KubeObject) => !!spec.selector && labelSelectorMatches(spec.selector, pod.metadata.labels);

  const actions: ReplicaSetAction[] = [];
  const claimed: KubeObject[] = [];
  for (const pod of podsInNamespace) {
    if (!isPodActive(pod)) continue;
    const ref = controllerRef(pod);
    if (ref) {
      if (ref.uid !== rs.metadata.uid) continue;
      if (matches(pod)) claimed.push(pod);
      else actions.push({ type: 'releasePod', pod });
    } else if (matches(pod)) {
      actions.push({ type: 'adoptPod', pod });
      claimed.push(pod);
    }
  }

  if (options.expectationsSatisfied) {
    const diff = claimed.length - wanted;
    if (diff < 0) {
      const count = Math.min(-diff, options.burst ?? BURST_REPLICAS);
      for (let i = 0; i < count; i++) actions.push({ type: 'createPod', pod: podFromTemplate(rs, spec) });
    } else if (diff > 0) {
      for (const pod of rankPodsForDeletion(claimed).slice(0, diff)) actions.push({ type: 'deletePod', pod });
    }
  }

  const templateLabels = spec.template?.metadata?.labels ?? {};
  const next: ReplicaSetStatus = {
    ...((rs.status ?? {}) as Record<string, unknown>),
    replicas: claimed.length,
    fullyLabeledReplicas: claimed.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: claimed.filter(isPodReady).length,
    availableReplicas: claimed.filter((p) => isPodAvailable(p, minReadySeconds, now)).length,
    ...(rs.metadata.generation !== undefined ? { observedGeneration: rs.metadata.generation } : {}),
  };
  const conditions = replicaFailureConditions(next.conditions ?? [], options.manageFailure, now);
  if (conditions.length > 0) next.conditions = conditions;
  else delete next.conditions;
  if (statusChanged((rs.status ?? {}) as Record<string, unknown>, next)) actions.push({ type: 'updateStatus', status: next });

  const waitingForAvailable = minReadySeconds > 0 && next.readyReplicas === wanted && next.availableReplicas !== wanted;
  return waitingForAvailable ? { actions, requeueAfterMs: minReadySeconds * 1000 } : { actions };
}

/** A new pod for the RS: its template, named `<rs>-<random>`, controlled by the RS. */
export function podFromTemplate(rs: KubeObject, spec: ReplicaSetSpec = (rs.spec ?? {}) as ReplicaSetSpec): KubeObject {
  const template = spec.template ?? {};
  const metadata: KubeObject['metadata'] = {
    generateName: `${rs.metadata.name}-`,
    namespace: rs.metadata.namespace,
    ownerReferences: [newControllerRef(rs)],
  };
  if (template.metadata?.labels) metadata.labels = { ...template.metadata.labels };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template.spec ?? {}) };
}

/** calculateStatus' ReplicaFailure: set once per failure (an existing one is kept as is), removed without one. */
function replicaFailureConditions(current: readonly ReplicaSetCondition[], failure: ManageFailure | undefined, now: number): ReplicaSetCondition[] {
  const existing = current.find((c) => c.type === 'ReplicaFailure');
  if (failure && !existing) {
    const lastTransitionTime = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return [...current, { type: 'ReplicaFailure', status: 'True', lastTransitionTime, reason: failure.reason, message: failure.message }];
  }
  return failure ? [...current] : current.filter((c) => c.type !== 'ReplicaFailure');
}

const STATUS_FIELDS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const;

function statusChanged(current: Record<string, unknown>, next: ReplicaSetStatus): boolean {
  // Kubernetes omits zero counts; an absent field equals 0.
  const conditions = (s: Record<string, unknown>) => JSON.stringify(s.conditions ?? []);
  return STATUS_FIELDS.some((f) => (current[f] ?? 0) !== (next[f] ?? 0)) || conditions(current) !== conditions(next);
}
