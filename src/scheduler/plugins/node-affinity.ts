/**
 * NodeAffinity: spec.nodeSelector and the required node affinity both have to hold
 * (terms are ORed, the expressions and fields of one term ANDed; a term with neither
 * matches nothing); the preferred terms score the sum of the weights that match.
 * Fields: only metadata.name, as the API allows.
 */
import { defaultNormalizeScore, MAX_NODE_SCORE, reject, type CycleState, type PreFilterOutcome, type Rejection, type ScorePlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { NodeSelectorRequirementView, NodeSelectorTermView, PodSpecView } from '../views.ts';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

const INTEGER = /^[+-]?\d+$/;

/** One requirement against a label set (labels.Requirement.Matches with the node-selector operators). */
export function requirementMatches(req: NodeSelectorRequirementView, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key]! : undefined;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(value!);
    case 'NotIn':
      return !has || !values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !INTEGER.test(value!) || values.length !== 1 || !INTEGER.test(values[0]!)) return false;
      const left = BigInt(value!);
      const right = BigInt(values[0]!);
      return req.operator === 'Gt' ? left > right : left < right;
    }
    default:
      return false;
  }
}

export function termMatches(term: NodeSelectorTermView, node: NodeInfo): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  if (!expressions.every((r) => requirementMatches(r, node.labels))) return false;
  // metadata.name is the one supported field; any other field matches nothing.
  return fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, { 'metadata.name': node.name }));
}

/** nodeSelector and required node affinity (RequiredNodeAffinity.Match). */
export function podMatchesNodeSelectorAndAffinity(spec: PodSpecView, node: NodeInfo): boolean {
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) if (node.labels[key] !== value) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((term) => termMatches(term, node));
}

/**
 * PreFilter: when every required term names nodes (matchFields metadata.name In), only
 * those nodes need filtering (DaemonSet pods); terms that name none between them conflict.
 */
export function nodeAffinityPreFilter(state: CycleState): PreFilterOutcome {
  const terms = state.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const union = new Set<string>();
  for (const term of terms) {
    let names: Set<string> | undefined;
    for (const field of term.matchFields ?? []) {
      if (field.key !== 'metadata.name' || field.operator !== 'In') continue;
      const values = new Set(field.values ?? []);
      names = names ? new Set([...names].filter((n) => values.has(n))) : values;
    }
    if (!names) return undefined; // this term allows any node, and terms are ORed
    for (const n of names) union.add(n);
  }
  if (union.size === 0) return reject(NODE_AFFINITY, 'UnschedulableAndUnresolvable', ERR_REASON_CONFLICT);
  return { nodeNames: union };
}

export function nodeAffinityFilter(state: CycleState, node: NodeInfo): Rejection | undefined {
  if (podMatchesNodeSelectorAndAffinity(state.spec, node)) return undefined;
  return reject(NODE_AFFINITY, 'UnschedulableAndUnresolvable', ERR_REASON_POD);
}

export const nodeAffinityScore: ScorePlugin = {
  name: NODE_AFFINITY,
  weight: 2,
  score(state, node) {
    let total = 0;
    for (const term of state.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (term.weight !== 0 && term.preference && termMatches(term.preference, node)) total += term.weight;
    }
    return total;
  },
  normalize: (_state, scores) => defaultNormalizeScore(MAX_NODE_SCORE, false, scores),
};
