/**
 * NodePorts: a host port is taken on a node when a placed pod holds the same protocol and
 * port on the same host IP, or when either side binds 0.0.0.0 (HostPortInfo.CheckConflict).
 */
import { reject, type CycleState, type Rejection } from '../framework.ts';
import type { HostPort, NodeInfo } from '../node-info.ts';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

const ANY_IP = '0.0.0.0';

export function portsConflict(wanted: HostPort, used: HostPort): boolean {
  if (wanted.port !== used.port || wanted.protocol !== used.protocol) return false;
  return wanted.hostIP === ANY_IP || used.hostIP === ANY_IP || wanted.hostIP === used.hostIP;
}

export function nodePortsFilter(state: CycleState, node: NodeInfo): Rejection | undefined {
  const wanted = state.info.hostPorts;
  if (wanted.length === 0 || node.usedPorts.length === 0) return undefined;
  for (const port of wanted) {
    if (node.usedPorts.some((used) => portsConflict(port, used))) return reject(NODE_PORTS, 'Unschedulable', ERR_REASON_PORTS);
  }
  return undefined;
}
