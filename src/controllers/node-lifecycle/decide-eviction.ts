/**
 * The NoExecute taint manager's decision for one pod, pure (Kubernetes' tainteviction
 * processPodOnNode): a pod bound to a node with NoExecute taints
 *  - that does not tolerate every one of them is evicted at once;
 *  - that tolerates them all, some with tolerationSeconds, is evicted when the first of
 *    those runs out, each counted from its taint's timeAdded (tolerationSeconds <= 0:
 *    at once);
 *  - that tolerates them all without tolerationSeconds stays for good.
 * No NoExecute taint (or no node, or a pod already being deleted): nothing to do, and a
 * scheduled eviction is cancelled. Kubernetes counts from when its taint manager first
 * saw the taint; counting from timeAdded keeps the deadline across a controller-manager
 * failover. A taint without timeAdded counts from `firstSeen` (our clock).
 */
import type { KubeObject } from '../../api/object.ts';
import { matchingTolerations, nodeTaints, podTolerations, type Taint } from './taints.ts';

export type EvictionDecision =
  | { type: 'none'; why: 'unbound' | 'deleting' | 'noNode' | 'noTaints' | 'toleratesForever' }
  | { type: 'evict'; why: 'notTolerated' | 'tolerationExpired' }
  | { type: 'wait'; evictAt: number };

export function noExecuteTaints(node: KubeObject | undefined): Taint[] {
  return nodeTaints(node).filter((t) => t.effect === 'NoExecute');
}

export function decideTaintEviction(
  pod: KubeObject,
  node: KubeObject | undefined,
  now: number,
  firstSeen: (taint: Taint) => number = () => now,
): EvictionDecision {
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) return { type: 'none', why: 'unbound' };
  if (pod.metadata.deletionTimestamp) return { type: 'none', why: 'deleting' };
  if (!node) return { type: 'none', why: 'noNode' };
  const taints = noExecuteTaints(node);
  if (taints.length === 0) return { type: 'none', why: 'noTaints' };
  const { allTolerated, used } = matchingTolerations(taints, podTolerations(pod));
  if (!allTolerated) return { type: 'evict', why: 'notTolerated' };

  let evictAt = Infinity;
  used.forEach((toleration, i) => {
    const seconds = toleration.tolerationSeconds;
    if (typeof seconds !== 'number') return;
    const taint = taints[i]!;
    const added = Date.parse(taint.timeAdded ?? '');
    const start = Number.isFinite(added) ? added : firstSeen(taint);
    evictAt = Math.min(evictAt, seconds <= 0 ? -Infinity : start + seconds * 1000);
  });
  if (evictAt === Infinity) return { type: 'none', why: 'toleratesForever' };
  return evictAt <= now ? { type: 'evict', why: 'tolerationExpired' } : { type: 'wait', evictAt };
}
