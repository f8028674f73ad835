/**
 * TaintToleration: a NoSchedule or NoExecute taint keeps out every pod that does not
 * tolerate it (the message names the first such taint); PreferNoSchedule taints only
 * lower the score, by how many of them the pod does not tolerate.
 */
import { defaultNormalizeScore, MAX_NODE_SCORE, reject, type CycleState, type Rejection, type ScorePlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import { toleratesTaint } from '../../api/taints.ts';
import type { TaintView, TolerationView } from '../views.ts';

export const TAINT_TOLERATION = 'TaintToleration';
const PREFER_TOLERATIONS = `${TAINT_TOLERATION}/preferTolerations`;

export const tolerates = (tolerations: readonly TolerationView[] | undefined, taint: TaintView): boolean =>
  (tolerations ?? []).some((t) => toleratesTaint(t, taint));

export function untoleratedTaintReason(taint: TaintView): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

export function taintTolerationFilter(state: CycleState, node: NodeInfo): Rejection | undefined {
  for (const taint of node.taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(state.spec.tolerations, taint)) return reject(TAINT_TOLERATION, 'UnschedulableAndUnresolvable', untoleratedTaintReason(taint));
  }
  return undefined;
}

export const taintTolerationScore: ScorePlugin = {
  name: TAINT_TOLERATION,
  weight: 3,
  preScore(state) {
    // Only tolerations that could tolerate a PreferNoSchedule taint count (empty effect or PreferNoSchedule).
    state.data.set(PREFER_TOLERATIONS, (state.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule'));
  },
  score(state, node) {
    if (node.taints.length === 0) return 0;
    const preferTolerations = state.data.get(PREFER_TOLERATIONS) as TolerationView[];
    let count = 0;
    for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !tolerates(preferTolerations, taint)) count++;
    return count;
  },
  normalize: (_state, scores) => defaultNormalizeScore(MAX_NODE_SCORE, true, scores),
};
