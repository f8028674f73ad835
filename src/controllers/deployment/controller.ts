/**
 * The Deployment controller's wiring: which events enqueue which Deployment, and the
 * writes that carry out decideDeployment's actions. ReplicaSets enqueue their
 * controlling Deployment; pods enqueue the Deployment that controls their ReplicaSet
 * (Recreate waits for old pods to be gone); an orphan ReplicaSet enqueues every
 * Deployment of its namespace whose selector matches it, which may adopt it. No expectations: the new ReplicaSet's name
 * is deterministic, so a create the cache has not shown yet answers AlreadyExists, and
 * every update is pinned to the resourceVersion the decision saw (a race is a 409, then
 * a retry with backoff).
 */
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorMatches, type LabelSelector } from '../../api/selectors.ts';
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX, objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { Controller, enqueueObject, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { controllerRef, ownerKey } from '../runtime/owner.ts';
import { decideDeployment, type DeploymentAction } from './decide.ts';

export const DEPLOYMENTS = 'deployments.apps';
const REPLICASETS = 'replicasets.apps';
const PODS = 'pods';

export function newDeploymentController(
  client: ApiClient,
  factory: SharedInformerFactory,
  options: ControllerOptions & { recorder?: EventRecorder } = {},
): Controller {
  const clock: Clock = options.clock ?? realClock;
  const recorder = options.recorder ?? new ApiEventRecorder(client, 'deployment-controller', clock);
  const controller = new Controller('deployment', options);
  const deployments = factory.informerFor(DEPLOYMENTS);
  const replicaSets = factory.informerFor(REPLICASETS);
  const pods = factory.informerFor(PODS);

  const ownerOf = (o: KubeObject, kind: string): string | undefined => {
    const ref = controllerRef(o);
    return ref?.kind === kind && ref.apiVersion.startsWith('apps/') ? ownerKey(o, ref) : undefined;
  };
  const enqueueOwner = (rs: KubeObject) => {
    const key = ownerOf(rs, 'Deployment');
    if (key) controller.enqueue(key);
    else if (!controllerRef(rs)) enqueueMatching(rs);
  };
  const enqueueMatching = (rs: KubeObject) => {
    for (const d of deployments.indexer.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '')) {
      const selector = (d.spec as { selector?: LabelSelector } | undefined)?.selector;
      if (selector && labelSelectorMatches(selector, rs.metadata.labels)) controller.enqueue(objectKey(d));
    }
  };
  const enqueueForPod = (pod: KubeObject) => {
    const rsKey = ownerOf(pod, 'ReplicaSet');
    const rs = rsKey ? replicaSets.indexer.get(rsKey) : undefined;
    if (rs) enqueueOwner(rs);
  };

  controller.watch(deployments, enqueueObject(controller, objectKey));
  controller.watch(replicaSets, {
    onAdd: enqueueOwner,
    onUpdate: (old, rs) => {
      const before = ownerOf(old, 'Deployment');
      if (before && before !== ownerOf(rs, 'Deployment')) controller.enqueue(before);
      enqueueOwner(rs);
    },
    onDelete: (o) => enqueueOwner(deletedObject(o)),
  });
  controller.watch(pods, {
    onUpdate: (_old, pod) => {
      if (pod.metadata.deletionTimestamp) enqueueForPod(pod);
    },
    onDelete: (o) => enqueueForPod(deletedObject(o)),
  });

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const d = deployments.indexer.get(key);
    if (!d) return {};
    const ns = d.metadata.namespace ?? '';
    const inNamespace = replicaSets.indexer.byIndex(NAMESPACE_INDEX, ns);
    const decision = decideDeployment(d, inNamespace, pods.indexer.byIndex(NAMESPACE_INDEX, ns), clock.now());
    // Sizes as the decision saw them: after our write the cache may already show the new one.
    const sizeSeen = new Map(inNamespace.map((rs) => [rs.metadata.name, replicasOf(rs)]));
    await carryOut(client, d, decision.actions, (rs, from) => recordScaling(recorder, d, rs, from ?? sizeSeen.get(rs.metadata.name)));
    return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
  });
  return controller;
}

/** Called after a ReplicaSet write that may have changed its size (`from` given for a create: 0). */
type OnScaled = (rs: KubeObject, from?: number) => void;

const replicasOf = (rs: KubeObject | undefined): number | undefined => (rs?.spec as { replicas?: number } | undefined)?.replicas;

/** ScalingReplicaSet, as Kubernetes' scaleReplicaSet reports a size change. */
function recordScaling(recorder: EventRecorder, d: KubeObject, rs: KubeObject, from: number | undefined): void {
  const to = replicasOf(rs) ?? 0;
  if (from === undefined || from === to) return;
  const direction = to > from ? 'up' : 'down';
  recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name} from ${from} to ${to}`);
}

async function carryOut(client: ApiClient, d: KubeObject, actions: DeploymentAction[], onScaled: OnScaled): Promise<void> {
  let current = d;
  for (const action of actions) {
    switch (action.type) {
      case 'adoptReplicaSet':
      case 'releaseReplicaSet': {
        const { rs } = action;
        const patch = { metadata: { ownerReferences: action.ownerReferences, resourceVersion: rs.metadata.resourceVersion } };
        await client.patch(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, patch, 'merge').catch((e) => ignoreCode(e, 404));
        break;
      }
      case 'createReplicaSet':
        // Already there: the cache lagged our own earlier create; its event requeues us.
        if (await client.create(REPLICASETS, action.rs).catch((e) => ignoreCode(e, 409))) onScaled(action.rs, 0);
        break;
      case 'updateReplicaSet':
        await client.update(REPLICASETS, action.rs);
        onScaled(action.rs);
        break;
      case 'deleteReplicaSet':
        await client
          .delete(REPLICASETS, action.rs.metadata.namespace, action.rs.metadata.name!, { preconditions: { uid: action.rs.metadata.uid } })
          .catch((e) => ignoreCode(e, 404));
        break;
      case 'updateDeployment': {
        const patch = { metadata: { annotations: action.annotations, resourceVersion: current.metadata.resourceVersion } };
        current = await client.patch(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!, patch, 'merge');
        break;
      }
      case 'updateStatus':
        await client.update(DEPLOYMENTS, { ...current, status: action.status }, { subresource: 'status' }).catch((e) => ignoreCode(e, 404));
        break;
      default: {
        const never: never = action;
        throw new Error(`unknown action ${JSON.stringify(never)}`);
      }
    }
  }
}

function ignoreCode(error: unknown, code: number): undefined {
  if (error instanceof StatusError && error.code === code) return undefined;
  throw error;
}
