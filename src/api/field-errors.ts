/**
 * Constructors for field-level validation errors, with Kubernetes' types and message
 * bodies (field.Error.ErrorBody): `Required value`, `Invalid value: -1: must be ...`,
 * `Unsupported value: "Foo": supported values: "A", "B"`, `Duplicate value: "web"`.
 * Bad values print as Go does for simple types (strings quoted, numbers bare) and as
 * JSON for anything structured, as recent Kubernetes releases do.
 */
import type { FieldError } from './errors.ts';
import type { FieldPath } from './field-path.ts';

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'FieldValueTypeInvalid';

export function formatBadValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return String(value);
  }
}

const withDetail = (body: string, detail: string) => (detail ? `${body}: ${detail}` : body);

const make = (type: FieldErrorType, field: FieldPath, message: string): FieldError => ({ type, field, message });

export const required = (field: FieldPath, detail = ''): FieldError =>
  make('FieldValueRequired', field, withDetail('Required value', detail));

export const invalidValue = (field: FieldPath, value: unknown, detail: string): FieldError =>
  make('FieldValueInvalid', field, withDetail(`Invalid value: ${formatBadValue(value)}`, detail));

/** An Invalid error whose value prints unquoted, as Go prints values with a String() method (Quantity). */
export const invalidStringer = (field: FieldPath, printed: string, detail: string): FieldError =>
  make('FieldValueInvalid', field, withDetail(`Invalid value: ${printed}`, detail));

export const notSupported = (field: FieldPath, value: unknown, supported: readonly string[]): FieldError =>
  make(
    'FieldValueNotSupported',
    field,
    withDetail(
      `Unsupported value: ${formatBadValue(value)}`,
      supported.length > 0 ? `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}` : '',
    ),
  );

export const duplicate = (field: FieldPath, value: unknown): FieldError =>
  make('FieldValueDuplicate', field, `Duplicate value: ${formatBadValue(value)}`);

export const forbidden = (field: FieldPath, detail: string): FieldError =>
  make('FieldValueForbidden', field, withDetail('Forbidden', detail));

/** Kubernetes' TooLong: the value itself is never printed. */
export const tooLong = (field: FieldPath, maxBytes: number): FieldError =>
  make('FieldValueTooLong', field, `Too long: must have at most ${maxBytes} bytes`);

export const tooMany = (field: FieldPath, actual: number, max: number): FieldError =>
  make('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`);

export const notFound = (field: FieldPath, value: unknown): FieldError =>
  make('FieldValueNotFound', field, `Not found: ${formatBadValue(value)}`);

export const typeInvalid = (field: FieldPath, value: unknown, detail: string): FieldError =>
  make('FieldValueTypeInvalid', field, withDetail(`Invalid value: ${formatBadValue(value)}`, detail));

/** Each message of a content check (names.ts) as one Invalid error at `field`. */
export const invalidEach = (field: FieldPath, value: unknown, messages: readonly string[]): FieldError[] =>
  messages.map((message) => invalidValue(field, value, message));

export const FIELD_IMMUTABLE = 'field is immutable';
export const NEGATIVE = 'must be greater than or equal to 0';
