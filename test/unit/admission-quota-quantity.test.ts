import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { add, canonicalQuantity, formatQuantity, quantityOf, subtract } from '../../src/admission/resource-quota/quantity.ts';
import { addLists, lessThanOrEqual, prettyPrint, resourceList, subtractNonNegative, toStored } from '../../src/admission/resource-quota/resource-list.ts';

const q = (text: string) => quantityOf(text)!;

describe('quantity canonical form (Quantity.String)', () => {
  const cases: [string, string][] = [
    ['0', '0'],
    ['1', '1'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['1500', '1500'],
    ['2000', '2k'],
    ['100m', '100m'],
    ['1000m', '1'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['512', '512'],
    ['1Ki', '1Ki'],
    ['0.5Gi', '512Mi'],
    ['1e3', '1e3'],
    ['128974848', '128974848'],
    ['129M', '129M'],
    ['1n', '1n'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} prints as ${expected}`, () => assert.equal(canonicalQuantity(input), expected));
  }

  it('a sum keeps the first operand format, unless that operand is zero', () => {
    assert.equal(formatQuantity(add(q('1Gi'), q('512Mi'))), '1536Mi');
    assert.equal(formatQuantity(add(q('1'), q('500m'))), '1500m');
    assert.equal(formatQuantity(add(q('0'), q('1Gi'))), '1Gi');
    assert.equal(formatQuantity(add(q('1000'), q('1Ki'))), '2024');
    assert.equal(formatQuantity(subtract(q('1Gi'), q('1Gi'))), '0');
  });
});

describe('resource lists', () => {
  it('adds per name and keeps names of both sides', () => {
    assert.deepEqual(toStored(addLists(resourceList({ pods: '1', cpu: '100m' }), resourceList({ cpu: '200m', memory: '1Gi' }))), { cpu: '300m', memory: '1Gi', pods: '1' });
  });
  it('subtracts without going below zero, over the names of the first list', () => {
    assert.deepEqual(toStored(subtractNonNegative(resourceList({ storage: '1Gi', pods: '1' }), resourceList({ storage: '2Gi' }))), { pods: '1', storage: '0' });
  });
  it('names what exceeds, only where both lists have the name', () => {
    assert.deepEqual(lessThanOrEqual(resourceList({ pods: '3', cpu: '1', memory: '1Gi' }), resourceList({ pods: '2', cpu: '2' })), { allowed: false, exceeded: ['pods'] });
    assert.equal(lessThanOrEqual(resourceList({ pods: '2' }), resourceList({ pods: '2' })).allowed, true);
  });
  it('prints name=value sorted by name', () => {
    assert.equal(prettyPrint(resourceList({ 'requests.cpu': '0.5', pods: '1' })), 'pods=1,requests.cpu=500m');
  });
});
