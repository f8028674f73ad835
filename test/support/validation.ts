/**
 * Given/when/then helpers for validation tests: an object as the API server would store
 * it on create (prepared and defaulted), the errors of a create or of an update, and an
 * assertion that names the expected field error.
 */
import assert from 'node:assert/strict';
import { applyDefaults } from '../../src/api/defaults.ts';
import type { FieldError } from '../../src/api/errors.ts';
import { prepareCreate, prepareUpdate } from '../../src/api/metadata.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';
import { validateObject } from '../../src/api/validation.ts';

export const CREATE_CONTEXT = { now: '2024-05-01T10:00:00Z', uid: 'uid-1', nameSuffix: 'abcde' };

export function created(key: string, object: Record<string, unknown>): KubeObject {
  const rt = resourceByKey(key)!;
  const metadata = rt.namespaced ? { name: 'web', namespace: 'default' } : { name: 'web' };
  return applyDefaults(rt, prepareCreate(rt, { metadata, ...object } as KubeObject, CREATE_CONTEXT));
}

export const create = (key: string, object: Record<string, unknown>) => validateObject(resourceByKey(key)!, created(key, object));

// `any`: tests reach into objects freely.
export function update(key: string, old: KubeObject, change: (o: any) => void): FieldError[] {
  const rt = resourceByKey(key)!;
  const incoming = structuredClone(old);
  change(incoming);
  return validateObject(rt, applyDefaults(rt, prepareUpdate(rt, old, incoming)), old);
}

export function expectError(errors: FieldError[], field: string, type: string, message: string): void {
  const found = errors.some((e) => e.field === field && e.type === type && e.message === message);
  assert.ok(found, `expected ${field}: ${message} (${type}), got ${JSON.stringify(errors, null, 2)}`);
}
