import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanDuration } from '../../src/present/human-duration.ts';
import { diffObjects, formatChange } from '../../src/present/object-diff.ts';
import { formatTable } from '../../src/present/print.ts';

describe('humanDuration (kubectl ages)', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [45, '45s'],
    [119, '119s'],
    [120, '2m'],
    [200, '3m20s'],
    [47 * 60, '47m'],
    [3 * 3600 + 12 * 60, '3h12m'],
    [10 * 3600, '10h'],
    [3 * 86400 + 4 * 3600, '3d4h'],
    [120 * 86400, '120d'],
    [(2 * 365 + 30) * 86400, '2y30d'],
  ];
  for (const [seconds, expected] of cases) {
    it(`${seconds}s prints as ${expected}`, () => assert.equal(humanDuration(seconds * 1000), expected));
  }
});

describe('diffObjects', () => {
  it('lists added, removed and replaced fields by path, ignoring resourceVersion', () => {
    const before = { metadata: { name: 'w', resourceVersion: '1', labels: { a: '1' } }, spec: { replicas: 1, ports: [80] } };
    const after = { metadata: { name: 'w', resourceVersion: '9', annotations: { n: 'x' } }, spec: { replicas: 3, ports: [80] } };
    assert.deepEqual(diffObjects(before, after).map(formatChange), [
      '+ metadata.annotations: {"n":"x"}',
      '- metadata.labels: {"a":"1"}',
      '~ spec.replicas: 1 -> 3',
    ]);
  });

  it('is empty for equal objects', () => {
    assert.deepEqual(diffObjects({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), []);
  });

  it('descends into arrays of equal length', () => {
    assert.deepEqual(diffObjects({ c: [{ image: 'a' }] }, { c: [{ image: 'b' }] }).map(formatChange), ['~ c[0].image: "a" -> "b"']);
  });
});

describe('formatTable', () => {
  it('pads columns to the widest cell plus three spaces, as kubectl', () => {
    assert.equal(formatTable(['NAME', 'AGE'], [['web', '5s'], ['database', '10m']]), 'NAME       AGE\nweb        5s\ndatabase   10m\n');
  });
});
