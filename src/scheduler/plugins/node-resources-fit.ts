/**
 * NodeResourcesFit: the pod's request (see resources.ts) must fit in what the node's
 * allocatable leaves after the requests of the pods placed there, assumed ones included,
 * for every resource it asks for, and the pod count must stay within allocatable pods.
 * Every short resource is a reason of its own ("Insufficient cpu", "Too many pods").
 * The score is LeastAllocated over cpu and memory (weight 1 each), counting absent
 * requests as the scoring defaults.
 */
import { reject, MAX_NODE_SCORE, type CycleState, type Rejection, type ScorePlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import { CPU, MEMORY, PODS } from '../resources.ts';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';
export const TOO_MANY_PODS = 'Too many pods';
export const insufficient = (resource: string): string => `Insufficient ${resource}`;

/** Resources checked first, in kube-scheduler's order; the rest (extended) follow by name. */
const FIRST = [CPU, MEMORY, 'ephemeral-storage'];

/** The pod's non-zero requests in checking order, computed once per pod (PreFilter). */
function wantedResources(state: CycleState): [string, number][] {
  let wanted = state.data.get(NODE_RESOURCES_FIT) as [string, number][] | undefined;
  if (!wanted) {
    const requests = state.info.requests;
    const extended = [...requests.keys()].filter((r) => !FIRST.includes(r) && r !== PODS).sort();
    wanted = [...FIRST, ...extended].map((r): [string, number] => [r, requests.get(r) ?? 0]).filter(([, v]) => v > 0);
    state.data.set(NODE_RESOURCES_FIT, wanted);
  }
  return wanted;
}

export function insufficientResources(state: CycleState, node: NodeInfo): string[] {
  const reasons: string[] = [];
  if (node.pods.size + 1 > node.allowedPods) reasons.push(TOO_MANY_PODS);
  for (const [resource, wanted] of wantedResources(state)) {
    const free = (node.allocatable.get(resource) ?? 0) - (node.requested.get(resource) ?? 0);
    if (wanted > free) reasons.push(insufficient(resource));
  }
  return reasons;
}

export function nodeResourcesFitFilter(state: CycleState, node: NodeInfo): Rejection | undefined {
  const reasons = insufficientResources(state, node);
  return reasons.length === 0 ? undefined : reject(NODE_RESOURCES_FIT, 'Unschedulable', ...reasons);
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const leastAllocatedScore: ScorePlugin = {
  name: NODE_RESOURCES_FIT,
  weight: 1,
  score(state, node) {
    const cpu = leastRequested(node.nonZeroCpu + state.info.nonZeroCpu, node.allocatable.get(CPU) ?? 0);
    const memory = leastRequested(node.nonZeroMemory + state.info.nonZeroMemory, node.allocatable.get(MEMORY) ?? 0);
    return Math.trunc((cpu + memory) / 2);
  },
};

/**
 * NodeResourcesBalancedAllocation: nodes whose cpu and memory fractions (after placing
 * the pod, actual requests) are close score high: (1 - |cpu - memory| / 2) * 100.
 */
export const balancedAllocationScore: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(state, node) {
    const fractions: number[] = [];
    for (const resource of [CPU, MEMORY]) {
      const allocatable = node.allocatable.get(resource) ?? 0;
      if (allocatable === 0) continue;
      const requested = (node.requested.get(resource) ?? 0) + (state.info.requests.get(resource) ?? 0);
      fractions.push(Math.min(1, requested / allocatable));
    }
    const std = fractions.length === 2 ? Math.abs((fractions[0]! - fractions[1]!) / 2) : 0;
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
};
