/**
 * The RBAC authorizer, pure: given the Roles, ClusterRoles and their bindings (read from
 * the API server's store by the caller) and a request's attributes, allowed or not, and
 * which rules a user has in a namespace (SelfSubjectRulesReview). Matching follows
 * Kubernetes' rbac/validation: `*` matches any verb, group, resource or URL; a resource
 * rule names "pods" or "pods/log" (or "*\/log", "pods/*"); a URL rule may end in `*`;
 * system:masters may do everything (as the API server's own superuser group).
 */
import type { Attributes, NonResourceAttributes, ResourceAttributes, UserInfo } from './attributes.ts';
import { isResourceRequest, SYSTEM_MASTERS } from './attributes.ts';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

export interface RoleLike {
  metadata: { name?: string; namespace?: string };
  rules?: PolicyRule[] | null;
}

export interface BindingLike {
  metadata: { name?: string; namespace?: string };
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** The policy objects the authorizer reads: the store answers each lookup. */
export interface PolicySource {
  role(namespace: string, name: string): RoleLike | undefined;
  clusterRole(name: string): RoleLike | undefined;
  roleBindings(namespace: string): readonly BindingLike[];
  clusterRoleBindings(): readonly BindingLike[];
}

export interface Decision {
  allowed: boolean;
  /** Why it was allowed (the binding and role), for audit and `can-i`. */
  reason: string;
}

export function authorize(policy: PolicySource, attributes: Attributes): Decision {
  if (attributes.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: `group ${SYSTEM_MASTERS}` };
  const namespace = isResourceRequest(attributes) ? attributes.namespace : undefined;
  for (const { binding, rules } of applicableRules(policy, attributes.user, namespace)) {
    if (rules.some((rule) => ruleAllows(rule, attributes))) {
      const where = binding.metadata.namespace ? `RoleBinding "${binding.metadata.namespace}/${binding.metadata.name}"` : `ClusterRoleBinding "${binding.metadata.name}"`;
      return { allowed: true, reason: `RBAC: allowed by ${where} of ${binding.roleRef.kind} "${binding.roleRef.name}"` };
    }
  }
  return { allowed: false, reason: '' };
}

/** Every rule the user holds in `namespace` (cluster-wide ones included), as SelfSubjectRulesReview lists them. */
export function rulesFor(policy: PolicySource, user: UserInfo, namespace: string | undefined): PolicyRule[] {
  if (user.groups.includes(SYSTEM_MASTERS)) return [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];
  return applicableRules(policy, user, namespace).flatMap((r) => r.rules);
}

function applicableRules(policy: PolicySource, user: UserInfo, namespace: string | undefined): { binding: BindingLike; rules: PolicyRule[] }[] {
  const found: { binding: BindingLike; rules: PolicyRule[] }[] = [];
  for (const binding of policy.clusterRoleBindings()) {
    if (binding.roleRef.kind !== 'ClusterRole' || !bindsUser(binding, user, undefined)) continue;
    found.push({ binding, rules: policy.clusterRole(binding.roleRef.name)?.rules ?? [] });
  }
  if (namespace) {
    for (const binding of policy.roleBindings(namespace)) {
      if (!bindsUser(binding, user, namespace)) continue;
      const role = binding.roleRef.kind === 'ClusterRole' ? policy.clusterRole(binding.roleRef.name) : binding.roleRef.kind === 'Role' ? policy.role(namespace, binding.roleRef.name) : undefined;
      found.push({ binding, rules: role?.rules ?? [] });
    }
  }
  return found;
}

/** Whether a binding names this user, one of its groups, or (by namespace) its ServiceAccount. */
export function bindsUser(binding: BindingLike, user: UserInfo, bindingNamespace: string | undefined): boolean {
  return (binding.subjects ?? []).some((subject) => {
    switch (subject.kind) {
      case 'User':
        return subject.name === user.name;
      case 'Group':
        return user.groups.includes(subject.name);
      case 'ServiceAccount': {
        // A ServiceAccount subject without a namespace means the binding's own namespace.
        const ns = subject.namespace || bindingNamespace;
        return !!ns && user.name === `system:serviceaccount:${ns}:${subject.name}`;
      }
      default:
        return false;
    }
  });
}

export function ruleAllows(rule: PolicyRule, attributes: Attributes): boolean {
  if (!matchesAny(rule.verbs, attributes.verb)) return false;
  return isResourceRequest(attributes) ? resourceRuleAllows(rule, attributes) : nonResourceRuleAllows(rule, attributes);
}

function resourceRuleAllows(rule: PolicyRule, a: ResourceAttributes): boolean {
  if (!rule.resources || rule.resources.length === 0) return false;
  if (!matchesAny(rule.apiGroups ?? [], a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = rule.resources.some(
    (r) => r === '*' || r === combined || (a.subresource !== undefined && (r === `*/${a.subresource}` || r === `${a.resource}/*`)),
  );
  if (!resourceOk) return false;
  // resourceNames restrict to named objects: a list or a create (no name) never matches them.
  if (rule.resourceNames && rule.resourceNames.length > 0) return a.name !== undefined && rule.resourceNames.includes(a.name);
  return true;
}

function nonResourceRuleAllows(rule: PolicyRule, a: NonResourceAttributes): boolean {
  return (rule.nonResourceURLs ?? []).some((url) => url === '*' || url === a.path || (url.endsWith('*') && a.path.startsWith(url.slice(0, -1))));
}

function matchesAny(allowed: readonly string[], value: string): boolean {
  return allowed.includes('*') || allowed.includes(value);
}

/** Kubernetes' 403 message for a resource request, word for word. */
export function forbiddenMessage(a: Attributes): string {
  const user = `User "${a.user.name}"`;
  if (!isResourceRequest(a)) return `forbidden: ${user} cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${subject} is forbidden: ${user} cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}"${scope}`;
}
