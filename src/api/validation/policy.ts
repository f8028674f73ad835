/**
 * autoscaling/v2 HorizontalPodAutoscaler (a target to scale, replica bounds, metrics
 * that carry their own source) and policy/v1 PodDisruptionBudget (minAvailable or
 * maxUnavailable, never both).
 */
import type { FieldError } from '../errors.ts';
import { child, index, type FieldPath } from '../field-path.ts';
import { forbidden, invalidEach, invalidValue, required } from '../field-errors.ts';
import { isValidPathSegmentName } from '../names.ts';
import type { HPAScalingRules, HorizontalPodAutoscaler, PodDisruptionBudget } from '../types.ts';
import { validateLabelSelector, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from './common.ts';

const SOURCE_FIELDS = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  ContainerResource: 'containerResource',
  External: 'external',
} as const;

function validateScalingRules(rules: HPAScalingRules | undefined, path: FieldPath): FieldError[] {
  if (!rules) return [];
  const errors: FieldError[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined && (window < 0 || window > 3600)) {
    errors.push(invalidValue(child(path, 'stabilizationWindowSeconds'), window, 'must be greater than or equal to zero and less than or equal to 3600'));
  }
  (rules.policies ?? []).forEach((policy, i) => {
    const at = index(child(path, 'policies'), i);
    if ((policy.value ?? 0) <= 0) errors.push(invalidValue(child(at, 'value'), policy.value ?? 0, 'must be greater than zero'));
    const period = policy.periodSeconds ?? 0;
    if (period <= 0 || period > 1800) errors.push(invalidValue(child(at, 'periodSeconds'), period, 'must be greater than zero and less than or equal to 1800'));
  });
  if (rules.selectPolicy !== 'Disabled' && (rules.policies ?? []).length === 0) errors.push(required(child(path, 'policies'), 'must specify at least one Policy'));
  return errors;
}

export function validateHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): FieldError[] {
  const spec = hpa.spec ?? {};
  const errors: FieldError[] = [];
  if (spec.minReplicas !== undefined && spec.minReplicas < 1) {
    errors.push(invalidValue(child('spec', 'minReplicas'), spec.minReplicas, 'must be greater than or equal to 1'));
  }
  const max = spec.maxReplicas ?? 0;
  if (max < 1) errors.push(invalidValue(child('spec', 'maxReplicas'), max, 'must be greater than 0'));
  if (spec.minReplicas !== undefined && max < spec.minReplicas) {
    errors.push(invalidValue(child('spec', 'maxReplicas'), max, 'must be greater than or equal to `minReplicas`'));
  }
  const ref = spec.scaleTargetRef ?? {};
  const refPath = child('spec', 'scaleTargetRef');
  const refErrors: FieldError[] = [];
  for (const field of ['kind', 'name'] as const) {
    const value = ref[field] ?? '';
    if (!value) refErrors.push(required(child(refPath, field)));
    else refErrors.push(...invalidEach(child(refPath, field), value, isValidPathSegmentName(value)));
  }
  // Kubernetes checks metrics only once the target is sound.
  if (refErrors.length > 0) return [...errors, ...refErrors];
  (spec.metrics ?? []).forEach((metric, i) => {
    const at = index(child('spec', 'metrics'), i);
    if (!metric.type) return void errors.push(required(child(at, 'type'), 'must specify a metric source type'));
    const field = SOURCE_FIELDS[metric.type];
    if (metric[field] === undefined) errors.push(required(child(at, field), 'must populate information for the given metric source'));
    for (const other of Object.values(SOURCE_FIELDS)) {
      if (other !== field && metric[other] !== undefined) errors.push(forbidden(child(at, other), 'must populate the given metric source only'));
    }
    if (metric.type === 'Resource' && metric.resource && !metric.resource.name) errors.push(required(child(at, 'resource', 'name'), 'must specify a resource name'));
  });
  errors.push(...validateScalingRules(spec.behavior?.scaleUp, child('spec', 'behavior', 'scaleUp')));
  errors.push(...validateScalingRules(spec.behavior?.scaleDown, child('spec', 'behavior', 'scaleDown')));
  return errors;
}

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  const spec = pdb.spec ?? {};
  const errors: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errors.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const field of ['minAvailable', 'maxUnavailable'] as const) {
    errors.push(...validatePositiveIntOrPercent(spec[field], child('spec', field)));
    errors.push(...validateNotMoreThan100Percent(spec[field], child('spec', field)));
  }
  errors.push(...validateLabelSelector(spec.selector, child('spec', 'selector')));
  return errors;
}
