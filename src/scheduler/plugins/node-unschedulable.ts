/** NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate node.kubernetes.io/unschedulable:NoSchedule. */
import { reject, type CycleState, type Rejection } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import { tolerates } from './taint-toleration.ts';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeUnschedulableFilter(state: CycleState, node: NodeInfo): Rejection | undefined {
  if (!node.unschedulable || tolerates(state.spec.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
  return reject(NODE_UNSCHEDULABLE, 'UnschedulableAndUnresolvable', ERR_REASON_UNSCHEDULABLE);
}
