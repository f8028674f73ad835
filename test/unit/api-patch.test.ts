import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import { applyJsonPatch, applyMergePatch, createMergePatch } from '../../src/api/patch.ts';

describe('JSON merge patch (RFC 7386)', () => {
  it('follows the RFC examples', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [['a', 'b'], ['c', 'd'], ['c', 'd']],
      [{ a: 'b' }, ['c'], ['c']],
      [{ a: 'foo' }, null, null],
      [{ a: 'foo' }, 'bar', 'bar'],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, expected] of cases) assert.deepEqual(applyMergePatch(target, patch), expected, JSON.stringify([target, patch]));
  });

  it('never mutates its inputs', () => {
    const target = { spec: { replicas: 1, template: { a: 1 } } };
    const patch = { spec: { replicas: 2 } };
    const result = applyMergePatch(target, patch) as any;
    result.spec.template.a = 99;
    assert.deepEqual(target, { spec: { replicas: 1, template: { a: 1 } } });
    assert.deepEqual(patch, { spec: { replicas: 2 } });
  });

  it('creates the patch between two documents', () => {
    const from = { a: 1, b: { c: 2, d: 3 }, e: [1] };
    const to = { a: 1, b: { c: 5 }, f: true };
    const patch = createMergePatch(from, to);
    assert.deepEqual(patch, { e: null, b: { d: null, c: 5 }, f: true });
    assert.deepEqual(applyMergePatch(from, patch), to);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { name: 'web', labels: { a: '1' } }, spec: { replicas: 1, ports: [80] } };

  it('applies operations to a copy', () => {
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/spec/ports/-', value: 443 },
      { op: 'remove', path: '/metadata/labels/a' },
      { op: 'test', path: '/metadata/name', value: 'web' },
    ]);
    assert.deepEqual(out, { metadata: { name: 'web', labels: {} }, spec: { replicas: 3, ports: [80, 443] } });
    assert.equal(doc.spec.replicas, 1);
    assert.deepEqual(doc.spec.ports, [80]);
  });

  function failure(ops: unknown): StatusError {
    try {
      applyJsonPatch(doc, ops);
    } catch (error) {
      assert.ok(error instanceof StatusError);
      return error;
    }
    assert.fail('expected the patch to fail');
  }

  it('answers a malformed patch with 400', () => {
    const notList = failure({ op: 'add' });
    assert.equal(notList.code, 400);
    assert.equal(notList.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    assert.equal(failure([{ path: '/a' }]).code, 400);
  });

  it('answers a failed test or a missing path with 422', () => {
    const test = failure([{ op: 'test', path: '/metadata/name', value: 'api' }]);
    assert.equal(test.code, 422);
    assert.equal(test.reason, 'Invalid');
    assert.equal(test.message, 'the server rejected our request due to an error in our request');
    assert.deepEqual(test.details?.causes, [{ reason: 'UnexpectedServerResponse', message: 'testing value /metadata/name failed: test failed' }]);
    const missing = failure([{ op: 'replace', path: '/spec/nothing/here', value: 1 }]);
    assert.equal(missing.code, 422);
    assert.match(missing.details!.causes![0]!.message!, /^replace operation does not apply: doc is missing path: "\/spec\/nothing\/here"/);
    assert.equal(failure([{ op: 'frobnicate', path: '/a' }]).details!.causes![0]!.message, 'Unexpected kind: frobnicate');
  });

  it('refuses prototype pollution', () => {
    assert.equal(failure([{ op: 'add', path: '/__proto__/polluted', value: 1 }]).code, 422);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
