/**
 * Subject tokens: readable, reversible, canonical, and never a NATS wildcard or separator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeToken, encodeToken, TokenError } from '../../streams/token.ts';

describe('encodeToken', () => {
  it('keeps [A-Za-z0-9-] and turns dots into underscores', () => {
    assert.equal(encodeToken('pods'), 'pods');
    assert.equal(encodeToken('deployments.apps'), 'deployments_apps');
    assert.equal(encodeToken('ingresses.networking.k8s.io'), 'ingresses_networking_k8s_io');
    assert.equal(encodeToken('kube-system'), 'kube-system');
    assert.equal(encodeToken('Node-1.example.com'), 'Node-1_example_com');
  });

  it('escapes every other byte as ~xx in lower-case hex', () => {
    assert.equal(encodeToken('a_b'), 'a~5fb');
    assert.equal(encodeToken('~'), '~7e');
    assert.equal(encodeToken('system:node:worker'), 'system~3anode~3aworker');
    assert.equal(encodeToken('*'), '~2a');
    assert.equal(encodeToken('>'), '~3e');
    assert.equal(encodeToken('a b'), 'a~20b');
    assert.equal(encodeToken('é'), '~c3~a9');
    assert.equal(encodeToken('😀'), '~f0~9f~98~80');
    assert.equal(encodeToken('\ud800'), '~ed~a0~80', 'a lone surrogate is kept (WTF-8)');
  });

  it('refuses the empty string', () => {
    assert.throws(() => encodeToken(''), TokenError);
    assert.throws(() => decodeToken(''), TokenError);
  });
});

describe('decodeToken', () => {
  it('inverts the examples', () => {
    for (const text of ['pods', 'deployments.apps', 'a_b', 'system:node:x', 'é😀', '\udfff', '..', '_']) {
      assert.equal(decodeToken(encodeToken(text)), text);
    }
  });

  it('accepts only canonical tokens', () => {
    for (const bad of ['~41', '~2e', '~5F', '~e', '~zz', 'a.b', 'a*', '>', 'a b', '~c3', '~c3~41', '~c0~80', '~ed~a0~80~ed~b0~80', '~f8~80~80~80']) {
      assert.throws(() => decodeToken(bad), TokenError, bad);
    }
  });
});

describe('token properties', () => {
  const anyString = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
  const mixed = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '.', '_', '~', ':', '*', '>', ' ', '\t', 'é', '😀', '\ud800', '\udc00'), minLength: 1, maxLength: 20 });

  it('decode(encode(s)) == s for any string', () => {
    fc.assert(fc.property(fc.oneof(anyString, mixed), (s) => decodeToken(encodeToken(s)) === s), { numRuns: 2000 });
  });

  it('an encoded token never holds ".", "*", ">" or whitespace, and only [A-Za-z0-9_~-]', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, mixed), (s) => {
        const token = encodeToken(s);
        return !/[.*>\s]/.test(token) && /^[A-Za-z0-9_~-]+$/.test(token);
      }),
      { numRuns: 2000 },
    );
  });

  it('is injective', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, mixed), fc.oneof(anyString, mixed), (a, b) => (a === b) === (encodeToken(a) === encodeToken(b))),
      { numRuns: 2000 },
    );
  });
});
