/**
 * Fields the schema does not describe: found (for fieldValidation=Warn/Strict, with
 * paths like `spec.template.spec.containers[0].imagee`) and pruned (what Kubernetes'
 * decoder does to built-in kinds: unknown fields vanish). Objects marked
 * preserveUnknownFields and `any` values keep everything below them.
 */
import { child, index, key, type FieldPath } from '../field-path.ts';
import { setOwn } from '../json.ts';
import { isPlainObject } from '../object.ts';
import type { Schema } from './dsl.ts';

export function unknownFieldPaths(schema: Schema, value: unknown, path: FieldPath = ''): string[] {
  const found: string[] = [];
  walk(schema, value, path, found);
  return found;
}

function walk(schema: Schema, value: unknown, path: FieldPath, found: string[]): void {
  if (schema.kind === 'object' && isPlainObject(value)) {
    for (const [field, fieldValue] of Object.entries(value)) {
      const fieldSchema = Object.prototype.hasOwnProperty.call(schema.properties, field) ? schema.properties[field] : undefined;
      if (fieldSchema) walk(fieldSchema, fieldValue, child(path, field), found);
      else if (!schema.preserveUnknownFields) found.push(child(path, field));
    }
  } else if (schema.kind === 'map' && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) walk(schema.values, v, key(path, k), found);
  } else if (schema.kind === 'list' && Array.isArray(value)) {
    value.forEach((item, i) => walk(schema.items, item, index(path, i), found));
  }
}

/** A copy of `value` without the fields `schema` does not describe. */
export function pruneWithSchema<T>(schema: Schema, value: T): T {
  if (schema.kind === 'object' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [field, fieldValue] of Object.entries(value)) {
      const fieldSchema = Object.prototype.hasOwnProperty.call(schema.properties, field) ? schema.properties[field] : undefined;
      if (fieldSchema) setOwn(out, field, pruneWithSchema(fieldSchema, fieldValue));
      else if (schema.preserveUnknownFields) setOwn(out, field, fieldValue);
    }
    return out as T;
  }
  if (schema.kind === 'map' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, pruneWithSchema(schema.values, v));
    return out as T;
  }
  if (schema.kind === 'list' && Array.isArray(value)) return value.map((item) => pruneWithSchema(schema.items, item)) as T;
  return value;
}
