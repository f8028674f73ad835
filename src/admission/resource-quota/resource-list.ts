/**
 * ResourceLists (resource name -> quantity) and the operations Kubernetes' quota package
 * does on them (pkg/quota/v1/resources.go): Add, SubtractWithNonNegativeResult, Mask,
 * LessThanOrEqual, RemoveZeros, Equals, and the `a=1,b=2` form its errors print. Pure;
 * inputs are never mutated.
 */
import { isPlainObject } from '../../api/object.ts';
import { add, compare, formatQuantity, quantityOf, subtract, ZERO, type Quantity } from './quantity.ts';

export type ResourceList = Readonly<Record<string, Quantity>>;

/** A stored `{cpu: "100m"}` as a ResourceList; entries that are not quantities are left out. */
export function resourceList(value: unknown): ResourceList {
  if (!isPlainObject(value)) return {};
  const out: Record<string, Quantity> = {};
  for (const [name, text] of Object.entries(value)) {
    const q = quantityOf(text);
    if (q) out[name] = q;
  }
  return out;
}

/** The stored form: canonical texts, names sorted. */
export function toStored(list: ResourceList): Record<string, string> {
  return Object.fromEntries(names(list).map((name) => [name, formatQuantity(list[name]!)]));
}

export const names = (list: ResourceList): string[] => Object.keys(list).sort();

export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: Record<string, Quantity> = { ...a };
  for (const [name, q] of Object.entries(b)) out[name] = name in a ? add(a[name]!, q) : q;
  return out;
}

/** a - b per resource of a, never below zero. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: Record<string, Quantity> = {};
  for (const [name, q] of Object.entries(a)) {
    const diff = name in b ? subtract(q, b[name]!) : q;
    out[name] = diff.nanos < 0n ? { ...diff, nanos: 0n } : diff;
  }
  return out;
}

/** Only the named resources. */
export function mask(list: ResourceList, keep: Iterable<string>): ResourceList {
  const out: Record<string, Quantity> = {};
  for (const name of keep) if (name in list) out[name] = list[name]!;
  return out;
}

/** Whether a <= b for every resource both name; the names where it is not. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): { allowed: boolean; exceeded: string[] } {
  const exceeded = names(a).filter((name) => name in b && compare(a[name]!, b[name]!) > 0);
  return { allowed: exceeded.length === 0, exceeded };
}

export function removeZeros(list: ResourceList): ResourceList {
  return Object.fromEntries(Object.entries(list).filter(([, q]) => q.nanos !== 0n));
}

export function negativeNames(list: ResourceList): string[] {
  return names(list).filter((name) => list[name]!.nanos < 0n);
}

/** Same names with equal values (formats do not matter, as quota.Equals). */
export function equalLists(a: ResourceList, b: ResourceList): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((name) => name in b && compare(a[name]!, b[name]!) === 0);
}

/** Each name at zero. */
export function zeros(resourceNames: Iterable<string>): ResourceList {
  return Object.fromEntries([...resourceNames].map((name) => [name, ZERO]));
}

/** prettyPrint: `pods=1,requests.cpu=500m`, names sorted. */
export function prettyPrint(list: ResourceList): string {
  return names(list)
    .map((name) => `${name}=${formatQuantity(list[name]!)}`)
    .join(',');
}
