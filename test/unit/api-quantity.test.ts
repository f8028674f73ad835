import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareQuantities, parseQuantity, quantityToMillis, quantityToNumber } from '../../src/api/quantity.ts';

describe('quantities', () => {
  it('parses decimal, binary and exponent suffixes exactly', () => {
    assert.equal(parseQuantity('500m'), 500_000_000n);
    assert.equal(parseQuantity('1Ki'), 1024n * 1_000_000_000n);
    assert.equal(parseQuantity('1.5'), 1_500_000_000n);
    assert.equal(parseQuantity('2e3'), 2000n * 1_000_000_000n);
    assert.equal(parseQuantity(3), 3_000_000_000n);
    assert.equal(parseQuantity('-1'), -1_000_000_000n);
  });

  it('rejects what Kubernetes rejects', () => {
    for (const bad of ['', 'abc', '1x', '1..2', '1Gii', '.', 'm']) assert.equal(parseQuantity(bad), undefined, bad);
  });

  it('compares across units', () => {
    assert.equal(compareQuantities('1', '1000m'), 0);
    assert.equal(compareQuantities('1Gi', '1G'), 1);
    assert.equal(compareQuantities('100Mi', '1Gi'), -1);
    assert.equal(compareQuantities('x', '1'), undefined);
  });

  it('converts to numbers and millis (rounding up)', () => {
    assert.equal(quantityToNumber('250m'), 0.25);
    assert.equal(quantityToMillis('0.0001'), 1);
    assert.equal(quantityToMillis('2'), 2000);
  });
});
