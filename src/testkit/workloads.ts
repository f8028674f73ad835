/**
 * jetkube's own workload decisions as testkit controllers, to test them together or to
 * put a user's controller next to them: the Deployment and ReplicaSet controllers, the
 * garbage collector's dependent check (background deletion), and a kubelet stand-in that
 * makes every pod Running and Ready. Each runs the pure decision function the real
 * controller runs, over every object of its kind, and turns its actions into writes.
 */
import type { KubeObject, OwnerReference } from '../api/object.ts';
import { resourceForKind } from '../api/registry.ts';
import { decideDeployment } from '../controllers/deployment/decide.ts';
import { decideDependent, type OwnerView } from '../controllers/garbage-collector/decide.ts';
import { decideReplicaSet } from '../controllers/replicaset/decide.ts';
import { newControllerRef } from '../controllers/runtime/owner.ts';
import type { ControllerWrite, TestController } from './controller.ts';
import type { ClusterView } from './memory-api.ts';

const PODS = 'pods';
const REPLICASETS = 'replicasets.apps';
const DEPLOYMENTS = 'deployments.apps';

const ns = (o: KubeObject) => o.metadata.namespace ?? '';
const withOwners = (o: KubeObject, ownerReferences: OwnerReference[]): KubeObject => ({ ...o, metadata: { ...o.metadata, ownerReferences } });

export const deploymentController: TestController = {
  name: 'deployment',
  reconcile(view: ClusterView): ControllerWrite[] {
    const writes: ControllerWrite[] = [];
    for (const d of view.list(DEPLOYMENTS)) {
      const { actions } = decideDeployment(d, view.list(REPLICASETS, ns(d)), view.list(PODS, ns(d)), view.now);
      for (const action of actions) {
        switch (action.type) {
          case 'adoptReplicaSet':
          case 'releaseReplicaSet':
            writes.push({ type: 'update', object: withOwners(action.rs, action.ownerReferences) });
            break;
          case 'createReplicaSet':
            writes.push({ type: 'create', object: action.rs });
            break;
          case 'updateReplicaSet':
            writes.push({ type: 'update', object: action.rs });
            break;
          case 'deleteReplicaSet':
            writes.push({ type: 'delete', resource: REPLICASETS, namespace: ns(d), name: action.rs.metadata.name!, uid: action.rs.metadata.uid! });
            break;
          case 'updateDeployment':
            writes.push({ type: 'updateMetadata', resource: DEPLOYMENTS, namespace: ns(d), name: d.metadata.name!, metadata: { annotations: action.annotations } });
            break;
          case 'updateStatus':
            writes.push({ type: 'updateStatus', resource: DEPLOYMENTS, namespace: ns(d), name: d.metadata.name!, status: action.status });
            break;
        }
      }
    }
    return writes;
  },
};

export const replicaSetController: TestController = {
  name: 'replicaset',
  reconcile(view: ClusterView): ControllerWrite[] {
    const writes: ControllerWrite[] = [];
    for (const rs of view.list(REPLICASETS)) {
      const { actions } = decideReplicaSet(rs, view.list(PODS, ns(rs)), view.now, { expectationsSatisfied: true });
      for (const action of actions) {
        switch (action.type) {
          case 'adoptPod':
            writes.push({ type: 'update', object: withOwners(action.pod, [...(action.pod.metadata.ownerReferences ?? []), newControllerRef(rs)]) });
            break;
          case 'releasePod':
            writes.push({ type: 'update', object: withOwners(action.pod, (action.pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid)) });
            break;
          case 'createPod':
            writes.push({ type: 'create', object: action.pod });
            break;
          case 'deletePod':
            writes.push({ type: 'delete', resource: PODS, namespace: ns(rs), name: action.pod.metadata.name!, uid: action.pod.metadata.uid! });
            break;
          case 'updateStatus':
            writes.push({ type: 'update', object: { ...rs, status: action.status }, subresource: 'status' });
            break;
        }
      }
    }
    return writes;
  },
};

/** The garbage collector for the given dependent resources: dependents whose owners are all gone are deleted. */
export function garbageCollector(dependents: readonly string[] = [REPLICASETS, PODS]): TestController {
  return {
    name: 'garbage-collector',
    reconcile(view: ClusterView): ControllerWrite[] {
      const writes: ControllerWrite[] = [];
      const present = (o: KubeObject, ref: OwnerReference) => {
        const rt = resourceForKind(ref.apiVersion, ref.kind);
        if (!rt) return 'unknown' as const;
        return view.list(rt.key, rt.namespaced ? ns(o) : undefined).some((owner) => owner.metadata.uid === ref.uid) ? ('present' as const) : ('absent' as const);
      };
      for (const resource of dependents) {
        for (const o of view.list(resource)) {
          const owners: OwnerView[] = (o.metadata.ownerReferences ?? []).map((ref) => ({ ref, state: present(o, ref) }));
          for (const action of decideDependent(o, owners)) {
            if (action.type === 'deleteObject') writes.push({ type: 'delete', resource, namespace: ns(o), name: o.metadata.name!, uid: o.metadata.uid! });
            else if (action.type === 'removeOwnerRefs') writes.push({ type: 'update', object: withOwners(o, action.keep) });
          }
        }
      }
      return writes;
    },
  };
}

/** A kubelet stand-in: every pod not yet Running becomes Running and Ready at the current time. */
export const readyKubelet: TestController = {
  name: 'kubelet',
  reconcile(view: ClusterView): ControllerWrite[] {
    const at = new Date(view.now).toISOString();
    return view
      .list(PODS)
      .filter((pod) => (pod.status as { phase?: string } | undefined)?.phase !== 'Running')
      .map((pod) => ({
        type: 'updateStatus' as const,
        resource: PODS,
        namespace: ns(pod),
        name: pod.metadata.name!,
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] },
      }));
  },
};

/** The Deployment, ReplicaSet and GC decisions and the kubelet stand-in, in the order a round runs them. */
export const workloadControllers: readonly TestController[] = [deploymentController, replicaSetController, garbageCollector(), readyKubelet];
