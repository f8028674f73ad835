/**
 * The protobuf messages kubectl's generators send, as data: for each message, field
 * number -> JSON name and type, written from Kubernetes' generated.proto files (k8s.io/api
 * core/v1, apps/v1, batch/v1, autoscaling/v1, policy/v1, rbac/v1, scheduling/v1,
 * networking/v1, authorization/v1, authentication/v1; apimachinery meta/v1, intstr,
 * resource). Only these messages; a field not listed is decoded only if it holds its zero
 * value (Go's marshaller writes every non-pointer field, set or not), else refused. The
 * vocabulary is in dsl.ts, the messages in messages/.
 */
import type { MessageSpec } from './dsl.ts';
import { ACCESS } from './messages/access.ts';
import { CLUSTER } from './messages/cluster.ts';
import { CORE } from './messages/core.ts';
import { META } from './messages/meta.ts';
import { POD } from './messages/pod.ts';
import { VOLUME } from './messages/volume.ts';
import { WORKLOADS } from './messages/workloads.ts';

export type { FieldSpec, FieldType, MessageSpec, ScalarType, SpecialType } from './dsl.ts';

/** Every message by name (names are unique across the packages we read). */
export const MESSAGES: Record<string, MessageSpec> = { ...META, ...CORE, ...POD, ...VOLUME, ...WORKLOADS, ...CLUSTER, ...ACCESS };

/** The top-level message of each object kind we decode, by "apiVersion/kind". */
export const KINDS: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'v1/ResourceQuota': 'ResourceQuota',
  'v1/Binding': 'Binding',
  'apps/v1/Deployment': 'Deployment',
  'batch/v1/Job': 'Job',
  'batch/v1/CronJob': 'CronJob',
  'autoscaling/v1/HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'policy/v1/Eviction': 'Eviction',
  'rbac.authorization.k8s.io/v1/Role': 'Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'ClusterRoleBinding',
  'scheduling.k8s.io/v1/PriorityClass': 'PriorityClass',
  'networking.k8s.io/v1/Ingress': 'Ingress',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'SelfSubjectRulesReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'SubjectAccessReview',
  'authorization.k8s.io/v1/LocalSubjectAccessReview': 'SubjectAccessReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'SelfSubjectReview',
  'authentication.k8s.io/v1/TokenRequest': 'TokenRequest',
  'authentication.k8s.io/v1/TokenReview': 'TokenReview',
};

/**
 * Kinds registered in every group version, whatever apiVersion the envelope names: a
 * typed client encodes DeleteOptions with its own group's version ("v1", "apps/v1").
 */
export const KINDS_IN_EVERY_VERSION: Record<string, string> = {
  DeleteOptions: 'DeleteOptions',
};
