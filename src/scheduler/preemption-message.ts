/**
 * What DefaultPreemption's PostFilter says when it finds no node where evicting
 * lower-priority pods would make room, which jetkube always reaches because it does not
 * preempt: per node "Preemption is not helpful for scheduling" (rejected for a reason
 * eviction cannot fix), "No preemption victims found for incoming pod" (nothing of lower
 * priority to evict), or the filter's reasons once every lower-priority pod is gone.
 * When eviction would make room somewhere, kube-scheduler would preempt; jetkube does
 * not, so it answers undefined and the message carries no preemption part (as a profile
 * without DefaultPreemption prints it) rather than a claim that would be false.
 */
import { fitErrorMessage } from './fit-error.ts';
import type { CycleState, FilterPlugin, Rejection } from './framework.ts';
import type { NodeInfo } from './node-info.ts';

export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

export function preemptionMessage(
  state: CycleState,
  nodes: readonly NodeInfo[],
  statuses: ReadonlyMap<string, Rejection>,
  runFilters: (state: CycleState, node: NodeInfo, filters: readonly FilterPlugin[]) => Rejection | undefined,
  filters: readonly FilterPlugin[],
): string | undefined {
  if (state.spec.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  const priority = state.info.priority;
  const reasons: string[][] = [];
  for (const node of nodes) {
    const status = statuses.get(node.name);
    if (!status || status.code === 'UnschedulableAndUnresolvable') {
      reasons.push([NOT_HELPFUL]);
      continue;
    }
    let victims = 0;
    for (const placed of node.pods.values()) if (placed.priority < priority) victims++;
    if (victims === 0) {
      reasons.push([NO_VICTIMS]);
      continue;
    }
    const without = runFilters(state, node.withPodsWhere((placed) => placed.priority >= priority), filters);
    if (!without) return undefined; // eviction would make room: a candidate kube-scheduler would act on
    reasons.push(without.reasons);
  }
  return `preemption: ${fitErrorMessage(nodes.length, reasons)}`;
}
