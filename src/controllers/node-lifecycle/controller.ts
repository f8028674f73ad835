/**
 * The node lifecycle controller's wiring: the key is a node name. A node that changes,
 * its Lease in kube-node-lease being renewed, or a Ready pod landing on an unreachable
 * node enqueues the node; every node is also looked at again each monitor period (and
 * when its grace period would run out), since silence is what this controller watches
 * for. The health records (when we last had news of each kubelet, on our clock) live
 * here, in memory: a new leader starts every node with a fresh grace period, as
 * Kubernetes does (and records RegisteredNode for every node it starts watching, and
 * RemovingNode when one goes). Writes follow decideNodeLifecycle: the status update
 * first (pinned), then the taints on the node that update returned (pinned), then each
 * pod's Ready condition (pinned); a conflict throws and the key is retried with backoff.
 * With stopEvictionsWhenAllNodesDown, a DisruptionTracker fed by the node events says
 * when no node at all is Ready; then no NoExecute taint is written.
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NODE_NAME_INDEX } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { componentLogger } from '../../log.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { decideNodeTaints } from './decide-taints.ts';
import { isNodeUnreachable, markPodNotReady, POD_NOT_READY_EVENT } from './decide-pods.ts';
import { DisruptionTracker } from './disruption.ts';
import { decideNodeLifecycle, DEFAULT_NODE_LIFECYCLE_TIMINGS, withConditions, withTaints, type NodeLifecycleTimings } from './decide.ts';
import type { NodeHealth } from './health.ts';

const log = componentLogger('node-lifecycle');

export const NODES = 'nodes';
export const PODS = 'pods';
export const LEASES = 'leases.coordination.k8s.io';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLifecycleControllerOptions extends ControllerOptions {
  recorder?: EventRecorder;
  timings?: Partial<NodeLifecycleTimings>;
  /**
   * Stop evictions while no node at all is Ready (Kubernetes' master disruption mode;
   * disruption.ts). Off by default here, so a one-node cluster still evicts from its
   * silent node; Kubernetes always does it.
   */
  stopEvictionsWhenAllNodesDown?: boolean;
}

export interface NodeLifecycleController {
  controller: Controller;
  /** The health records, by node name (read-only: for tests and debugging). */
  health: ReadonlyMap<string, NodeHealth>;
}

