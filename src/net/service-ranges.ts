/**
 * The ranges Services take their ClusterIPs and NodePorts from, with Kubernetes' static
 * bands: a ClusterIP CIDR excludes its network and broadcast addresses and reserves
 * min(max(16, size/16), 256) addresses at its start for requested IPs (so the
 * `kubernetes` Service's .1 and the DNS .10 stay free); the NodePort range reserves
 * min(max(16, size/16), 128) ports at its start.
 */
import { formatIPv4, parseCidr, parseIPv4 } from '../kubelet/pod-ip-allocator.ts';
import { NODE_PORT_RANGE, SERVICE_CIDR } from './cluster-network.ts';
import { inRange, withStaticBand, type ValueRange } from './range-allocator.ts';

export function clusterIPRange(cidr: string = SERVICE_CIDR): ValueRange {
  const { base, bits } = parseCidr(cidr);
  const size = 2 ** (32 - bits);
  const [first, last] = size <= 2 ? [base, base + size - 1] : [base + 1, base + size - 2];
  return withStaticBand(first, last, 16, 256);
}

export function nodePortRange(range: { min: number; max: number } = NODE_PORT_RANGE): ValueRange {
  return withStaticBand(range.min, range.max, 16, 128);
}

export function ipInRange(range: ValueRange, ip: string): boolean {
  const value = parseIPv4(ip);
  return value !== undefined && inRange(range, value);
}

export { formatIPv4, parseIPv4 };
