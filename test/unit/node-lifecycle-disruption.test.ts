import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideNodeLifecycle } from '../../src/controllers/node-lifecycle/decide.ts';
import { decideNodeTaints } from '../../src/controllers/node-lifecycle/decide-taints.ts';
import { DisruptionTracker, EXCLUDE_DISRUPTION_LABEL } from '../../src/controllers/node-lifecycle/disruption.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const node = (name: string, ready?: string, extra: { labels?: Record<string, string>; taints?: unknown[] } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
  spec: extra.taints ? { taints: extra.taints } : {},
  status: { conditions: ready ? [{ type: 'Ready', status: ready, lastHeartbeatTime: 'h' }] : [] },
});
const keys = (taints: { key: string; effect: string }[] | undefined) => taints?.map((t) => `${t.key}:${t.effect}`);

describe('DisruptionTracker', () => {
  it('is disrupted only when no counted node is Ready, and says when that changes', () => {
    const tracker = new DisruptionTracker();
    assert.equal(tracker.allDisrupted, false, 'no node at all is no disruption');
    assert.equal(tracker.observe(node('a', 'True')), false);
    assert.equal(tracker.observe(node('b', 'False')), false);
    assert.equal(tracker.observe(node('a', 'Unknown')), true);
    assert.equal(tracker.allDisrupted, true);
    assert.equal(tracker.observe(node('c')), false, 'a node without a Ready condition is not ready');
    assert.equal(tracker.observe(node('b', 'True')), true);
    assert.equal(tracker.allDisrupted, false);
    assert.equal(tracker.forget('b'), true);
    assert.equal(tracker.allDisrupted, true);
  });

  it('does not count nodes labelled exclude-disruption', () => {
    const tracker = new DisruptionTracker();
    tracker.observe(node('a', 'Unknown'));
    tracker.observe(node('excluded', 'True', { labels: { [EXCLUDE_DISRUPTION_LABEL]: '' } }));
    assert.equal(tracker.allDisrupted, true);
  });

  it('allDisruptedWith answers for a node state the cache does not show yet', () => {
    const tracker = new DisruptionTracker();
    tracker.observe(node('a', 'True'));
    tracker.observe(node('b', 'Unknown'));
    assert.equal(tracker.allDisruptedWith(node('a', 'Unknown')), true);
    assert.equal(tracker.allDisruptedWith(node('b', 'True')), false);
    assert.equal(tracker.allDisruptedWith(node('new', 'Unknown')), false, 'a is still Ready');
    assert.equal(tracker.allDisrupted, false, 'asking changes nothing');
  });
});

describe('evictions stopped while every node is down', () => {
  it('adds no NoExecute taint and removes the controller\'s, keeping the NoSchedule ones and everyone else\'s', () => {
    const n = node('a', 'Unknown', {
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' },
        { key: 'user', effect: 'NoExecute' },
      ],
    });
    assert.deepEqual(keys(decideNodeTaints(n, T0, true)), ['user:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.deepEqual(keys(decideNodeTaints(node('b', 'False'), T0, true)), ['node.kubernetes.io/not-ready:NoSchedule']);
  });

  it('decideNodeLifecycle asks with the node as it is after its own status write', () => {
    const seen: string[] = [];
    const healthy = node('a', 'True');
    const first = decideNodeLifecycle({ node: healthy, podsOnNode: () => [], now: T0 });
    const d = decideNodeLifecycle({
      node: healthy,
      previous: first.health,
      podsOnNode: () => [],
      now: T0 + 40_001,
      evictionsStopped: (after) => {
        seen.push(((after.status as { conditions: { status: string }[] }).conditions[0]!.status));
        return true;
      },
    });
    assert.deepEqual(seen, ['Unknown']);
    assert.deepEqual(keys(d.taints), ['node.kubernetes.io/unreachable:NoSchedule']);
  });
});
