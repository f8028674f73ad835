/**
 * InterPodAffinity (required terms): PreFilter counts, per topology pair (key, value of
 * the node label), the placed pods that match the incoming pod's affinity terms, those
 * that match its anti-affinity terms, and the pairs where a placed pod's own required
 * anti-affinity forbids the incoming pod. Filter then reads three answers per node:
 * affinity satisfied (or the pod is the first of its group), no anti-affinity match in
 * the node's domain, no placed pod's anti-affinity against it. Any topologyKey works;
 * kubernetes.io/hostname is the common one. A term's namespaces default to the pod's
 * own; an empty namespaceSelector means every namespace (a non-empty one is not read:
 * the scheduler has no namespace informer yet).
 */
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorMatches } from '../../api/selectors.ts';
import { reject, type CycleState, type Rejection } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodAffinityTermView } from '../views.ts';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

interface InterPodState {
  affinityCounts: Map<string, number>;
  antiAffinityCounts: Map<string, number>;
  existingAntiAffinityCounts: Map<string, number>;
}

const pair = (key: string, value: string) => `${key}\u0000${value}`;
const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** Whether a term (declared by a pod in ownerNamespace) selects the pod. */
export function termMatchesPod(term: PodAffinityTermView, ownerNamespace: string | undefined, pod: KubeObject): boolean {
  const namespaces = term.namespaces ?? [];
  const selector = term.namespaceSelector;
  const allNamespaces = selector != null && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  const namespace = pod.metadata.namespace ?? '';
  const inNamespace = allNamespaces || (namespaces.length === 0 && selector == null ? namespace === (ownerNamespace ?? '') : namespaces.includes(namespace));
  return inNamespace && labelSelectorMatches(term.labelSelector ?? null, pod.metadata.labels);
}

function preFilter(state: CycleState): void {
  const { info, pod } = state;
  const namespace = pod.metadata.namespace;
  const hasOwnTerms = info.requiredAffinity.length > 0 || info.requiredAntiAffinity.length > 0;
  const s: InterPodState = { affinityCounts: new Map(), antiAffinityCounts: new Map(), existingAntiAffinityCounts: new Map() };
  for (const node of state.nodes) {
    if (!hasOwnTerms && node.podsWithRequiredAntiAffinity === 0) continue;
    for (const placed of node.pods.values()) {
      for (const term of placed.requiredAntiAffinity) {
        const value = node.labels[term.topologyKey];
        if (value !== undefined && termMatchesPod(term, placed.pod.metadata.namespace, pod)) bump(s.existingAntiAffinityCounts, pair(term.topologyKey, value));
      }
      if (!hasOwnTerms) continue;
      if (info.requiredAffinity.length > 0 && info.requiredAffinity.every((t) => termMatchesPod(t, namespace, placed.pod))) {
        for (const term of info.requiredAffinity) {
          const value = node.labels[term.topologyKey];
          if (value !== undefined) bump(s.affinityCounts, pair(term.topologyKey, value));
        }
      }
      for (const term of info.requiredAntiAffinity) {
        const value = node.labels[term.topologyKey];
        if (value !== undefined && termMatchesPod(term, namespace, placed.pod)) bump(s.antiAffinityCounts, pair(term.topologyKey, value));
      }
    }
  }
  state.data.set(INTER_POD_AFFINITY, s);
}

function satisfiesAffinity(state: CycleState, s: InterPodState, node: NodeInfo): boolean {
  const terms = state.info.requiredAffinity;
  if (terms.length === 0) return true;
  let allMatched = true;
  for (const term of terms) {
    const value = node.labels[term.topologyKey];
    if (value === undefined) return false;
    if ((s.affinityCounts.get(pair(term.topologyKey, value)) ?? 0) <= 0) allMatched = false;
  }
  if (allMatched) return true;
  // The first pod of a group that selects itself may go anywhere its topology labels exist.
  return s.affinityCounts.size === 0 && terms.every((t) => termMatchesPod(t, state.pod.metadata.namespace, state.pod));
}

function filter(state: CycleState, node: NodeInfo): Rejection | undefined {
  const s = state.data.get(INTER_POD_AFFINITY) as InterPodState | undefined;
  if (!s) return undefined;
  if (!satisfiesAffinity(state, s, node)) return reject(INTER_POD_AFFINITY, 'UnschedulableAndUnresolvable', ERR_REASON_AFFINITY);
  for (const term of state.info.requiredAntiAffinity) {
    const value = node.labels[term.topologyKey];
    if (value !== undefined && (s.antiAffinityCounts.get(pair(term.topologyKey, value)) ?? 0) > 0) {
      return reject(INTER_POD_AFFINITY, 'Unschedulable', ERR_REASON_ANTI_AFFINITY);
    }
  }
  if (s.existingAntiAffinityCounts.size > 0) {
    for (const [key, value] of Object.entries(node.labels)) {
      if ((s.existingAntiAffinityCounts.get(pair(key, value)) ?? 0) > 0) return reject(INTER_POD_AFFINITY, 'Unschedulable', ERR_REASON_EXISTING_ANTI_AFFINITY);
    }
  }
  return undefined;
}

export const interPodAffinityFilter = { name: INTER_POD_AFFINITY, preFilter, filter };
