/**
 * Validation rules shared by many kinds: label maps, label selectors, immutability,
 * int-or-percent values and resource names/quantities. Each mirrors its Kubernetes
 * namesake (apimachinery and core validation) in field paths and messages.
 */
import { isIP } from 'node:net';
import type { FieldError } from '../errors.ts';
import { child, index, key, type FieldPath } from '../field-path.ts';
import { FIELD_IMMUTABLE, forbidden, invalidEach, invalidValue, NEGATIVE, required } from '../field-errors.ts';
import { deepEqual } from '../json.ts';
import { isLabelValue, isQualifiedName, isValidPercent } from '../names.ts';
import { compareQuantities, parseQuantity } from '../quantity.ts';
import type { LabelSelectorData } from '../types.ts';

/** ValidateLabels: bad keys and values are both reported at the map's own path. */
export function validateLabels(labels: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errors.push(...invalidEach(path, k, isQualifiedName(k)));
    errors.push(...invalidEach(path, v, isLabelValue(v)));
  }
  return errors;
}

/** ValidateLabelName: a qualified name. */
export const validateLabelName = (name: string, path: FieldPath): FieldError[] => invalidEach(path, name, isQualifiedName(name));

/** metav1 ValidateLabelSelector. */
export function validateLabelSelector(selector: LabelSelectorData | undefined, path: FieldPath): FieldError[] {
  if (!selector) return [];
  const errors = validateLabels(selector.matchLabels, child(path, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((expression, i) => {
    const at = index(child(path, 'matchExpressions'), i);
    const values = expression.values ?? [];
    errors.push(...validateRequirementValues(expression.operator, values, at, SET_OPERATORS));
    errors.push(...validateLabelName(expression.key ?? '', child(at, 'key')));
    values.forEach((v, j) => errors.push(...invalidEach(index(child(at, 'values'), j), v, isLabelValue(v))));
  });
  return errors;
}

const SET_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/**
 * The values a selector requirement's operator allows: label selectors know the set
 * operators; node selectors add Gt and Lt (pass them in `operators`).
 */
export function validateRequirementValues(
  operator: string | undefined,
  values: readonly string[],
  at: FieldPath,
  operators: readonly string[],
): FieldError[] {
  if (operator === undefined || !operators.includes(operator)) {
    return [invalidValue(child(at, 'operator'), operator ?? '', 'not a valid selector operator')];
  }
  switch (operator) {
    case 'In':
    case 'NotIn':
      return values.length === 0 ? [required(child(at, 'values'), "must be specified when `operator` is 'In' or 'NotIn'")] : [];
    case 'Exists':
    case 'DoesNotExist':
      return values.length > 0 ? [forbidden(child(at, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")] : [];
    default: // Gt, Lt
      return values.length !== 1 ? [required(child(at, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'")] : [];
  }
}

export const isEmptySelector = (selector: LabelSelectorData) =>
  Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0;

/** Absent, null and (for strings) "" are the same zero value in Go. */
const zero = (value: unknown) => (value === null || value === '' ? undefined : value);

/** ValidateImmutableField. */
export function validateImmutable(newValue: unknown, oldValue: unknown, path: FieldPath): FieldError[] {
  return deepEqual(zero(newValue), zero(oldValue)) ? [] : [invalidValue(path, newValue ?? null, FIELD_IMMUTABLE)];
}

export function validateNonNegative(value: number | undefined, path: FieldPath): FieldError[] {
  return value !== undefined && value < 0 ? [invalidValue(path, value, NEGATIVE)] : [];
}

/** The number an int-or-percent holds: 5 for 5 and "5%"; undefined when it is neither. */
export function intOrPercentValue(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** apps ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(value: number | string | undefined, path: FieldPath): FieldError[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return invalidEach(path, value, isValidPercent(value));
  return validateNonNegative(value, path);
}

/** apps IsNotMoreThan100Percent. */
export function validateNotMoreThan100Percent(value: number | string | undefined, path: FieldPath): FieldError[] {
  if (typeof value !== 'string') return [];
  const percent = intOrPercentValue(value);
  return percent !== undefined && percent > 100 ? [invalidValue(path, value, 'must not be greater than 100%')] : [];
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (name: string) => name.startsWith('hugepages-');
/** Native resources are unprefixed or live under kubernetes.io. */
export const isNativeResource = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const isExtendedResource = (name: string) => !isNativeResource(name) && !name.startsWith('requests.');
/** Overcommit (request below limit) is allowed for native resources except huge pages. */
export const isOvercommitAllowed = (name: string) => isNativeResource(name) && !isHugePages(name);

/** validateContainerResourceName. */
export function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errors = invalidEach(path, name, isQualifiedName(name));
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
      errors.push(invalidValue(path, name, 'must be a standard resource for containers'));
    }
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    errors.push(invalidValue(path, name, "doesn't follow extended resource name standard"));
  }
  return errors;
}

/** ValidateResourceQuantityValue: never negative; whole units for extended resources. */
export function validateResourceQuantity(name: string, value: string | number, path: FieldPath): FieldError[] {
  const nanos = parseQuantity(value);
  if (nanos === undefined) return [];
  const text = String(value);
  if (nanos < 0n) return [invalidValue(path, text, NEGATIVE)];
  if (isExtendedResource(name) && nanos % 1_000_000_000n !== 0n) return [invalidValue(path, text, 'must be an integer')];
  return [];
}

/** A map of resource quantities (limits, requests, capacity) with each entry checked by `check`. */
export function eachResource(
  resources: Record<string, string | number> | undefined,
  path: FieldPath,
  check: (name: string, value: string | number, at: FieldPath) => FieldError[],
): FieldError[] {
  return Object.entries(resources ?? {}).flatMap(([name, value]) => check(name, value, key(path, name)));
}

export const quantityGreater = (a: string | number, b: string | number) => compareQuantities(a, b) === 1;

/** An IP network in CIDR notation: "10.244.0.0/16", "fd00::/64". */
export function isCIDR(text: string): boolean {
  const [address = '', bits, ...rest] = text.split('/');
  const family = isIP(address);
  return rest.length === 0 && bits !== undefined && family !== 0 && /^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
