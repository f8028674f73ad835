/**
 * What the HTTP face refuses before anything reads a body or a path: request targets that
 * are not paths a URL can be built from ("//", "///", "*"), bodies nested deeper than
 * MAX_BODY_DEPTH (JSON measured after parsing, YAML bounded before the recursive parser
 * sees it), and the --anonymous-auth flag's values.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import { decodeBody, MAX_BODY_DEPTH, yamlNestingBound } from '../../src/http/body.ts';
import { requestUrl } from '../../src/http/request-url.ts';
import { anonymousAuth, prepareHttpFace } from '../../src/http/setup.ts';

const badRequest = (error: unknown) => error instanceof StatusError && error.code === 400;
const nestedArrays = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('request targets', () => {
  it('reads "//" and "///" as paths, not as a host', () => {
    assert.equal(requestUrl('//').pathname, '//');
    assert.equal(requestUrl('///').pathname, '///');
    const url = requestUrl('//evil.example/api/v1?limit=1');
    assert.deepEqual([url.host, url.pathname, url.searchParams.get('limit')], ['localhost', '//evil.example/api/v1', '1']);
    assert.equal(requestUrl(undefined).pathname, '/');
  });

  it('reads the absolute form by its path, and refuses what is no URL at all with a 400', () => {
    assert.equal(requestUrl('http://somewhere:6443/api?watch=1').pathname, '/api');
    assert.throws(() => requestUrl('*'), badRequest);
    assert.throws(() => requestUrl('not a target'), badRequest);
  });
});

describe('body nesting', () => {
  it('takes JSON nested up to the limit and refuses one level more with a 400', () => {
    assert.ok(decodeBody(Buffer.from(nestedArrays(MAX_BODY_DEPTH)), { kind: 'json' }));
    assert.throws(() => decodeBody(Buffer.from(nestedArrays(MAX_BODY_DEPTH + 1)), { kind: 'json' }), (error) => badRequest(error) && /exceeded max depth/.test((error as Error).message));
    assert.throws(() => decodeBody(Buffer.from(nestedArrays(100_000)), { kind: 'patch', patchType: 'merge' }), badRequest);
  });

  it('refuses deep YAML before parsing it, flow or block, and a cycle of aliases', () => {
    for (const text of [nestedArrays(100_000), `a: ${'{b: '.repeat(600)}1${'}'.repeat(600)}`, Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'), `${'- '.repeat(600)}x`, 'a: &a [*a]\n']) {
      assert.throws(() => decodeBody(Buffer.from(text), { kind: 'yaml' }), badRequest, text.slice(0, 40));
      assert.throws(() => decodeBody(Buffer.from(text), { kind: 'patch', patchType: 'apply' }), badRequest, text.slice(0, 40));
    }
    assert.deepEqual(decodeBody(Buffer.from('a:\n  b:\n    - [1, {c: 2}]\n'), { kind: 'yaml' }), { a: { b: [[1, { c: 2 }]] } });
  });

  it('bounds a YAML text from above: flow depth, or a line indentation plus its "- " entries', () => {
    assert.equal(yamlNestingBound('a: 1\n'), 0);
    assert.equal(yamlNestingBound('{a: [1, {b: 2}]}'), 3);
    assert.equal(yamlNestingBound('a:\n  b: 1\n'), 2);
    assert.ok(yamlNestingBound('- - - x\n') >= 3);
    assert.equal(yamlNestingBound('"]]]" [x]'), 1);
  });
});

describe('--anonymous-auth', () => {
  it('is off when absent, reads Go\'s booleans, and refuses anything else', () => {
    assert.equal(anonymousAuth(undefined), false);
    for (const yes of ['true', '1', 't', 'TRUE', 'True']) assert.equal(anonymousAuth(yes), true, yes);
    for (const no of ['false', '0', 'f', 'FALSE']) assert.equal(anonymousAuth(no), false, no);
    assert.throws(() => anonymousAuth('maybe'), /invalid value "maybe" for --anonymous-auth/);
    assert.throws(() => anonymousAuth(''), /invalid value/);
  });

  it('reaches the HTTP face config that `jetkube up` hands the API server', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'jetkube-anonymous-flag-'));
    try {
      const on = await prepareHttpFace({ 'api-address': '127.0.0.1:0', 'anonymous-auth': 'true' }, dataDir);
      assert.equal(on.config.anonymous, true);
      const off = await prepareHttpFace({ 'api-address': '127.0.0.1:0', 'anonymous-auth': 'false' }, dataDir);
      assert.equal(off.config.anonymous, undefined);
      await assert.rejects(prepareHttpFace({ 'anonymous-auth': 'yes please' }, dataDir), /--anonymous-auth/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
