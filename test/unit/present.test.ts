import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanDuration } from '../../src/present/human-duration.ts';
import { diffObjects, formatChange } from '../../src/present/object-diff.ts';
import { formatObjects, formatTable } from '../../src/present/print.ts';
import { resourceByKey } from '../../src/api/registry.ts';

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

describe('formatObjects', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  const now = new Date('2026-01-01T00:05:00Z');

  it('prints the per-kind columns kubectl shows, NAMESPACE first with -A', () => {
    const text = formatObjects([deployment], resourceByKey('deployments.apps')!, 'table', { allNamespaces: true, now });
    assert.equal(text, 'NAMESPACE   NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nshop        web    2/3     3            2           5m\n');
  });

  it('adds the wide columns for -o wide', () => {
    const text = formatObjects([deployment], resourceByKey('deployments.apps')!, 'wide', { now });
    assert.match(text.split('\n')[0]!, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    assert.match(text.split('\n')[1]!, /nginx\s+nginx:1\.27\s+app=web$/);
  });

  it('prints kind.group/name for -o name', () => {
    assert.equal(formatObjects([deployment], resourceByKey('deployments.apps')!, 'name'), 'deployment.apps/web\n');
  });
});
