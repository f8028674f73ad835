/**
 * Structural checks of a value against its schema: JSON types, enums, integer bounds
 * and string formats (base64, RFC 3339, quantities). This is what decoding into typed
 * structs catches in Kubernetes, reported as field errors instead of a decode failure.
 * null is "unset" everywhere, as Go's decoder treats it. Fields the schema does not
 * know are not errors here: see unknown-fields.ts.
 */
import type { FieldError } from '../errors.ts';
import { child, index, key, type FieldPath } from '../field-path.ts';
import { formatBadValue, invalidValue, notSupported, typeInvalid } from '../field-errors.ts';
import { inclusiveRangeError } from '../names.ts';
import { isPlainObject } from '../object.ts';
import { isQuantity, QUANTITY_FORMAT_ERROR } from '../quantity.ts';
import type { Schema } from './dsl.ts';

export function checkStructure(schema: Schema, value: unknown, path: FieldPath = ''): FieldError[] {
  const errors: FieldError[] = [];
  visit(schema, value, path, errors);
  return errors;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** kube-openapi's wording: `spec.replicas in body must be of type integer: "string"`. */
function wrongType(path: FieldPath, value: unknown, expected: string): FieldError {
  const actual = jsonType(value);
  return typeInvalid(path, actual, `${path || 'body'} in body must be of type ${expected}: ${formatBadValue(actual)}`);
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function boundsError(schema: { minimum?: number; maximum?: number }, n: number): string | undefined {
  const { minimum, maximum } = schema;
  if (minimum !== undefined && maximum !== undefined) return n < minimum || n > maximum ? inclusiveRangeError(minimum, maximum) : undefined;
  if (minimum !== undefined && n < minimum) return `must be greater than or equal to ${minimum}`;
  if (maximum !== undefined && n > maximum) return `must be less than or equal to ${maximum}`;
  return undefined;
}

function visit(schema: Schema, value: unknown, path: FieldPath, errors: FieldError[]): void {
  if (value === null || value === undefined) return;
  switch (schema.kind) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') return void errors.push(wrongType(path, value, 'string'));
      // "" is "unset" for an enum: where Kubernetes requires the field, a semantic rule says so.
      if (schema.enum && schema.enforceEnum !== false && value !== '' && !schema.enum.includes(value)) {
        errors.push(notSupported(path, value, schema.enum));
      }
      if (schema.format === 'byte' && !BASE64_RE.test(value.replace(/[\r\n]/g, ''))) {
        errors.push(invalidValue(path, '<secret contents redacted>', 'illegal base64 data'));
      }
      if (schema.format === 'date-time' && !RFC3339_RE.test(value)) {
        errors.push(invalidValue(path, value, 'must be an RFC 3339 date-time (e.g. 2006-01-02T15:04:05Z)'));
      }
      return;
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return void errors.push(wrongType(path, value, 'integer'));
      const bad = boundsError(schema, value);
      if (bad) errors.push(invalidValue(path, value, bad));
      return;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) errors.push(wrongType(path, value, 'number'));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(wrongType(path, value, 'boolean'));
      return;
    case 'int-or-string':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
        errors.push(wrongType(path, value, 'integer or string'));
      }
      return;
    case 'quantity':
      if (typeof value !== 'string' && typeof value !== 'number') return void errors.push(wrongType(path, value, 'integer or string'));
      if (!isQuantity(value)) errors.push(invalidValue(path, value, QUANTITY_FORMAT_ERROR));
      return;
    case 'object':
      if (!isPlainObject(value)) return void errors.push(wrongType(path, value, 'object'));
      for (const [field, fieldSchema] of Object.entries(schema.properties)) {
        if (Object.prototype.hasOwnProperty.call(value, field)) visit(fieldSchema, value[field], child(path, field), errors);
      }
      return;
    case 'map':
      if (!isPlainObject(value)) return void errors.push(wrongType(path, value, 'object'));
      for (const [k, v] of Object.entries(value)) visit(schema.values, v, key(path, k), errors);
      return;
    case 'list':
      if (!Array.isArray(value)) return void errors.push(wrongType(path, value, 'array'));
      value.forEach((item, i) => {
        // An explicit null inside a list has no "unset" meaning: it is a wrong item.
        if (item === null) errors.push(wrongType(index(path, i), item, schema.items.kind === 'list' ? 'array' : typeName(schema.items)));
        else visit(schema.items, item, index(path, i), errors);
      });
      return;
  }
}

function typeName(schema: Schema): string {
  switch (schema.kind) {
    case 'map':
      return 'object';
    case 'int-or-string':
    case 'quantity':
      return 'integer or string';
    case 'any':
      return 'any';
    default:
      return schema.kind;
  }
}
