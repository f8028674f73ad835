import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyMergePatch, createMergePatch } from '../../src/api/patch.ts';

/** Data as JSON decoding produces it (plain prototypes; fast-check also makes null-prototype objects). */
const decoded = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** JSON without nulls: a merge patch cannot express a null value, so its laws hold over these. */
const nullFree = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 3 },
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.string({ maxLength: 3 }), tie('value'), { maxKeys: 4 }),
})).object.map(decoded);

const json = fc.jsonValue({ maxDepth: 3 }).map(decoded);

describe('JSON merge patch laws', () => {
  it('applying the patch between two documents gives the second', () => {
    fc.assert(fc.property(nullFree, nullFree, (a, b) => assert.deepEqual(applyMergePatch(a, createMergePatch(a, b)), b)), { numRuns: 500 });
  });

  it('is idempotent: applying a patch twice is applying it once', () => {
    fc.assert(
      fc.property(json, json, (target, patch) => {
        const once = applyMergePatch(target, patch);
        assert.deepEqual(applyMergePatch(once, patch), once);
      }),
      { numRuns: 500 },
    );
  });

  it('the empty patch changes no object', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), json).map(decoded), (target) => assert.deepEqual(applyMergePatch(target, {}), target)));
  });

  it('a patch that is not an object replaces the target', () => {
    fc.assert(
      fc.property(json, fc.oneof(fc.integer(), fc.string(), fc.array(json, { maxLength: 3 }), fc.constant(null)), (target, patch) =>
        assert.deepEqual(applyMergePatch(target, patch), patch),
      ),
    );
  });

  it('never mutates target or patch', () => {
    fc.assert(
      fc.property(json, json, (target, patch) => {
        const before = JSON.stringify([target, patch]);
        applyMergePatch(target, patch);
        assert.equal(JSON.stringify([target, patch]), before);
      }),
    );
  });

  it('the result never holds a null that the patch put there', () => {
    fc.assert(
      fc.property(nullFree, json, (target, patch) => {
        const text = JSON.stringify(applyMergePatch(target, patch));
        if (typeof patch === 'object' && patch !== null && !Array.isArray(patch)) assert.ok(!hasNullMember(JSON.parse(text), patch), text);
      }),
    );
  });
});

/** Whether `result` has a null at a path where the object-typed `patch` has one (those must be deletions). */
function hasNullMember(result: unknown, patch: unknown): boolean {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return false;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return false;
  return Object.entries(patch).some(([k, v]) => {
    const r = (result as Record<string, unknown>)[k];
    return (v === null && Object.hasOwn(result, k)) || hasNullMember(r, v);
  });
}
