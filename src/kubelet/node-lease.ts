/**
 * The node's heartbeat Lease kube-node-lease/<node>, as kubelet's nodelease controller
 * keeps it: holderIdentity the node, leaseDurationSeconds 40, renewTime now, owned by
 * the Node (so it goes with it). Pure: what to create, or the renewed copy to write
 * pinned to the resourceVersion read.
 */
import type { KubeObject } from '../api/object.ts';
import { microTime } from '../controllers/leader-election/decide.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_LEASE_DURATION_SECONDS = 40;

export function newNodeLease(node: KubeObject, now: number): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node.metadata.name!,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name!, uid: node.metadata.uid! }],
    },
    spec: { holderIdentity: node.metadata.name!, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime: microTime(now) },
  };
}

export function renewedNodeLease(lease: KubeObject, node: KubeObject, now: number): KubeObject {
  const owners = lease.metadata.ownerReferences ?? [];
  const owned = owners.some((o) => o.kind === 'Node' && o.uid === node.metadata.uid);
  return {
    ...lease,
    metadata: {
      ...lease.metadata,
      ownerReferences: owned ? owners : [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name!, uid: node.metadata.uid! }],
    },
    spec: { ...(lease.spec as object), holderIdentity: node.metadata.name!, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime: microTime(now) },
  };
}
