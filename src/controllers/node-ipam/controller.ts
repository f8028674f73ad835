/**
 * The node IPAM controller's wiring (the range allocator): the key is a Node's name; one
 * worker, so two Nodes never race for one subnet inside this controller, and the
 * subnets it assigned are remembered until their Node is gone, so an informer that has
 * not yet shown an assignment never makes it hand the subnet out twice. The write is a
 * merge patch of spec.podCIDR and spec.podCIDRs pinned to the Node's resourceVersion.
 * Only the Lease holder runs it, so two controller managers never assign at once.
 */
import type { ApiClient } from '../../client/api-client.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { componentLogger } from '../../log.ts';
import { CLUSTER_POD_CIDR } from '../../net/cluster-network.ts';
import { NODE_SUBNET_BITS, subnetPlan } from '../../net/pod-cidrs.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { Controller, type ControllerOptions } from '../runtime/controller.ts';
import { decideNodeCIDR, needsCIDR } from './decide.ts';
import { SubnetOccupancy } from './occupancy.ts';

const log = componentLogger('node-ipam');

export interface NodeIpamControllerOptions extends ControllerOptions {
  clusterCIDR?: string;
  nodeSubnetBits?: number;
  recorder?: EventRecorder;
}

export function newNodeIpamController(client: ApiClient, factory: SharedInformerFactory, options: NodeIpamControllerOptions = {}): Controller {
  const plan = subnetPlan(options.clusterCIDR ?? CLUSTER_POD_CIDR, options.nodeSubnetBits ?? NODE_SUBNET_BITS);
  const recorder = options.recorder ?? new ApiEventRecorder(client, 'cidrAllocator');
  const controller = new Controller('node-ipam', { ...options, workers: 1 });
  const nodes = factory.informerFor('nodes');
  const occupancy = new SubnetOccupancy(plan);
  /** Subnet index -> the Node this controller assigned it to. */
  const assigned = new Map<number, string>();
  const forgetAssignment = (name: string) => {
    for (const [index, holder] of assigned) if (holder === name) assigned.delete(index);
  };
  let nextCandidate = 0;

  controller.watch(nodes, {
    onAdd: (node) => {
      occupancy.observe(node.metadata.name!, node);
      controller.enqueue(node.metadata.name!);
    },
    onUpdate: (_old, node) => {
      occupancy.observe(node.metadata.name!, node);
      controller.enqueue(node.metadata.name!);
    },
    onDelete: (o) => {
      const name = deletedObject(o).metadata.name!;
      occupancy.forget(name);
      forgetAssignment(name);
    },
  });

  controller.reconcileWith(async (name) => {
    const node = nodes.indexer.get(name);
    if (!needsCIDR(node)) return;
    const occupied = { has: (index: number) => occupancy.has(index) || (assigned.get(index) ?? name) !== name };
    const decision = decideNodeCIDR(plan, node, occupied, nextCandidate);
    if (decision.type === 'none') return;
    if (decision.type === 'exhausted') {
      recorder.record(node!, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      return { requeueAfterMs: 30_000 };
    }
    await client.patch('nodes', undefined, name, { metadata: { resourceVersion: node!.metadata.resourceVersion }, spec: { podCIDR: decision.podCIDR, podCIDRs: [decision.podCIDR] } }, 'merge');
    forgetAssignment(name);
    assigned.set(decision.index, name);
    nextCandidate = (decision.index + 1) % plan.count;
    log.info({ node: name, podCIDR: decision.podCIDR }, 'assigned the node its pod CIDR');
  });
  return controller;
}
