/**
 * The node IPAM range allocator's decision, pure (kube-controller-manager's
 * range_allocator, --allocate-node-cidrs): a Node without spec.podCIDR gets the next free
 * subnet of the cluster pod CIDR after the last one given. A subnet is occupied when a
 * Node's podCIDR lies in it (including CIDRs that nodes brought themselves, such as a
 * kubelet started with --pod-cidr) or when this controller assigned it and has not seen
 * the Node go; a Node's subnet is free again once the Node is deleted. Nodes whose
 * podCIDR lies outside the range (simulated nodes' 10.x) are left alone.
 */
import type { KubeObject } from '../../api/object.ts';
import { nextFreeSubnet, subnetCIDR, subnetIndexOf, type SubnetPlan, type SubnetSet } from '../../net/pod-cidrs.ts';

export function podCIDROf(node: KubeObject | undefined): string | undefined {
  const cidr = (node?.spec as { podCIDR?: unknown } | undefined)?.podCIDR;
  return typeof cidr === 'string' && cidr !== '' ? cidr : undefined;
}

/** Subnet indexes the given Nodes hold, recomputed from all of them (the specification SubnetOccupancy keeps incrementally). */
export function occupiedSubnets(plan: SubnetPlan, nodes: readonly KubeObject[]): Set<number> {
  const occupied = new Set<number>();
  for (const node of nodes) {
    const cidr = podCIDROf(node);
    const index = cidr === undefined ? undefined : subnetIndexOf(plan, cidr);
    if (index !== undefined) occupied.add(index);
  }
  return occupied;
}

export type NodeIpamDecision =
  | { type: 'none' }
  | { type: 'assign'; index: number; podCIDR: string }
  /** No subnet left: Kubernetes records CIDRNotAvailable on the Node. */
  | { type: 'exhausted' };

/** A Node this allocator must give a CIDR: present, not being deleted, without one. */
export function needsCIDR(node: KubeObject | undefined): node is KubeObject {
  return !!node && !node.metadata.deletionTimestamp && !podCIDROf(node);
}

export function decideNodeCIDR(plan: SubnetPlan, node: KubeObject | undefined, occupied: SubnetSet, nextCandidate: number): NodeIpamDecision {
  if (!needsCIDR(node)) return { type: 'none' };
  const index = nextFreeSubnet(plan, occupied, nextCandidate);
  if (index === undefined) return { type: 'exhausted' };
  return { type: 'assign', index, podCIDR: subnetCIDR(plan, index) };
}
