/**
 * The schema of every registered kind, by store key, and the operations the API server
 * runs on whole objects: unknown-field detection and pruning, structural checks and
 * OpenAPI generation.
 */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { ResourceType } from '../resource-type.ts';
import { DaemonSet, Deployment, ControllerRevision, ReplicaSet, StatefulSet } from './apps.ts';
import { CronJob, Job } from './batch.ts';
import { checkStructure } from './check.ts';
import {
  ConfigMap,
  Endpoints,
  Event,
  LimitRange,
  Namespace,
  Node,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from './core.ts';
import { Pod } from './core-pod.ts';
import { PersistentVolume, PersistentVolumeClaim } from './core-storage.ts';
import type { ObjectSchema, Schema } from './dsl.ts';
import { EndpointSlice, EventsV1Event, HorizontalPodAutoscaler, Lease, PodDisruptionBudget, PriorityClass, StorageClass } from './misc.ts';
import { Ingress, IngressClass, NetworkPolicy } from './networking.ts';
import { ComponentStatus, NodeMetrics, PodMetrics } from './computed.ts';
import { SelfSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview } from '../../auth/review-schemas.ts';
import { IPAddress, NodePortAllocation } from './allocation.ts';
import { toOpenApiSchema, type OpenApiSchema } from './openapi.ts';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './rbac.ts';
import { pruneWithSchema, unknownFieldPaths } from './unknown-fields.ts';

export { toOpenApiSchema, type OpenApiSchema } from './openapi.ts';
export { checkStructure } from './check.ts';
export type { Schema, ObjectSchema, Infer } from './dsl.ts';

const RBAC = 'rbac.authorization.k8s.io';

export const SCHEMAS: Readonly<Record<string, ObjectSchema>> = {
  namespaces: Namespace,
  nodes: Node,
  pods: Pod,
  services: Service,
  endpoints: Endpoints,
  configmaps: ConfigMap,
  secrets: Secret,
  serviceaccounts: ServiceAccount,
  events: Event,
  persistentvolumes: PersistentVolume,
  persistentvolumeclaims: PersistentVolumeClaim,
  resourcequotas: ResourceQuota,
  limitranges: LimitRange,
  replicationcontrollers: ReplicationController,
  'deployments.apps': Deployment,
  'replicasets.apps': ReplicaSet,
  'statefulsets.apps': StatefulSet,
  'daemonsets.apps': DaemonSet,
  'controllerrevisions.apps': ControllerRevision,
  'jobs.batch': Job,
  'cronjobs.batch': CronJob,
  'horizontalpodautoscalers.autoscaling': HorizontalPodAutoscaler,
  'poddisruptionbudgets.policy': PodDisruptionBudget,
  'leases.coordination.k8s.io': Lease,
  'endpointslices.discovery.k8s.io': EndpointSlice,
  'events.events.k8s.io': EventsV1Event,
  'ingresses.networking.k8s.io': Ingress,
  'ingressclasses.networking.k8s.io': IngressClass,
  'networkpolicies.networking.k8s.io': NetworkPolicy,
  'ipaddresses.networking.k8s.io': IPAddress,
  'nodeportallocations.allocation.jetkube.io': NodePortAllocation,
  'storageclasses.storage.k8s.io': StorageClass,
  componentstatuses: ComponentStatus,
  'nodes.metrics.k8s.io': NodeMetrics,
  'pods.metrics.k8s.io': PodMetrics,
  'selfsubjectaccessreviews.authorization.k8s.io': SelfSubjectAccessReview,
  'selfsubjectrulesreviews.authorization.k8s.io': SelfSubjectRulesReview,
  'selfsubjectreviews.authentication.k8s.io': SelfSubjectReview,
  'priorityclasses.scheduling.k8s.io': PriorityClass,
  [`roles.${RBAC}`]: Role,
  [`clusterroles.${RBAC}`]: ClusterRole,
  [`rolebindings.${RBAC}`]: RoleBinding,
  [`clusterrolebindings.${RBAC}`]: ClusterRoleBinding,
};

export function schemaFor(rt: Pick<ResourceType, 'key'> | string): ObjectSchema | undefined {
  const k = typeof rt === 'string' ? rt : rt.key;
  return Object.prototype.hasOwnProperty.call(SCHEMAS, k) ? SCHEMAS[k] : undefined;
}

/** Paths of the fields in `obj` that its kind does not have; [] for a kind without a schema. */
export function findUnknownFields(rt: Pick<ResourceType, 'key'>, obj: unknown): string[] {
  const schema = schemaFor(rt);
  return schema ? unknownFieldPaths(schema, obj) : [];
}

/** A copy of `obj` without the fields its kind does not have. */
export function pruneUnknownFields<T extends KubeObject>(rt: Pick<ResourceType, 'key'>, obj: T): T {
  const schema = schemaFor(rt);
  return schema ? pruneWithSchema(schema, obj) : obj;
}

/** Type, enum, bound and format errors of a whole object. */
export function structuralErrors(rt: Pick<ResourceType, 'key'>, obj: unknown): FieldError[] {
  const schema = schemaFor(rt);
  return schema ? checkStructure(schema, obj) : [];
}

/** The OpenAPI v3 schema of a kind, with every named type it uses collected in `components`. */
export function openApiSchemaFor(rt: Pick<ResourceType, 'key'>, components: Record<string, OpenApiSchema>): OpenApiSchema | undefined {
  const schema: Schema | undefined = schemaFor(rt);
  return schema ? toOpenApiSchema(schema, components) : undefined;
}
