/**
 * The resource registry: every kind the API serves, with the metadata Kubernetes
 * publishes in discovery (group, version, plural, short names, categories, scope, verbs,
 * subresources). Order matters for lookups by name: the first match wins, as kubectl
 * prefers the core group (so "events" and "ev" mean core/v1 Event).
 */
import type { ResourceType } from './resource-type.ts';

const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface Entry {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  hasGeneration?: boolean;
  /** Default: every verb. Read-only kinds the API server computes instead of storing say get and list. */
  verbs?: string[];
}

function define(entry: Entry): ResourceType {
  return {
    group: entry.group,
    version: entry.version,
    kind: entry.kind,
    plural: entry.plural,
    singular: entry.kind.toLowerCase(),
    shortNames: entry.shortNames ?? [],
    categories: entry.categories ?? [],
    namespaced: entry.namespaced,
    verbs: entry.verbs ?? STANDARD_VERBS,
    subresources: entry.subresources ?? [],
    key: entry.group ? `${entry.plural}.${entry.group}` : entry.plural,
    apiVersion: entry.group ? `${entry.group}/${entry.version}` : entry.version,
    hasGeneration: entry.hasGeneration ?? false,
  };
}

const inGroup = (group: string, version: string) => (e: Omit<Entry, 'group' | 'version'>) => define({ group, version, ...e });
const core = inGroup('', 'v1');
const apps = inGroup('apps', 'v1');
const batch = inGroup('batch', 'v1');
const networking = inGroup('networking.k8s.io', 'v1');
const rbac = inGroup('rbac.authorization.k8s.io', 'v1');
const ALL = ['all'];
/** Kinds computed on read, never stored: ComponentStatus, and the resource metrics of kubectl top. */
const READ_ONLY = ['get', 'list'];
const STATUS = ['status'];
const SCALE_STATUS = ['scale', 'status'];

export const RESOURCES: readonly ResourceType[] = Object.freeze([
  core({ kind: 'ComponentStatus', plural: 'componentstatuses', namespaced: false, shortNames: ['cs'], verbs: READ_ONLY }),
  core({ kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], subresources: ['finalize', 'status'] }),
  core({ kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], subresources: ['proxy', 'status'] }),
  core({
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ALL,
    subresources: ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'status'],
  }),
  core({ kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ALL, subresources: ['proxy', 'status'] }),
  core({ kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'] }),
  core({ kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  core({ kind: 'Secret', plural: 'secrets', namespaced: true }),
  core({ kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'], subresources: ['token'] }),
  core({ kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] }),
  core({ kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'], subresources: STATUS }),
  core({ kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], subresources: STATUS }),
  core({ kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, shortNames: ['quota'], subresources: STATUS }),
  core({ kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits'] }),
  core({
    kind: 'ReplicationController',
    plural: 'replicationcontrollers',
    namespaced: true,
    shortNames: ['rc'],
    categories: ALL,
    subresources: SCALE_STATUS,
    hasGeneration: true,
  }),
  apps({ kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ALL, subresources: SCALE_STATUS, hasGeneration: true }),
  apps({ kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ALL, subresources: SCALE_STATUS, hasGeneration: true }),
  apps({ kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ALL, subresources: SCALE_STATUS, hasGeneration: true }),
  apps({ kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ALL, subresources: STATUS, hasGeneration: true }),
  apps({ kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true }),
  batch({ kind: 'Job', plural: 'jobs', namespaced: true, categories: ALL, subresources: STATUS, hasGeneration: true }),
  batch({ kind: 'CronJob', plural: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ALL, subresources: STATUS, hasGeneration: true }),
  define({
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ALL,
    subresources: STATUS,
    hasGeneration: true,
  }),
  define({
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: STATUS,
    hasGeneration: true,
  }),
  define({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true }),
  define({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true, hasGeneration: true }),
  define({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] }),
  networking({ kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'], subresources: STATUS, hasGeneration: true }),
  networking({ kind: 'IngressClass', plural: 'ingressclasses', namespaced: false, hasGeneration: true }),
  networking({ kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'], hasGeneration: true }),
  // One object per allocated ClusterIP (Kubernetes 1.33's GA kind) and per NodePort (ours):
  // a create-only compare-and-set in the log is what keeps two API servers from handing
  // out one address (src/apiserver/service-allocation.ts).
  networking({ kind: 'IPAddress', plural: 'ipaddresses', namespaced: false, shortNames: ['ip'] }),
  define({ group: 'allocation.jetkube.io', version: 'v1', kind: 'NodePortAllocation', plural: 'nodeportallocations', namespaced: false }),
  define({ group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] }),
  define({ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'] }),
  rbac({ kind: 'Role', plural: 'roles', namespaced: true }),
  rbac({ kind: 'ClusterRole', plural: 'clusterroles', namespaced: false }),
  rbac({ kind: 'RoleBinding', plural: 'rolebindings', namespaced: true }),
  rbac({ kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false }),
  // Reviews: computed answers about the caller, create only, never stored (src/auth/reviews.ts).
  define({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] }),
  define({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: ['create'] }),
  define({ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'] }),
  // Last, so that names like "pods" find the core kinds first.
  define({ group: 'metrics.k8s.io', version: 'v1beta1', kind: 'NodeMetrics', plural: 'nodes', namespaced: false, verbs: READ_ONLY }),
  define({ group: 'metrics.k8s.io', version: 'v1beta1', kind: 'PodMetrics', plural: 'pods', namespaced: true, verbs: READ_ONLY }),
]);

const byKey = new Map(RESOURCES.map((rt) => [rt.key, rt]));

/** By store key: "pods", "deployments.apps". */
export function resourceByKey(key: string): ResourceType | undefined {
  return byKey.get(key);
}

/** By URL coordinates: ("apps", "v1", "deployments"); "" is the core group. */
export function resourceFor(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((rt) => rt.group === group && rt.version === version && rt.plural === plural);
}

/** By an object's own apiVersion and kind. */
export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCES.find((rt) => rt.apiVersion === apiVersion && rt.kind === kind);
}

const namesOf = (rt: ResourceType) => [rt.plural, rt.singular, rt.kind.toLowerCase(), ...rt.shortNames];

/**
 * What a user typed on a command line: plural, singular, short name or kind (any case),
 * optionally qualified by group or version and group: "deploy", "Deployment",
 * "deployments.apps", "deployments.v1.apps".
 */
export function resolveResourceName(text: string): ResourceType | undefined {
  const wanted = text.trim().toLowerCase();
  if (wanted === '') return undefined;
  const plain = RESOURCES.find((rt) => namesOf(rt).includes(wanted));
  if (plain) return plain;
  const dot = wanted.indexOf('.');
  if (dot <= 0) return undefined;
  const name = wanted.slice(0, dot);
  const qualifier = wanted.slice(dot + 1);
  return RESOURCES.find(
    (rt) => namesOf(rt).includes(name) && (qualifier === rt.group || qualifier === `${rt.version}.${rt.group}`),
  );
}
