/**
 * Patches, applied to a copy (inputs are never mutated):
 * - JSON merge patch (RFC 7386): objects merge key by key, null deletes, anything else
 *   replaces.
 * - JSON patch (RFC 6902) through fast-json-patch: a body that is not a list of
 *   operations is a 400 BadRequest; an operation that cannot apply (a failed `test`, a
 *   missing path, an unknown op) is the 422 Kubernetes answers, with the reason in causes.
 * Strategic merge patch lives in strategic-merge-patch.ts, driven by the kind's schema.
 */
import jsonpatch from 'fast-json-patch';
import { badRequest, StatusError } from './errors.ts';
import { deepCopy, deepEqual, setOwn } from './json.ts';
import { isPlainObject, type Json } from './object.ts';

export function applyMergePatch(target: unknown, patch: unknown): Json {
  if (!isPlainObject(patch)) return deepCopy(patch) as Json;
  const result: Record<string, unknown> = isPlainObject(target) ? deepCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (value !== undefined) setOwn(result, key, applyMergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result as Json;
}

/**
 * The merge patch that turns `from` into `to`: applyMergePatch(from, createMergePatch(from, to))
 * equals `to` whenever `to` holds no nulls (a merge patch cannot set a value to null).
 */
export function createMergePatch(from: unknown, to: unknown): Json {
  if (!isPlainObject(from) || !isPlainObject(to)) return deepCopy(to) as Json;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (!Object.hasOwn(to, key)) setOwn(patch, key, null);
  for (const [key, value] of Object.entries(to)) {
    if (!Object.hasOwn(from, key)) setOwn(patch, key, deepCopy(value));
    else if (!deepEqual(from[key], value)) {
      // Objects merge; anything else (including a nested null) is replaced whole.
      setOwn(patch, key, isPlainObject(from[key]) && isPlainObject(value) ? createMergePatch(from[key], value) : deepCopy(value));
    }
  }
  return patch as Json;
}

type Operation = Parameters<typeof jsonpatch.applyPatch>[1][number];

/** 422 as Kubernetes answers a JSON patch that does not apply, with the detail as a cause. */
function patchDoesNotApply(message: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

function describeFailure(error: unknown, operations: Operation[]): string {
  if (!(error instanceof jsonpatch.JsonPatchError)) return error instanceof Error ? error.message : String(error);
  const operation = (error.operation ?? operations[error.index ?? -1]) as Record<string, unknown> | undefined;
  const op = String(operation?.op ?? '');
  const path = String(operation?.path ?? '');
  switch (error.name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op} operation does not apply: doc is missing from path: ${JSON.stringify(String(operation?.from ?? ''))}: missing value`;
    case 'OPERATION_OP_INVALID':
      return `Unexpected kind: ${op}`;
    default:
      return error.message;
  }
}

export function applyJsonPatch(target: unknown, operations: unknown): Json {
  if (!Array.isArray(operations)) {
    throw badRequest(`json: cannot unmarshal ${operations === null ? 'null' : typeof operations} into Go value of type jsonpatch.Patch`);
  }
  for (const operation of operations) {
    if (!isPlainObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation: every operation needs a string "op" and "path"');
    }
  }
  const ops = operations as Operation[];
  try {
    return jsonpatch.applyPatch(deepCopy(target), deepCopy(ops), true, true).newDocument as Json;
  } catch (error) {
    throw patchDoesNotApply(describeFailure(error, ops));
  }
}
