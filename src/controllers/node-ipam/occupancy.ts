/**
 * Which subnets of the cluster pod CIDR Nodes hold, kept from the Node informer's events:
 * one CIDR parse per event instead of one per Node per sync. Recomputing it from every
 * Node on each sync made the allocator O(nodes²) whenever all Nodes were queued (a new
 * leadership term at 5,000 Nodes: 25 million parses, 37% of the controller manager's
 * CPU and event-loop stalls of seconds that cost it its Lease again).
 * A subnet held by two Nodes (one brought its own CIDR) stays occupied until both go.
 */
import type { KubeObject } from '../../api/object.ts';
import { subnetIndexOf, type SubnetPlan } from '../../net/pod-cidrs.ts';
import { podCIDROf } from './decide.ts';

export class SubnetOccupancy {
  private readonly subnetOf = new Map<string, number>();
  private readonly holders = new Map<number, number>();

  constructor(private readonly plan: SubnetPlan) {}

  /** Records the Node's subnet as it is now (none: no podCIDR, or one outside the range). */
  observe(name: string, node: KubeObject | undefined): void {
    const cidr = podCIDROf(node);
    const index = cidr === undefined ? undefined : subnetIndexOf(this.plan, cidr);
    const was = this.subnetOf.get(name);
    if (was === index) return;
    if (was !== undefined) {
      const left = (this.holders.get(was) ?? 1) - 1;
      if (left > 0) this.holders.set(was, left);
      else this.holders.delete(was);
    }
    if (index === undefined) {
      this.subnetOf.delete(name);
      return;
    }
    this.subnetOf.set(name, index);
    this.holders.set(index, (this.holders.get(index) ?? 0) + 1);
  }

  forget(name: string): void {
    this.observe(name, undefined);
  }

  has(index: number): boolean {
    return this.holders.has(index);
  }

  /** Every held subnet (for tests and logs). */
  indexes(): number[] {
    return [...this.holders.keys()].sort((a, b) => a - b);
  }
}
