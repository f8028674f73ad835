/**
 * The node IPAM range allocator's arithmetic, pure (kube-controller-manager's cidrset):
 * the cluster pod CIDR cut into subnets of a fixed size (a /16 each of 127.128.0.0/10,
 * so 64), the subnets a set of node CIDRs occupies (a node's own smaller CIDR inside
 * the range occupies the subnet holding it), and the next free subnet after the last one
 * given, wrapping around, as the range allocator's nextCandidate does.
 */
import { formatIPv4, parseCidr } from '../kubelet/pod-ip-allocator.ts';

export const NODE_SUBNET_BITS = 16;

export interface SubnetPlan {
  base: number;
  clusterBits: number;
  subnetBits: number;
  count: number;
}

export function subnetPlan(clusterCIDR: string, subnetBits = NODE_SUBNET_BITS): SubnetPlan {
  const { base, bits } = parseCidr(clusterCIDR);
  if (subnetBits < bits || subnetBits > 32) throw new Error(`node subnets /${subnetBits} do not fit in ${clusterCIDR}`);
  return { base, clusterBits: bits, subnetBits, count: 2 ** (subnetBits - bits) };
}

export function subnetCIDR(plan: SubnetPlan, index: number): string {
  return `${formatIPv4(plan.base + index * 2 ** (32 - plan.subnetBits))}/${plan.subnetBits}`;
}

/** The index of the subnet a CIDR lies in (or covers the start of); undefined when outside the cluster range. */
export function subnetIndexOf(plan: SubnetPlan, cidr: string): number | undefined {
  let parsed: { base: number; bits: number };
  try {
    parsed = parseCidr(cidr);
  } catch {
    return undefined;
  }
  const offset = parsed.base - plan.base;
  const clusterSize = 2 ** (32 - plan.clusterBits);
  if (offset < 0 || offset >= clusterSize) return undefined;
  return Math.floor(offset / 2 ** (32 - plan.subnetBits));
}

/** Subnet indexes taken: a Set, or anything that answers has(). */
export interface SubnetSet {
  has(index: number): boolean;
}

/** The next free subnet index at or after `from` (wrapping), or undefined when all are taken. */
export function nextFreeSubnet(plan: SubnetPlan, occupied: SubnetSet, from = 0): number | undefined {
  for (let i = 0; i < plan.count; i++) {
    const index = (from + i) % plan.count;
    if (!occupied.has(index)) return index;
  }
  return undefined;
}
