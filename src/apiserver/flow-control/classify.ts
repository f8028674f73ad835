/**
 * Which requests wait their turn, and in which flow: a reduction of Kubernetes' default
 * FlowSchemas (pure).
 *
 * - exempt: the API server's own loopback requests (no user, no connection), and users in
 *   system:masters, as Kubernetes' exempt priority level.
 * - node heartbeats and leader election: Leases in kube-node-lease and kube-system, and
 *   Nodes. Kubernetes gives them their own levels (node-high, leader-election) so workload
 *   can never starve them; their load is bounded by design (one renewal per node or
 *   candidate per few seconds), so here they never wait at all.
 * - workload: everything else, one flow per user (ByUser), or per connection for the
 *   callers an open NATS server does not name.
 */
import type { ApiRequest } from '../request.ts';

export type PriorityLevel = 'exempt' | 'node-high' | 'leader-election' | 'workload';

export interface Classification {
  level: PriorityLevel;
  /** The flow within the level: whose requests queue together. */
  flow: string;
}

const LEASES = 'leases.coordination.k8s.io';

export function classifyRequest(request: ApiRequest, connection: string | undefined): Classification {
  const user = request.user;
  if (!user && connection === undefined) return { level: 'exempt', flow: 'loopback' };
  if (user?.groups.includes('system:masters')) return { level: 'exempt', flow: user.name };
  if (request.resource === 'nodes' || (request.resource === LEASES && request.namespace === 'kube-node-lease')) {
    return { level: 'node-high', flow: user?.name ?? connection! };
  }
  if (request.resource === LEASES && request.namespace === 'kube-system') return { level: 'leader-election', flow: user?.name ?? connection! };
  return { level: 'workload', flow: user ? `user:${user.name}` : `connection:${connection!}` };
}
