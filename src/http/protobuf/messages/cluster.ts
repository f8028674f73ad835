/**
 * Cluster-policy and routing kinds: rbac.authorization.k8s.io/v1 roles and bindings,
 * scheduling.k8s.io/v1 PriorityClass, networking.k8s.io/v1 Ingress.
 */
import { bool, i32, inline, KEEP, LIST, metadata, msg, str, type MessageSpec } from '../dsl.ts';

const rbac: Record<string, MessageSpec> = {
  Role: { 1: metadata, 2: msg('rules', 'PolicyRule', LIST) },
  ClusterRole: { 1: metadata, 2: msg('rules', 'PolicyRule', LIST), 3: msg('aggregationRule', 'AggregationRule') },
  AggregationRule: { 1: msg('clusterRoleSelectors', 'LabelSelector', LIST) },
  PolicyRule: {
    1: str('verbs', LIST),
    2: str('apiGroups', LIST),
    3: str('resources', LIST),
    4: str('resourceNames', LIST),
    5: str('nonResourceURLs', LIST),
  },
  RoleBinding: { 1: metadata, 2: msg('subjects', 'Subject', LIST), 3: msg('roleRef', 'RoleRef') },
  ClusterRoleBinding: { 1: metadata, 2: msg('subjects', 'Subject', LIST), 3: msg('roleRef', 'RoleRef') },
  RoleRef: { 1: str('apiGroup', KEEP), 2: str('kind', KEEP), 3: str('name', KEEP) },
  Subject: { 1: str('kind', KEEP), 2: str('apiGroup'), 3: str('name', KEEP), 4: str('namespace') },
};

const scheduling: Record<string, MessageSpec> = {
  PriorityClass: {
    1: metadata,
    2: i32('value', KEEP),
    3: bool('globalDefault'),
    4: str('description'),
    5: str('preemptionPolicy', KEEP),
  },
};

const networking: Record<string, MessageSpec> = {
  Ingress: { 1: metadata, 2: msg('spec', 'IngressSpec'), 3: msg('status', 'IngressStatus') },
  IngressSpec: {
    4: str('ingressClassName', KEEP),
    1: msg('defaultBackend', 'IngressBackend'),
    2: msg('tls', 'IngressTLS', LIST),
    3: msg('rules', 'IngressRule', LIST),
  },
  IngressBackend: { 4: msg('service', 'IngressServiceBackend'), 3: msg('resource', 'TypedLocalObjectReference') },
  IngressServiceBackend: { 1: str('name', KEEP), 2: msg('port', 'ServiceBackendPort') },
  ServiceBackendPort: { 1: str('name'), 2: i32('number') },
  IngressTLS: { 1: str('hosts', LIST), 2: str('secretName') },
  IngressRule: { 1: str('host'), 2: inline('IngressRuleValue') },
  IngressRuleValue: { 1: msg('http', 'HTTPIngressRuleValue') },
  HTTPIngressRuleValue: { 1: msg('paths', 'HTTPIngressPath', LIST) },
  HTTPIngressPath: { 1: str('path'), 3: str('pathType', KEEP), 2: msg('backend', 'IngressBackend') },
  IngressStatus: { 1: msg('loadBalancer', 'IngressLoadBalancerStatus') },
  IngressLoadBalancerStatus: { 1: msg('ingress', 'IngressLoadBalancerIngress', LIST) },
  IngressLoadBalancerIngress: { 1: str('ip'), 2: str('hostname'), 4: msg('ports', 'IngressPortStatus', LIST) },
  IngressPortStatus: { 1: i32('port', KEEP), 2: str('protocol', KEEP), 3: str('error', KEEP) },
};

export const CLUSTER: Record<string, MessageSpec> = { ...rbac, ...scheduling, ...networking };
