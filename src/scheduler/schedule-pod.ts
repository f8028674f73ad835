/**
 * One scheduling decision, pure: given the pod and the nodes as the cache holds them
 * (assumed pods included), run PreFilter and Filter over the nodes starting at
 * startIndex until enough feasible nodes are found (percentageOfNodesToScore, adaptive
 * by default, as kube-scheduler's numFeasibleNodesToFind), score them, and pick the
 * highest weighted sum, ties broken by the given random source (reservoir sampling, as
 * selectHost). Or the FitError: every node's rejection and the message.
 */
import type { KubeObject } from '../api/object.ts';
import { fitErrorMessage, NO_NODES_AVAILABLE } from './fit-error.ts';
import { reject, type CycleState, type FilterPlugin, type Rejection } from './framework.ts';
import { newPodInfo, type NodeInfo, type PodInfo } from './node-info.ts';
import { preemptionMessage } from './preemption-message.ts';
import { DEFAULT_PROFILE, type Profile } from './profile.ts';
import { podSpec } from './views.ts';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export interface ScheduleOptions {
  /** A float in [0, 1): Math.random, or a seeded generator in tests. */
  random?: () => number;
  startIndex?: number;
  /** 0 or absent: adaptive (50% - nodes/125, at least 5%), as the default. */
  percentageOfNodesToScore?: number;
  profile?: Profile;
  /** The pod's parsed form, when the caller already has it. */
  podInfo?: PodInfo;
}

export interface FitFailure {
  numAllNodes: number;
  statuses: Map<string, Rejection>;
  message: string;
}

export type ScheduleResult =
  | { node: string; evaluatedNodes: number; feasibleNodes: number; nextStartIndex: number }
  | { failure: FitFailure; nextStartIndex: number };

export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let adaptive = percentage;
  if (adaptive <= 0) adaptive = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  if (adaptive >= 100) return numAllNodes;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.trunc((numAllNodes * adaptive) / 100));
}

export function runFilters(state: CycleState, node: NodeInfo, filters: readonly FilterPlugin[]): Rejection | undefined {
  for (const plugin of filters) {
    const rejection = plugin.filter(state, node);
    if (rejection) return rejection;
  }
  return undefined;
}

export function newCycleState(pod: KubeObject, nodes: readonly NodeInfo[], info = newPodInfo(pod), filters = DEFAULT_PROFILE.filters): CycleState {
  const state: CycleState = { pod, info, spec: podSpec(pod), nodes, data: new Map(), narrowedBy: [] };
  for (const plugin of filters) {
    const outcome = plugin.preFilter?.(state);
    if (!outcome) continue;
    if ('reasons' in outcome) {
      state.preFilterRejection = outcome;
      break;
    }
    const narrowed = state.nodeNames;
    state.nodeNames = narrowed ? new Set([...narrowed].filter((n) => outcome.nodeNames.has(n))) : outcome.nodeNames;
    state.narrowedBy.push(plugin.name);
  }
  return state;
}

export function schedulePod(pod: KubeObject, nodes: readonly NodeInfo[], options: ScheduleOptions = {}): ScheduleResult {
  const profile = options.profile ?? DEFAULT_PROFILE;
  const random = options.random ?? Math.random;
  const n = nodes.length;
  const start = n === 0 ? 0 : (options.startIndex ?? 0) % n;
  if (n === 0) {
    return { failure: { numAllNodes: 0, statuses: new Map(), message: NO_NODES_AVAILABLE }, nextStartIndex: 0 };
  }
  const state = newCycleState(pod, nodes, options.podInfo ?? newPodInfo(pod), profile.filters);
  const statuses = new Map<string, Rejection>();

  if (state.preFilterRejection) {
    const rejection = state.preFilterRejection;
    for (const node of nodes) statuses.set(node.name, rejection);
    const postFilter = preemptionMessage(state, nodes, statuses, runFilters, profile.filters);
    const message = fitErrorMessage(n, [], postFilter, rejection.reasons.join(', '));
    return { failure: { numAllNodes: n, statuses, message }, nextStartIndex: start };
  }

  // A PreFilterResult narrows the nodes; the others are rejected by the plugins that narrowed them.
  let candidates = nodes;
  let first = start;
  if (state.nodeNames) {
    const allowed = state.nodeNames;
    const absent = reject(state.narrowedBy[0]!, 'UnschedulableAndUnresolvable', `node(s) didn't satisfy plugin(s) [${[...state.narrowedBy].sort().join(' ')}]`);
    for (const node of nodes) if (!allowed.has(node.name)) statuses.set(node.name, absent);
    candidates = nodes.filter((node) => allowed.has(node.name));
    first = 0;
  }

  const wanted = numFeasibleNodesToFind(candidates.length, options.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  let processed = 0;
  for (; processed < candidates.length && feasible.length < wanted; processed++) {
    const node = candidates[(first + processed) % candidates.length]!;
    const rejection = runFilters(state, node, profile.filters);
    if (rejection) statuses.set(node.name, rejection);
    else feasible.push(node);
  }
  const nextStartIndex = state.nodeNames ? start : (start + processed) % n;

  if (feasible.length === 0) {
    const postFilter = preemptionMessage(state, nodes, statuses, runFilters, profile.filters);
    const message = fitErrorMessage(n, [...statuses.values()].map((s) => s.reasons), postFilter);
    return { failure: { numAllNodes: n, statuses, message }, nextStartIndex };
  }
  if (feasible.length === 1) return { node: feasible[0]!.name, evaluatedNodes: processed, feasibleNodes: 1, nextStartIndex };

  const totals = new Array<number>(feasible.length).fill(0);
  for (const plugin of profile.scores) {
    plugin.preScore?.(state, feasible);
    const scores = feasible.map((node) => plugin.score(state, node));
    plugin.normalize?.(state, scores);
    for (let i = 0; i < scores.length; i++) totals[i]! += scores[i]! * plugin.weight;
  }
  let selected = 0;
  let best = totals[0]!;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    if (totals[i]! > best) {
      best = totals[i]!;
      selected = i;
      ties = 1;
    } else if (totals[i] === best) {
      ties++;
      if (Math.floor(random() * ties) === 0) selected = i;
    }
  }
  return { node: feasible[selected]!.name, evaluatedNodes: processed, feasibleNodes: feasible.length, nextStartIndex };
}
