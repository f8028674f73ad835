/**
 * RBAC objects: rules that name verbs and either resources (with API groups) or
 * non-resource URLs, subjects of a known kind, and a roleRef that is required and can
 * never change (a binding to another role is another binding).
 */
import type { FieldError } from '../errors.ts';
import { child, index, type FieldPath } from '../field-path.ts';
import { invalidEach, invalidValue, notSupported, required } from '../field-errors.ts';
import { deepEqual } from '../json.ts';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../names.ts';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../types.ts';
import { validateLabelSelector } from './common.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if ((rule.verbs ?? []).length === 0) errors.push(required(child(path, 'verbs'), 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) errors.push(invalidValue(child(path, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0 || (rule.resourceNames ?? []).length > 0) {
      errors.push(invalidValue(child(path, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errors;
  }
  if ((rule.apiGroups ?? []).length === 0) errors.push(required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if ((rule.resources ?? []).length === 0) errors.push(required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errors;
}

const validateRules = (rules: PolicyRule[] | undefined, namespaced: boolean) =>
  (rules ?? []).flatMap((rule, i) => validatePolicyRule(rule, namespaced, index('rules', i)));

export const validateRole = (role: Role): FieldError[] => validateRules(role.rules, true);

export function validateClusterRole(role: ClusterRole): FieldError[] {
  const errors = validateRules(role.rules, false);
  const aggregation = role.aggregationRule;
  if (aggregation) {
    const selectors = aggregation.clusterRoleSelectors ?? [];
    if (selectors.length === 0) {
      errors.push(required(child('aggregationRule', 'clusterRoleSelectors'), 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    selectors.forEach((selector, i) => errors.push(...validateLabelSelector(selector, index(child('aggregationRule', 'clusterRoleSelectors'), i))));
  }
  return errors;
}

function validateSubject(subject: Subject, namespaced: boolean, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const name = subject.name ?? '';
  if (!name) errors.push(required(child(path, 'name')));
  const apiGroup = subject.apiGroup ?? '';
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name) errors.push(...invalidEach(child(path, 'name'), name, isDNS1123Subdomain(name)));
      if (apiGroup) errors.push(notSupported(child(path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && !subject.namespace) errors.push(required(child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errors.push(notSupported(child(path, 'apiGroup'), apiGroup, [RBAC_GROUP]));
      break;
    default:
      errors.push(notSupported(child(path, 'kind'), subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errors;
}

function validateBinding(binding: RoleBinding | ClusterRoleBinding, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const ref = binding.roleRef ?? {};
  if ((ref.apiGroup ?? '') !== RBAC_GROUP) errors.push(notSupported(child('roleRef', 'apiGroup'), ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? '')) errors.push(notSupported(child('roleRef', 'kind'), ref.kind ?? '', kinds));
  if (!ref.name) errors.push(required(child('roleRef', 'name')));
  else errors.push(...invalidEach(child('roleRef', 'name'), ref.name, isValidPathSegmentName(ref.name)));
  (binding.subjects ?? []).forEach((subject, i) => errors.push(...validateSubject(subject, namespaced, index('subjects', i))));
  return errors;
}

export const validateRoleBinding = (binding: RoleBinding): FieldError[] => validateBinding(binding, true);
export const validateClusterRoleBinding = (binding: ClusterRoleBinding): FieldError[] => validateBinding(binding, false);

/** Changing what a binding grants would silently re-grant to its subjects: Kubernetes forbids it. */
export function validateBindingUpdate(binding: RoleBinding | ClusterRoleBinding, old: RoleBinding | ClusterRoleBinding): FieldError[] {
  return deepEqual(binding.roleRef ?? {}, old.roleRef ?? {}) ? [] : [invalidValue('roleRef', binding.roleRef ?? {}, 'cannot change roleRef')];
}