export function newNodeLifecycleController(client: ApiClient, factory: SharedInformerFactory, options: NodeLifecycleControllerOptions = {}): NodeLifecycleController {
  const clock: Clock = options.clock ?? realClock;
  const timings: NodeLifecycleTimings = { ...DEFAULT_NODE_LIFECYCLE_TIMINGS, ...options.timings };
  const recorder = options.recorder ?? new ApiEventRecorder(client, 'node-controller', clock);
  const controller = new Controller('node-lifecycle', options);
  const health = new Map<string, NodeHealth>();
  // The newest resourceVersion we wrote per node: a cache still behind it would only earn a 409.
  const written = new Map<string, number>();
  const nodes = factory.informerFor(NODES);
  // The cluster's one Lease informer (the garbage collector follows every Lease too), as
  // Kubernetes shares it: a second watch of kube-node-lease alone decoded every renewal twice.
  const leases = factory.informerFor(LEASES);
  const pods = factory.informerFor(PODS);
  const disruption = new DisruptionTracker();
  const evictionsStopped = (node: KubeObject) => !!options.stopEvictionsWhenAllNodesDown && disruption.allDisruptedWith(node);
  const onDisruptionChange = (changed: boolean) => {
    if (!changed || !options.stopEvictionsWhenAllNodesDown) return;
    if (!disruption.allDisrupted) {
      // Leaving disruption mode: every node gets a fresh grace period, as in Kubernetes.
      const now = clock.now();
      for (const [name, record] of health) health.set(name, { ...record, probeTimestamp: now });
    }
    for (const name of nodes.indexer.listKeys()) controller.enqueue(name);
  };

  controller.watch(nodes, {
    onAdd: (node) => {
      onDisruptionChange(disruption.observe(node));
      controller.enqueue(node.metadata.name!);
    },
    onUpdate: (_old, node) => {
      onDisruptionChange(disruption.observe(node));
      controller.enqueue(node.metadata.name!);
    },
    onDelete: (o) => {
      const node = deletedObject(o);
      const name = node.metadata.name!;
      onDisruptionChange(disruption.forget(name));
      if (health.has(name)) recorder.record(node, 'Normal', 'RemovingNode', `Removing Node ${name} from Controller`);
      health.delete(name);
      written.delete(name);
      controller.enqueue(name);
    },
  });
  const onLease = (lease: KubeObject) => {
    if (lease.metadata.namespace === NODE_LEASE_NAMESPACE) controller.enqueue(lease.metadata.name!);
  };
  controller.watch(leases, { onAdd: onLease, onUpdate: (_old, lease) => onLease(lease) });
  const onPod = (pod: KubeObject) => {
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    const node = nodeName ? nodes.indexer.get(nodeName) : undefined;
    if (node && isNodeUnreachable(node) && markPodNotReady(pod, clock.now())) controller.enqueue(nodeName!);
  };
  controller.watch(pods, { onAdd: onPod, onUpdate: (_old, pod) => onPod(pod) });

  controller.reconcileWith(async (name): Promise<ReconcileResult> => {
    const node = nodes.indexer.get(name);
    if (!node) {
      health.delete(name);
      written.delete(name);
      return {};
    }
    // Our own write is on its way to the cache; its update event enqueues the node again.
    if (Number(node.metadata.resourceVersion) < (written.get(name) ?? 0)) return { requeueAfterMs: timings.monitorPeriodMs };
    const now = clock.now();
    const decision = decideNodeLifecycle({
      node,
      lease: leases.indexer.getBy(NODE_LEASE_NAMESPACE, name),
      podsOnNode: () => pods.indexer.byIndex(NODE_NAME_INDEX, name),
      previous: health.get(name),
      now,
      timings,
      evictionsStopped,
    });
    if (!health.has(name)) recorder.record(node, 'Normal', 'RegisteredNode', `Registered Node ${name} in Controller`);
    health.set(name, decision.health);

    let current = node;
    const remember = (object: KubeObject | undefined) => {
      if (object) written.set(name, Number(object.metadata.resourceVersion) || 0);
      return object;
    };
    if (decision.statusConditions) {
      const updated = remember(await client.update(NODES, withConditions(node, decision.statusConditions), { subresource: 'status' }).catch(unlessNotFound));
      if (!updated) return {};
      current = updated;
      if (decision.becameNotReady) {
        log.info({ node: name, msSinceNews: now - decision.health.probeTimestamp, pods: decision.podsNotReady.length }, 'node stopped posting status: marked NotReady');
        recorder.record(current, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    // Decided again on what the status write returned, so the update is pinned to it.
    const taints = current === node ? decision.taints : decideNodeTaints(current, now, evictionsStopped(current));
    if (taints) {
      const updated = remember(await client.update(NODES, withTaints(current, taints)).catch(unlessNotFound));
      if (!updated) return {};
    }
    const errors: unknown[] = [];
    for (const pod of decision.podsNotReady) {
      try {
        await client.update(PODS, pod, { subresource: 'status' });
        recorder.record(pod, POD_NOT_READY_EVENT.type, POD_NOT_READY_EVENT.reason, POD_NOT_READY_EVENT.message);
      } catch (error) {
        if (!(error instanceof StatusError && error.code === 404)) errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
    return { requeueAfterMs: decision.requeueAfterMs };
  });
  return { controller, health };
}

function unlessNotFound(error: unknown): undefined {
  if (error instanceof StatusError && error.code === 404) return undefined;
  throw error;
}
