/**
 * kube-scheduler's default profile as far as jetkube implements it: the filters in the
 * order they run (a node's status is the first filter that rejects it) and the score
 * plugins with their default weights. Volume, DRA and image plugins are left out:
 * jetkube pods have no volume binding to wait for and nodes report no images.
 */
import type { FilterPlugin, ScorePlugin } from './framework.ts';
import { interPodAffinityFilter } from './plugins/inter-pod-affinity.ts';
import { NODE_AFFINITY, nodeAffinityFilter, nodeAffinityPreFilter, nodeAffinityScore } from './plugins/node-affinity.ts';
import { NODE_NAME, nodeNameFilter } from './plugins/node-name.ts';
import { NODE_PORTS, nodePortsFilter } from './plugins/node-ports.ts';
import { balancedAllocationScore, leastAllocatedScore, NODE_RESOURCES_FIT, nodeResourcesFitFilter } from './plugins/node-resources-fit.ts';
import { NODE_UNSCHEDULABLE, nodeUnschedulableFilter } from './plugins/node-unschedulable.ts';
import { podTopologySpreadFilter, podTopologySpreadScore } from './plugins/pod-topology-spread.ts';
import { TAINT_TOLERATION, taintTolerationFilter, taintTolerationScore } from './plugins/taint-toleration.ts';

export const DEFAULT_FILTERS: readonly FilterPlugin[] = [
  { name: NODE_UNSCHEDULABLE, filter: nodeUnschedulableFilter },
  { name: NODE_NAME, filter: nodeNameFilter },
  { name: TAINT_TOLERATION, filter: taintTolerationFilter },
  { name: NODE_AFFINITY, preFilter: nodeAffinityPreFilter, filter: nodeAffinityFilter },
  { name: NODE_PORTS, filter: nodePortsFilter },
  { name: NODE_RESOURCES_FIT, filter: nodeResourcesFitFilter },
  podTopologySpreadFilter,
  interPodAffinityFilter,
];

export const DEFAULT_SCORES: readonly ScorePlugin[] = [
  taintTolerationScore,
  nodeAffinityScore,
  leastAllocatedScore,
  podTopologySpreadScore,
  balancedAllocationScore,
];

export interface Profile {
  filters: readonly FilterPlugin[];
  scores: readonly ScorePlugin[];
}

export const DEFAULT_PROFILE: Profile = { filters: DEFAULT_FILTERS, scores: DEFAULT_SCORES };
