/**
 * validateObject: every check Kubernetes makes before an object is stored, as a list of
 * field errors (empty when valid) that `invalid()` turns into a 422.
 *
 * It expects what the API server has at that point: a defaulted object after
 * prepareCreate/prepareUpdate (so fields defaults always fill are not re-required), and
 * on update the stored object as `old`. Order of checks: structure first (types, enums,
 * bounds, formats from the schema); a value of the wrong JSON type stops there, as it
 * stops Kubernetes' decoder, since the semantic rules read well-typed data. Then
 * metadata, the kind's own rules, and on update what may not change. It never throws on
 * JSON input.
 */
import type { FieldError } from './errors.ts';
import { typeInvalid } from './field-errors.ts';
import { withoutNulls } from './json.ts';
import { isPlainObject, type KubeObject } from './object.ts';
import type { ResourceType } from './resource-type.ts';
import { structuralErrors } from './schema/index.ts';
import type { ObjectMetaData } from './types.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './validation/meta.ts';
import { KIND_RULES } from './validation/kinds.ts';

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const id = `${e.type}\u0000${e.field}\u0000${e.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function validateObject(rt: ResourceType, obj: unknown, old?: KubeObject): FieldError[] {
  if (!isPlainObject(obj)) {
    const actual = obj === null ? 'null' : Array.isArray(obj) ? 'array' : typeof obj;
    return [typeInvalid('', actual, 'body must be of type object')];
  }
  const structural = structuralErrors(rt, obj);
  if (structural.some((e) => e.type === 'FieldValueTypeInvalid')) return dedupe(structural);

  const object = withoutNulls(obj) as KubeObject & Record<string, unknown>;
  // Missing metadata is empty metadata: its required fields are then reported one by one.
  const meta = (object.metadata ?? {}) as ObjectMetaData;
  const rules = KIND_RULES[rt.key];
  const errors = [...structural, ...validateObjectMeta(rt, meta), ...(rules?.validate(object) ?? [])];
  // The stored object passed these checks when it was written; one that somehow did not is no baseline.
  const oldIsSound = old !== undefined && isPlainObject(old) && !structuralErrors(rt, old).some((e) => e.type === 'FieldValueTypeInvalid');
  if (oldIsSound) {
    const previous = withoutNulls(old) as KubeObject & Record<string, unknown>;
    errors.push(...validateObjectMetaUpdate(meta, (previous.metadata ?? {}) as ObjectMetaData));
    errors.push(...(rules?.validateUpdate?.(object, previous) ?? []));
  }
  return dedupe(errors);
}
