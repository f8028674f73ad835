/**
 * PodTopologySpread: for each constraint, count the pods of the pod's namespace that its
 * labelSelector matches in every topology domain (nodes with the topologyKey label that
 * pass the pod's node selector/affinity, nodeAffinityPolicy Honor). DoNotSchedule is a
 * filter: placing the pod may not raise a domain more than maxSkew above the emptiest
 * one. ScheduleAnyway is a score: fewer matching pods in the node's domain is better.
 * (Kubernetes' cluster-level default constraints, which need Services and ReplicaSets,
 * are not applied.)
 */
import { labelSelectorMatches } from '../../api/selectors.ts';
import { MAX_NODE_SCORE, reject, type CycleState, type Rejection, type ScorePlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { TopologySpreadConstraintView } from '../views.ts';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.ts';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";

interface SpreadState {
  constraints: TopologySpreadConstraintView[];
  /** per constraint: domain value -> matching pods */
  counts: Map<string, number>[];
  minMatch: number[];
}

const hasAllKeys = (node: NodeInfo, constraints: readonly TopologySpreadConstraintView[]) => constraints.every((c) => node.labels[c.topologyKey] !== undefined);

function countMatching(state: CycleState, node: NodeInfo, constraint: TopologySpreadConstraintView): number {
  let n = 0;
  for (const placed of node.pods.values()) {
    const p = placed.pod;
    if (p.metadata.namespace !== state.pod.metadata.namespace || p.metadata.deletionTimestamp) continue;
    if (labelSelectorMatches(constraint.labelSelector ?? null, p.metadata.labels)) n++;
  }
  return n;
}

function buildState(state: CycleState, whenUnsatisfiable: string, nodes: readonly NodeInfo[]): SpreadState | undefined {
  const constraints = (state.spec.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === whenUnsatisfiable);
  if (constraints.length === 0) return undefined;
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of nodes) {
    if (!hasAllKeys(node, constraints) || !podMatchesNodeSelectorAndAffinity(state.spec, node)) continue;
    constraints.forEach((c, i) => {
      const domain = node.labels[c.topologyKey]!;
      counts[i]!.set(domain, (counts[i]!.get(domain) ?? 0) + countMatching(state, node, c));
    });
  }
  const minMatch = constraints.map((c, i) => {
    const domains = counts[i]!;
    if (c.minDomains !== undefined && domains.size < c.minDomains) return 0;
    let min = Infinity;
    for (const v of domains.values()) if (v < min) min = v;
    return min === Infinity ? 0 : min;
  });
  return { constraints, counts, minMatch };
}

function filter(state: CycleState, node: NodeInfo): Rejection | undefined {
  const s = state.data.get(POD_TOPOLOGY_SPREAD) as SpreadState | undefined;
  if (!s) return undefined;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const domain = node.labels[c.topologyKey];
    if (domain === undefined) return reject(POD_TOPOLOGY_SPREAD, 'UnschedulableAndUnresolvable', ERR_REASON_MISSING_LABEL);
    const self = labelSelectorMatches(c.labelSelector ?? null, state.pod.metadata.labels) ? 1 : 0;
    const skew = (s.counts[i]!.get(domain) ?? 0) + self - s.minMatch[i]!;
    if (skew > c.maxSkew) return reject(POD_TOPOLOGY_SPREAD, 'Unschedulable', ERR_REASON_CONSTRAINTS);
  }
  return undefined;
}

export const podTopologySpreadFilter = {
  name: POD_TOPOLOGY_SPREAD,
  preFilter: (state: CycleState) => {
    const s = buildState(state, 'DoNotSchedule', state.nodes);
    if (s) state.data.set(POD_TOPOLOGY_SPREAD, s);
  },
  filter,
};

const SCORE_KEY = `${POD_TOPOLOGY_SPREAD}/score`;

interface SpreadScoreState extends SpreadState {
  weights: number[];
}

export const podTopologySpreadScore: ScorePlugin = {
  name: POD_TOPOLOGY_SPREAD,
  weight: 2,
  preScore(state, feasible) {
    const s = buildState(state, 'ScheduleAnyway', feasible);
    if (!s) return;
    // topologyNormalizingWeight: log(domains + 2), so constraints over few domains weigh less.
    const weights = s.counts.map((domains) => Math.log(domains.size + 2));
    state.data.set(SCORE_KEY, { ...s, weights } satisfies SpreadScoreState);
  },
  score(state, node) {
    const s = state.data.get(SCORE_KEY) as SpreadScoreState | undefined;
    if (!s) return 0;
    if (!hasAllKeys(node, s.constraints)) return -1;
    let score = 0;
    s.constraints.forEach((c, i) => {
      score += (s.counts[i]!.get(node.labels[c.topologyKey]!) ?? 0) * s.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  normalize(state, scores) {
    if (!state.data.has(SCORE_KEY)) return;
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s < 0) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s < 0) scores[i] = 0; // a node without the topology labels
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    }
  },
};
