import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideNodeTaints, wantedTaints } from '../../src/controllers/node-lifecycle/decide-taints.ts';
import type { NodeCondition } from '../../src/controllers/node-lifecycle/health.ts';
import { matchingTolerations, toleratesTaint, type Taint, type Toleration } from '../../src/controllers/node-lifecycle/taints.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('toleratesTaint (core/v1 Toleration.ToleratesTaint)', () => {
  const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const cases: [string, Toleration, Taint, boolean][] = [
    ['Equal with the same key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint, true],
    ['Equal with another value', { key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }, taint, false],
    ['an empty operator means Equal', { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, taint, true],
    ['an empty operator with another value', { key: 'dedicated', value: 'x', effect: 'NoSchedule' }, taint, false],
    ['Exists ignores the value', { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, taint, true],
    ['Exists with another key', { key: 'other', operator: 'Exists' }, taint, false],
    ['an empty effect matches every effect', { key: 'dedicated', operator: 'Exists' }, { ...taint, effect: 'NoExecute' }, true],
    ['another effect does not match', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint, false],
    ['an empty key with Exists matches every taint', { operator: 'Exists' }, { key: 'anything', effect: 'NoExecute' }, true],
    ['an empty key with Exists and an effect matches that effect only', { operator: 'Exists', effect: 'NoExecute' }, taint, false],
    ['an empty key with Equal compares the values only', { operator: 'Equal', value: 'gpu' }, taint, true],
    ['Equal without values on either side', { key: 'k', operator: 'Equal' }, { key: 'k', effect: 'NoExecute' }, true],
    ['an unknown operator matches nothing', { key: 'dedicated', operator: 'Gt', value: 'gpu' }, taint, false],
  ];
  for (const [name, toleration, t, expected] of cases) {
    it(name, () => assert.equal(toleratesTaint(toleration, t), expected));
  }
});

describe('matchingTolerations (GetMatchingTolerations)', () => {
  const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };

  it('every taint must be tolerated, and the first matching toleration of each is used', () => {
    const a: Toleration = { key: unreachable.key, operator: 'Exists', tolerationSeconds: 5 };
    const b: Toleration = { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 9 };
    assert.deepEqual(matchingTolerations([unreachable, notReady], [a, b]), { allTolerated: true, used: [a, b] });
    assert.deepEqual(matchingTolerations([unreachable, notReady], [a]), { allTolerated: false, used: [] });
    assert.deepEqual(matchingTolerations([], []), { allTolerated: true, used: [] });
  });
});

describe('decideNodeTaints', () => {
  const node = (conditions: NodeCondition[], spec: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
    spec,
    status: { conditions },
  });
  const ready = (status: string): NodeCondition => ({ type: 'Ready', status });
  const keys = (taints: Taint[] | undefined) => taints?.map((t) => `${t.key}:${t.effect}`);

  it('given Ready Unknown, then unreachable NoSchedule and NoExecute, the NoExecute one with timeAdded', () => {
    const taints = decideNodeTaints(node([ready('Unknown')]), T0)!;
    assert.deepEqual(taints, [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) },
    ]);
  });

  it('given unreachable taints, when the node reports Ready False, then they are swapped for not-ready with a new timeAdded', () => {
    const tainted = node([ready('False')], {
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) },
      ],
    });
    const taints = decideNodeTaints(tainted, T0 + 5_000)!;
    assert.deepEqual(taints, [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(T0 + 5_000) },
    ]);
  });

  it('given the node Ready again, then the controller\'s taints go and everyone else\'s stay, in place', () => {
    const tainted = node([ready('True')], {
      taints: [
        { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) },
        { key: 'node.kubernetes.io/unreachable', effect: 'PreferNoSchedule' },
      ],
    });
    assert.deepEqual(keys(decideNodeTaints(tainted, T0)), ['dedicated:NoSchedule', 'node.kubernetes.io/unreachable:PreferNoSchedule']);
  });

  it('keeps an existing NoExecute taint and its timeAdded, and answers undefined when nothing changes', () => {
    const tainted = node([ready('Unknown')], {
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      ],
    });
    assert.equal(decideNodeTaints(tainted, T0 + 60_000), undefined);
  });

  it('maps pressure conditions and spec.unschedulable to NoSchedule taints', () => {
    const n = node(
      [ready('True'), { type: 'MemoryPressure', status: 'True' }, { type: 'DiskPressure', status: 'True' }, { type: 'PIDPressure', status: 'False' }, { type: 'NetworkUnavailable', status: 'True' }],
      { unschedulable: true },
    );
    assert.deepEqual(keys(wantedTaints(n)), [
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/network-unavailable:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    const cordoned = decideNodeTaints(n, T0)!;
    const uncordoned = decideNodeTaints(node([ready('True')], { taints: cordoned }), T0);
    assert.deepEqual(uncordoned, [], 'every managed NoSchedule taint goes once its cause is gone');
  });

  it('given no Ready condition, then NoExecute taints are left alone', () => {
    const n = node([], { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) }] });
    assert.equal(decideNodeTaints(n, T0), undefined);
  });

  it('given a duplicated managed taint, then only one is kept', () => {
    const t = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) };
    const n = node([ready('Unknown')], { taints: [t, { ...t }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] });
    assert.deepEqual(keys(decideNodeTaints(n, T0)), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  });
});
