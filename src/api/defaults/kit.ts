/**
 * Helpers for defaulting functions, which fill fields of a private copy in place. They
 * tolerate ill-typed input (defaults run before validation): a field of the wrong type
 * is left alone for validation to report, never overwritten or descended into.
 */
import { isPlainObject } from '../object.ts';

export type Obj = Record<string, unknown>;

/**
 * Sets `field` when it is absent. For a string default, "" counts as absent too: Go
 * reads absent, null and "" alike for the plain string fields most defaults fill.
 */
export function setDefault(target: Obj | undefined, field: string, value: unknown): void {
  if (!target) return;
  const current = target[field];
  if (current === undefined || current === null || (current === '' && typeof value === 'string')) target[field] = value;
}

/** The object at `field`, created empty when absent; undefined when it holds something else. */
export function ensureObject(target: Obj | undefined, field: string): Obj | undefined {
  if (!target) return undefined;
  if (target[field] === undefined || target[field] === null) target[field] = {};
  const value = target[field];
  return isPlainObject(value) ? value : undefined;
}

/** The object at `field` if there is one. */
export function objectAt(target: Obj | undefined, ...path: string[]): Obj | undefined {
  let current: unknown = target;
  for (const field of path) current = isPlainObject(current) ? current[field] : undefined;
  return isPlainObject(current) ? current : undefined;
}

/** The objects of the list at `field` (other items are skipped). */
export function objectsAt(target: Obj | undefined, field: string): Obj[] {
  const value = target?.[field];
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}
