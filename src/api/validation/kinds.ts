/**
 * The semantic rules of each kind, by store key. A kind's rules receive an object that
 * already passed the structural checks of its schema, with nulls removed.
 */
import type { FieldError } from '../errors.ts';
import * as apps from './apps.ts';
import * as batch from './batch.ts';
import * as cluster from './cluster.ts';
import * as config from './config.ts';
import * as networking from './networking.ts';
import * as pod from './pod.ts';
import * as policy from './policy.ts';
import * as rbac from './rbac.ts';
import * as service from './service.ts';
import * as storage from './storage.ts';

export interface KindRules {
  validate(object: object): FieldError[];
  validateUpdate?(object: object, old: object): FieldError[];
}

/** Types the rule functions over their kind; the caller guarantees the shape. */
function rules<T>(validate: (object: T) => FieldError[], validateUpdate?: (object: T, old: T) => FieldError[]): KindRules {
  return {
    validate: validate as (object: object) => FieldError[],
    ...(validateUpdate ? { validateUpdate: validateUpdate as (object: object, old: object) => FieldError[] } : {}),
  };
}

const RBAC = 'rbac.authorization.k8s.io';

export const KIND_RULES: Readonly<Record<string, KindRules>> = {
  namespaces: rules(cluster.validateNamespace),
  nodes: rules(cluster.validateNode, cluster.validateNodeUpdate),
  pods: rules(pod.validatePod, pod.validatePodUpdate),
  services: rules(service.validateService, service.validateServiceUpdate),
  endpoints: rules(service.validateEndpoints),
  configmaps: rules(config.validateConfigMap, config.validateConfigMapUpdate),
  secrets: rules(config.validateSecret, config.validateSecretUpdate),
  events: rules(cluster.validateEvent),
  persistentvolumes: rules(storage.validatePersistentVolume, storage.validatePersistentVolumeUpdate),
  persistentvolumeclaims: rules(storage.validatePersistentVolumeClaim, storage.validatePersistentVolumeClaimUpdate),
  resourcequotas: rules(cluster.validateResourceQuota),
  limitranges: rules(cluster.validateLimitRange),
  replicationcontrollers: rules(apps.validateReplicationController),
  'deployments.apps': rules(apps.validateDeployment, apps.validateDeploymentUpdate),
  'replicasets.apps': rules(apps.validateReplicaSet, apps.validateReplicaSetUpdate),
  'statefulsets.apps': rules(apps.validateStatefulSet, apps.validateStatefulSetUpdate),
  'daemonsets.apps': rules(apps.validateDaemonSet, apps.validateDaemonSetUpdate),
  'controllerrevisions.apps': rules(apps.validateControllerRevision, apps.validateControllerRevisionUpdate),
  'jobs.batch': rules(batch.validateJob, batch.validateJobUpdate),
  'cronjobs.batch': rules(batch.validateCronJob),
  'horizontalpodautoscalers.autoscaling': rules(policy.validateHorizontalPodAutoscaler),
  'poddisruptionbudgets.policy': rules(policy.validatePodDisruptionBudget),
  'leases.coordination.k8s.io': rules(cluster.validateLease),
  'endpointslices.discovery.k8s.io': rules(service.validateEndpointSlice, service.validateEndpointSliceUpdate),
  'events.events.k8s.io': rules(cluster.validateEventsV1Event),
  'ingresses.networking.k8s.io': rules(networking.validateIngress),
  'ingressclasses.networking.k8s.io': rules(networking.validateIngressClass, networking.validateIngressClassUpdate),
  'networkpolicies.networking.k8s.io': rules(networking.validateNetworkPolicy),
  'storageclasses.storage.k8s.io': rules(storage.validateStorageClass, storage.validateStorageClassUpdate),
  [`roles.${RBAC}`]: rules(rbac.validateRole),
  [`clusterroles.${RBAC}`]: rules(rbac.validateClusterRole),
  [`rolebindings.${RBAC}`]: rules(rbac.validateRoleBinding, rbac.validateBindingUpdate),
  [`clusterrolebindings.${RBAC}`]: rules(rbac.validateClusterRoleBinding, rbac.validateBindingUpdate),
};
