/** rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding. */
import { kind, LabelSelector } from './meta.ts';
import { listOf, obj, str, strList } from './dsl.ts';

const RBAC = 'io.k8s.api.rbac.v1';

export const PolicyRule = obj(
  { verbs: strList(), apiGroups: strList(), resources: strList(), resourceNames: strList(), nonResourceURLs: strList() },
  { name: `${RBAC}.PolicyRule`, required: ['verbs'] },
);

export const Subject = obj(
  { kind: str(), apiGroup: str(), name: str(), namespace: str() },
  { name: `${RBAC}.Subject`, required: ['kind', 'name'] },
);

export const RoleRef = obj({ apiGroup: str(), kind: str(), name: str() }, { name: `${RBAC}.RoleRef`, required: ['apiGroup', 'kind', 'name'] });

export const Role = kind(`${RBAC}.Role`, { rules: listOf(PolicyRule) });

export const ClusterRole = kind(`${RBAC}.ClusterRole`, {
  rules: listOf(PolicyRule),
  aggregationRule: obj({ clusterRoleSelectors: listOf(LabelSelector) }, { name: `${RBAC}.AggregationRule` }),
});

export const RoleBinding = kind(`${RBAC}.RoleBinding`, { subjects: listOf(Subject), roleRef: RoleRef });

export const ClusterRoleBinding = kind(`${RBAC}.ClusterRoleBinding`, { subjects: listOf(Subject), roleRef: RoleRef });
