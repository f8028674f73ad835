/**
 * applyDefaults: the values Kubernetes fills in when a request is decoded (the v1
 * SetDefaults_* functions), per kind. Pure: it returns a new object, with nulls
 * removed (decoding makes null "unset"), and leaves ill-typed fields for validation.
 * Applying it twice gives the same object as applying it once.
 */
import { withoutNulls } from './json.ts';
import { isPlainObject, type KubeObject } from './object.ts';
import type { ResourceType } from './resource-type.ts';
import type { Obj } from './defaults/kit.ts';
import { defaultPod } from './defaults/pod.ts';
import {
  defaultCronJob,
  defaultDaemonSet,
  defaultDeployment,
  defaultJob,
  defaultReplicaSet,
  defaultReplicationController,
  defaultStatefulSet,
} from './defaults/workloads.ts';
import {
  defaultEndpoints,
  defaultLimitRange,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultSecret,
  defaultService,
} from './defaults/core.ts';
import {
  defaultBinding,
  defaultEndpointSlice,
  defaultHorizontalPodAutoscaler,
  defaultIngressClass,
  defaultNetworkPolicy,
  defaultStorageClass,
} from './defaults/other.ts';

const RBAC = 'rbac.authorization.k8s.io';

const DEFAULTERS: Readonly<Record<string, (object: Obj) => void>> = {
  pods: defaultPod,
  services: defaultService,
  endpoints: defaultEndpoints,
  secrets: defaultSecret,
  namespaces: defaultNamespace,
  nodes: defaultNode,
  persistentvolumes: defaultPersistentVolume,
  persistentvolumeclaims: defaultPersistentVolumeClaim,
  limitranges: defaultLimitRange,
  replicationcontrollers: defaultReplicationController,
  'deployments.apps': defaultDeployment,
  'replicasets.apps': defaultReplicaSet,
  'statefulsets.apps': defaultStatefulSet,
  'daemonsets.apps': defaultDaemonSet,
  'jobs.batch': defaultJob,
  'cronjobs.batch': defaultCronJob,
  'horizontalpodautoscalers.autoscaling': defaultHorizontalPodAutoscaler,
  'endpointslices.discovery.k8s.io': defaultEndpointSlice,
  'ingressclasses.networking.k8s.io': defaultIngressClass,
  'networkpolicies.networking.k8s.io': defaultNetworkPolicy,
  'storageclasses.storage.k8s.io': defaultStorageClass,
  [`rolebindings.${RBAC}`]: defaultBinding,
  [`clusterrolebindings.${RBAC}`]: defaultBinding,
};

export function applyDefaults<T extends KubeObject>(rt: ResourceType, obj: T): T {
  const copy = withoutNulls(obj);
  if (!isPlainObject(copy)) return copy;
  const defaulter = Object.hasOwn(DEFAULTERS, rt.key) ? DEFAULTERS[rt.key] : undefined;
  defaulter?.(copy as Obj);
  return copy;
}
