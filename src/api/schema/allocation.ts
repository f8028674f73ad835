/**
 * The Service allocation records: networking.k8s.io/v1 IPAddress (one per allocated
 * ClusterIP, named by the address, as Kubernetes 1.31+ keeps them) and jetkube's
 * allocation.jetkube.io/v1 NodePortAllocation (one per allocated NodePort, named by the
 * port: Kubernetes keeps a bitmap there, which several API servers over one log cannot
 * share safely). Both point at the Service holding them.
 */
import { kind } from './meta.ts';
import { obj, str } from './dsl.ts';

const NET = 'io.k8s.api.networking.v1';

const ParentReference = obj(
  { group: str(), resource: str(), namespace: str(), name: str() },
  { name: `${NET}.ParentReference`, required: ['resource', 'name'] },
);

export const IPAddress = kind(`${NET}.IPAddress`, {
  spec: obj({ parentRef: ParentReference }, { name: `${NET}.IPAddressSpec`, required: ['parentRef'] }),
});

export const NodePortAllocation = kind('io.jetkube.allocation.v1.NodePortAllocation', {
  spec: obj({ parentRef: ParentReference }, { name: 'io.jetkube.allocation.v1.NodePortAllocationSpec', required: ['parentRef'] }),
});
