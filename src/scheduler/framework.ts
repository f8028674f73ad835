/**
 * The scheduling framework's vocabulary: a filter rejects a node with a Status (its
 * plugin, a code, and the reasons that go into the FitError message); a score plugin
 * rates a feasible node 0..100 after normalising, and the weighted sum picks the node.
 * CycleState is what PreFilter computed once per pod for every node's Filter/Score.
 */
import type { KubeObject } from '../api/object.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';
import type { PodSpecView } from './views.ts';

export const MAX_NODE_SCORE = 100;

/** Unschedulable: preemption might help; UnschedulableAndUnresolvable: it cannot. */
export type RejectionCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface Rejection {
  plugin: string;
  code: RejectionCode;
  reasons: string[];
}

export interface CycleState {
  pod: KubeObject;
  info: PodInfo;
  spec: PodSpecView;
  nodes: readonly NodeInfo[];
  /** Per-plugin PreFilter results, keyed by plugin name. */
  data: Map<string, unknown>;
  /** PreFilterResult: the only nodes worth filtering (absent: all), and which plugins narrowed them. */
  nodeNames?: Set<string>;
  narrowedBy: string[];
  /** A PreFilter that rejected the pod outright (every node gets its status). */
  preFilterRejection?: Rejection;
}

/** What a PreFilter may answer: nothing, the node names the pod can only go to, or a rejection. */
export type PreFilterOutcome = void | { nodeNames: Set<string> } | Rejection;

export interface FilterPlugin {
  name: string;
  preFilter?(state: CycleState): PreFilterOutcome;
  filter(state: CycleState, node: NodeInfo): Rejection | undefined;
}

export interface ScorePlugin {
  name: string;
  /** kube-scheduler's default profile weight. */
  weight: number;
  preScore?(state: CycleState, feasible: readonly NodeInfo[]): void;
  score(state: CycleState, node: NodeInfo): number;
  /** Rewrites raw scores into 0..MAX_NODE_SCORE, in place. */
  normalize?(state: CycleState, scores: number[]): void;
}

export const reject = (plugin: string, code: RejectionCode, ...reasons: string[]): Rejection => ({ plugin, code, reasons });

/**
 * helper.DefaultNormalizeScore: scale so the highest becomes maxPriority (all maxPriority
 * when reverse and every score is 0); reverse flips it, for "fewer is better" counts.
 */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: number[]): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(maxPriority);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc((maxPriority * scores[i]!) / max);
    if (reverse) s = maxPriority - s;
    scores[i] = s;
  }
}
