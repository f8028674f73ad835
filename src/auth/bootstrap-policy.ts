/**
 * The ClusterRoles and ClusterRoleBindings every cluster starts with, as Kubernetes'
 * bootstrappolicy (trimmed to the resources jetkube serves), created by the API server
 * at start when missing and never overwritten after: an operator may have edited them.
 */
import { StatusError } from '../api/errors.ts';
import type { Pipeline } from '../apiserver/pipeline.ts';
import { COMPONENT_USERS, NODES_GROUP } from './nats-identity.ts';
import type { PolicyRule } from './rbac.ts';

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

/** What `view` may read: namespaced workload objects, never Secrets or RBAC. */
const VIEW_RULES: PolicyRule[] = [
  rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['metrics.k8s.io'], ['pods', 'nodes']),
];

const EDIT_RULES: PolicyRule[] = [
  rule(['create'], [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'pods/eviction']),
  rule([...READ, 'impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, [''], ['secrets']),
  ...VIEW_RULES,
];

const ADMIN_RULES: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule([...READ, ...WRITE], ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
  ...EDIT_RULES,
];

const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];

const SCHEDULER_RULES: PolicyRule[] = [
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
  rule(['create'], [''], ['bindings', 'pods/binding']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(READ, [''], ['nodes', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'replicationcontrollers', 'services', 'configmaps']),
  rule(READ, ['apps', 'extensions'], ['replicasets', 'statefulsets']),
  rule(READ, ['policy'], ['poddisruptionbudgets']),
  rule(READ, ['storage.k8s.io'], ['csidrivers', 'csinodes', 'csistoragecapacities', 'storageclasses']),
];

/**
 * The controller manager runs every controller under one identity (Kubernetes without
 * --use-service-account-credentials), so its role is the union of what Kubernetes gives
 * each controller's ServiceAccount, trimmed to what jetkube's controllers call:
 * - the garbage collector and the namespace controller read, update and delete objects of
 *   every kind (Kubernetes' generic-garbage-collector and namespace-controller roles hold
 *   `*` on `*` for these verbs), which covers every controller's reads, status writes
 *   (status, finalize subresources) and deletes;
 * - creates are named one by one: pods (replicaset, job, daemonset, statefulset),
 *   replicasets (deployment), controllerrevisions (daemonset, statefulset), jobs (cronjob),
 *   endpoints and endpointslices, serviceaccounts (default SA), configmaps
 *   (kube-root-ca.crt), persistentvolumeclaims (statefulset) and persistentvolumes and the
 *   default storageclass (provisioner), events, its leader lease;
 * - no create of Secrets, RBAC objects or nodes, no impersonate, escalate or bind.
 */
const CONTROLLER_MANAGER_RULES: PolicyRule[] = [
  rule([...READ, 'update', 'patch', 'delete', 'deletecollection'], ['*'], ['*']),
  rule(['create'], [''], ['pods', 'endpoints', 'serviceaccounts', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes', 'events', 'pods/eviction', 'pods/binding']),
  rule(['create'], ['apps'], ['replicasets', 'controllerrevisions']),
  rule(['create'], ['batch'], ['jobs']),
  rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
  rule(['create'], ['storage.k8s.io'], ['storageclasses']),
  rule(['create'], ['events.k8s.io'], ['events']),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  urls(['get'], ['*']),
];

/**
 * The kubelets, as Kubernetes' system:node role. Kubernetes narrows it further with the
 * Node authorizer (a kubelet may only read the Secrets and ConfigMaps of pods bound to its
 * node, only write its own Node, Lease and pods); jetkube has no Node authorizer, because
 * every kubelet shares one NATS user and so one identity (src/natsd/users.ts). What is
 * left: Secrets, ConfigMaps and claims by name only (get, never list or watch), pods
 * cluster-wide, nodes and node leases.
 */
const NODE_RULES: PolicyRule[] = [
  rule(['get'], [''], ['configmaps', 'secrets', 'persistentvolumeclaims', 'persistentvolumes', 'serviceaccounts']),
  rule(READ, [''], ['services']),
  rule(['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'], [''], ['nodes']),
  rule(['update', 'patch'], [''], ['nodes/status']),
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(['get', 'list', 'watch', 'create', 'delete'], [''], ['pods']),
  rule(['update', 'patch'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction', 'serviceaccounts/token']),
  rule(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
  rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
  rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
  rule(READ, ['storage.k8s.io'], ['csidrivers']),
];

/** kube-proxy (Kubernetes' system:node-proxier): Services and their EndpointSlices, its events. */
const NODE_PROXIER_RULES: PolicyRule[] = [
  rule(['list', 'watch'], [''], ['endpoints', 'services']),
  rule(READ, [''], ['nodes']),
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
];

/** The cluster DNS (CoreDNS' kubernetes plugin; Kubernetes' system:kube-dns reads less): what it answers from. */
const KUBE_DNS_RULES: PolicyRule[] = [
  rule(['list', 'watch'], [''], ['endpoints', 'services', 'pods', 'namespaces']),
  rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
];

/**
 * The ingress controller (as ingress-nginx's role): what it routes from, the Ingress status
 * it reports, its events, and its own IngressClass, which it creates when missing.
 */
const INGRESS_RULES: PolicyRule[] = [
  rule(['list', 'watch'], [''], ['services', 'endpoints']),
  rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingressclasses']),
  rule(['create'], ['networking.k8s.io'], ['ingressclasses']),
  rule(['update'], ['networking.k8s.io'], ['ingresses/status']),
  rule(['create', 'patch'], ['', 'events.k8s.io'], ['events']),
];

export interface BootstrapObject {
  apiVersion: string;
  kind: 'ClusterRole' | 'ClusterRoleBinding';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  [field: string]: unknown;
}

function clusterRole(name: string, rules: PolicyRule[], extraLabels: Record<string, string> = {}): BootstrapObject {
  return { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...extraLabels }, annotations: AUTOUPDATE }, rules };
}

function binding(name: string, role: string, subjects: { kind: 'User' | 'Group'; name: string }[]): BootstrapObject {
  return {
    apiVersion: RBAC_V1,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: BOOTSTRAP_LABELS, annotations: AUTOUPDATE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) => ({ apiGroup: 'rbac.authorization.k8s.io', ...s })),
  };
}

const USER_FACING = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

export const BOOTSTRAP_CLUSTER_ROLES: readonly BootstrapObject[] = [
  clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
  clusterRole('admin', ADMIN_RULES, USER_FACING),
  clusterRole('edit', EDIT_RULES, USER_FACING),
  clusterRole('view', VIEW_RULES, USER_FACING),
  clusterRole('system:discovery', [urls(['get'], DISCOVERY_URLS)]),
  clusterRole('system:basic-user', [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])]),
  clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
  clusterRole('system:kube-scheduler', SCHEDULER_RULES),
  clusterRole('system:kube-controller-manager', CONTROLLER_MANAGER_RULES),
  clusterRole('system:node', NODE_RULES),
  clusterRole('system:node-proxier', NODE_PROXIER_RULES),
  clusterRole('system:kube-dns', KUBE_DNS_RULES),
  clusterRole('system:jetkube-ingress', INGRESS_RULES),
];

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: readonly BootstrapObject[] = [
  binding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
  binding('system:discovery', 'system:discovery', [{ kind: 'Group', name: 'system:authenticated' }]),
  binding('system:basic-user', 'system:basic-user', [{ kind: 'Group', name: 'system:authenticated' }]),
  binding('system:public-info-viewer', 'system:public-info-viewer', [
    { kind: 'Group', name: 'system:authenticated' },
    { kind: 'Group', name: 'system:unauthenticated' },
  ]),
  binding('system:kube-scheduler', 'system:kube-scheduler', [{ kind: 'User', name: COMPONENT_USERS.scheduler }]),
  binding('system:kube-controller-manager', 'system:kube-controller-manager', [{ kind: 'User', name: COMPONENT_USERS.controllerManager }]),
  binding('system:node', 'system:node', [{ kind: 'Group', name: NODES_GROUP }]),
  binding('system:node-proxier', 'system:node-proxier', [{ kind: 'User', name: COMPONENT_USERS.kubeProxy }]),
  binding('system:kube-dns', 'system:kube-dns', [{ kind: 'User', name: COMPONENT_USERS.dns }]),
  binding('system:jetkube-ingress', 'system:jetkube-ingress', [{ kind: 'User', name: COMPONENT_USERS.ingress }]),
];

/** Creates what is missing (through the pipeline, as the trusted in-cluster face); returns the names created. */
export async function ensureBootstrapPolicy(pipeline: Pipeline): Promise<string[]> {
  const created: string[] = [];
  const objects = [
    ...BOOTSTRAP_CLUSTER_ROLES.map((body) => ({ resource: 'clusterroles.rbac.authorization.k8s.io', body })),
    ...BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map((body) => ({ resource: 'clusterrolebindings.rbac.authorization.k8s.io', body })),
  ];
  for (const { resource, body } of objects) {
    try {
      await pipeline.handle({ verb: 'create', resource, body });
      created.push(`${body.kind}/${body.metadata.name}`);
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === 'AlreadyExists')) throw error;
    }
  }
  return created;
}
