import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import { parseResourceVersion } from '../../src/api/resource-version.ts';

describe('parseResourceVersion', () => {
  it('reads a decimal revision', () => {
    assert.equal(parseResourceVersion('1'), 1);
    assert.equal(parseResourceVersion('9007199254740991'), Number.MAX_SAFE_INTEGER);
  });

  for (const text of ['', 'abc', '-1', '1e9', '0x10', ' 5', '1.5', '9007199254740992', '9007199254740993', '99999999999999999999']) {
    it(`answers ${JSON.stringify(text)} with 400, never a revision to wait for`, () => {
      assert.throws(
        () => parseResourceVersion(text),
        (error: unknown) => error instanceof StatusError && error.code === 400 && /invalid resourceVersion/.test(error.message),
      );
    });
  }
});
