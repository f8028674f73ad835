/**
 * Kubernetes' "master disruption mode", without zones' rate limits: when no node is
 * Ready at all, it is more likely the control plane that lost its network than every
 * kubelet at once, so evictions stop (no NoExecute taints; the controller's are taken
 * away) until some node is Ready again; then every node gets a fresh grace period.
 * Nodes labelled node.kubernetes.io/exclude-disruption are not counted. The tracker
 * keeps the counts from informer events in O(1) per event; it does no I/O.
 */
import type { KubeObject } from '../../api/object.ts';
import { nodeCondition } from './health.ts';

export const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';

export class DisruptionTracker {
  private readonly counted = new Set<string>();
  private readonly ready = new Set<string>();

  /** Every counted node is not Ready (and there is at least one). */
  get allDisrupted(): boolean {
    return this.counted.size > 0 && this.ready.size === 0;
  }

  /** What allDisrupted would be with this node in this state (before the cache shows it). */
  allDisruptedWith(node: KubeObject): boolean {
    const name = node.metadata.name!;
    const counted = node.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL] === undefined;
    const ready = counted && nodeCondition(node, 'Ready')?.status === 'True';
    const others = this.counted.size - (this.counted.has(name) ? 1 : 0);
    const othersReady = this.ready.size - (this.ready.has(name) ? 1 : 0);
    return others + Number(counted) > 0 && othersReady + Number(ready) === 0;
  }

  /** Takes a node's current state; answers whether allDisrupted changed. */
  observe(node: KubeObject): boolean {
    const before = this.allDisrupted;
    const name = node.metadata.name!;
    this.counted.delete(name);
    this.ready.delete(name);
    if (node.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL] === undefined) {
      this.counted.add(name);
      if (nodeCondition(node, 'Ready')?.status === 'True') this.ready.add(name);
    }
    return before !== this.allDisrupted;
  }

  /** A node went away; answers whether allDisrupted changed. */
  forget(name: string): boolean {
    const before = this.allDisrupted;
    this.counted.delete(name);
    this.ready.delete(name);
    return before !== this.allDisrupted;
  }
}
