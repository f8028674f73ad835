/** NodeName: a pod that names its node fits only there. */
import { reject, type CycleState, type Rejection } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export function nodeNameFilter(state: CycleState, node: NodeInfo): Rejection | undefined {
  const wanted = state.spec.nodeName;
  if (!wanted || wanted === node.name) return undefined;
  return reject(NODE_NAME, 'UnschedulableAndUnresolvable', ERR_REASON_NODE_NAME);
}
