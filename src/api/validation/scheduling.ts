/**
 * The scheduling vocabulary of a pod spec: tolerations, node and pod affinity, and
 * topology spread constraints.
 */
import type { FieldError } from '../errors.ts';
import { child, index, type FieldPath } from '../field-path.ts';
import { duplicate, forbidden, invalidValue, required } from '../field-errors.ts';
import type { PodSpec, Toleration } from '../types.ts';
import { validateLabelName, validateLabelSelector, validateRequirementValues } from './common.ts';

const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;

export function validateTolerations(tolerations: Toleration[] | undefined, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  (tolerations ?? []).forEach((toleration, i) => {
    const at = index(path, i);
    const key = toleration.key ?? '';
    if (key) errors.push(...validateLabelName(key, child(at, 'key')));
    if (!key && toleration.operator !== 'Exists') {
      errors.push(invalidValue(child(at, 'operator'), toleration.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
      errors.push(invalidValue(child(at, 'effect'), toleration.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (toleration.operator === 'Exists' && toleration.value) {
      errors.push(invalidValue(child(at, 'operator'), toleration.value, "value must be empty when `operator` is 'Exists'"));
    }
  });
  return errors;
}

export function validateNodeSelectorTerms(spec: PodSpec, path: FieldPath): FieldError[] {
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const termsPath = child(path, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
  const errors: FieldError[] = [];
  (terms ?? []).forEach((term, i) =>
    (term.matchExpressions ?? []).forEach((requirement, j) => {
      const at = index(child(index(termsPath, i), 'matchExpressions'), j);
      errors.push(...validateRequirementValues(requirement.operator, requirement.values ?? [], at, NODE_SELECTOR_OPERATORS));
      errors.push(...validateLabelName(requirement.key ?? '', child(at, 'key')));
    }),
  );
  return errors;
}

export function validatePodAffinityTerms(spec: PodSpec, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const which of ['podAffinity', 'podAntiAffinity'] as const) {
    const affinity = spec.affinity?.[which];
    const base = child(path, 'affinity', which);
    (affinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((term, i) => {
      const at = index(child(base, 'requiredDuringSchedulingIgnoredDuringExecution'), i);
      if (!term.topologyKey) errors.push(required(child(at, 'topologyKey'), 'can not be empty'));
      else errors.push(...validateLabelName(term.topologyKey, child(at, 'topologyKey')));
      errors.push(...validateLabelSelector(term.labelSelector, child(at, 'labelSelector')));
    });
    (affinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((weighted, i) => {
      const at = index(child(base, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      const weight = weighted.weight ?? 0;
      if (weight <= 0 || weight > 100) errors.push(invalidValue(child(at, 'weight'), weight, 'scheduling.preferredDuringSchedulingIgnoredDuringExecution.weight must be in the range 1-100'));
      if (!weighted.podAffinityTerm?.topologyKey) errors.push(required(child(at, 'podAffinityTerm', 'topologyKey'), 'can not be empty'));
    });
  }
  return errors;
}

export function validateTopologySpread(spec: PodSpec, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const base = child(path, 'topologySpreadConstraints');
  (spec.topologySpreadConstraints ?? []).forEach((constraint, i) => {
    const at = index(base, i);
    const maxSkew = constraint.maxSkew ?? 0;
    if (maxSkew <= 0) errors.push(invalidValue(child(at, 'maxSkew'), maxSkew, 'must be greater than zero'));
    if (!constraint.topologyKey) errors.push(required(child(at, 'topologyKey'), 'can not be empty'));
    if (!constraint.whenUnsatisfiable) errors.push(required(child(at, 'whenUnsatisfiable')));
    const id = `${constraint.topologyKey ?? ''}/${constraint.whenUnsatisfiable ?? ''}`;
    if (seen.has(id)) errors.push(duplicate(at, `{${constraint.topologyKey ?? ''}, ${constraint.whenUnsatisfiable ?? ''}}`));
    seen.add(id);
    errors.push(...validateLabelSelector(constraint.labelSelector, child(at, 'labelSelector')));
  });
  return errors;
}

