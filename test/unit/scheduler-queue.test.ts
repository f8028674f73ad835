import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/informer/clock.ts';
import { makePod } from '../../src/scheduler/fixtures.ts';
import { isPodUpdated, SchedulingQueue } from '../../src/scheduler/queue.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function queue() {
  const clock = new FakeClock(1_000_000);
  const q = new SchedulingQueue({ clock });
  q.run();
  return { clock, q };
}

describe('scheduling queue', () => {
  it('pops by priority, then creation time', () => {
    const { q } = queue();
    q.add(makePod('old-low', { priority: 0, creationTimestamp: at(1) }));
    q.add(makePod('new-high', { priority: 100, creationTimestamp: at(5) }));
    q.add(makePod('new-low', { priority: 0, creationTimestamp: at(3) }));
    q.add(makePod('old-high', { priority: 100, creationTimestamp: at(2) }));
    const order = [q.tryPop(), q.tryPop(), q.tryPop(), q.tryPop()].map((i) => i?.pod.metadata.name);
    assert.deepEqual(order, ['old-high', 'new-high', 'old-low', 'new-low']);
    assert.equal(q.tryPop(), undefined);
  });

  it('a waiting pop gets the next pod added; close ends it', async () => {
    const { q } = queue();
    const waiting = q.pop();
    q.add(makePod('p'));
    assert.equal((await waiting)?.key, 'default/p');
    const ended = q.pop();
    q.close();
    assert.equal(await ended, undefined);
  });

  it('backs off 1 s doubling to 10 s', () => {
    const { q } = queue();
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => q.backoffDuration(n)), [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('moves unschedulable pods on a cluster event, to backoffQ while their backoff lasts', () => {
    const { clock, q } = queue();
    q.add(makePod('p'));
    const info = q.tryPop()!;
    q.addUnschedulable(info);
    assert.equal(q.whereIs('default/p'), 'unschedulable');
    clock.step(500);
    q.moveAllToActiveOrBackoff();
    assert.equal(q.whereIs('default/p'), 'backoff', 'backoff of the first attempt (1 s) has not passed');
    clock.step(400);
    assert.equal(q.whereIs('default/p'), 'backoff');
    clock.step(700); // a flush tick after the 1 s expiry
    assert.equal(q.whereIs('default/p'), 'active');
  });

  it('moves straight to activeQ once the backoff has passed', () => {
    const { clock, q } = queue();
    q.add(makePod('p'));
    q.addUnschedulable(q.tryPop()!);
    clock.step(1_500);
    assert.equal(q.whereIs('default/p'), 'unschedulable', 'nothing moves it without an event');
    q.moveAllToActiveOrBackoff();
    assert.equal(q.whereIs('default/p'), 'active');
  });

  it('a pod that failed after an event arrived during its attempt goes to backoffQ, not unschedulable', () => {
    const { q } = queue();
    q.add(makePod('p'));
    const info = q.tryPop()!;
    q.moveAllToActiveOrBackoff(); // e.g. a node was added while p was being scheduled
    q.addUnschedulable(info);
    assert.equal(q.whereIs('default/p'), 'backoff');
  });

  it('errors (not filter verdicts) go to backoffQ', () => {
    const { q } = queue();
    q.add(makePod('p'));
    q.addUnschedulable(q.tryPop()!, false);
    assert.equal(q.whereIs('default/p'), 'backoff');
  });

  it('flushes pods left unschedulable for 5 minutes', () => {
    const { clock, q } = queue();
    q.add(makePod('p'));
    q.addUnschedulable(q.tryPop()!);
    clock.step(4 * 60_000);
    assert.equal(q.whereIs('default/p'), 'unschedulable');
    clock.step(60_000 + 30_000);
    assert.equal(q.whereIs('default/p'), 'active');
  });

  it('a changed spec or labels moves an unschedulable pod; a status write does not', () => {
    const { clock, q } = queue();
    const pod = makePod('p');
    q.add(pod);
    q.addUnschedulable(q.tryPop()!);
    clock.step(2_000);
    const statusOnly = { ...pod, metadata: { ...pod.metadata, resourceVersion: '9' }, status: { phase: 'Pending', conditions: [] } };
    assert.equal(isPodUpdated(pod, statusOnly), false);
    q.update(pod, statusOnly);
    assert.equal(q.whereIs('default/p'), 'unschedulable');
    const relabelled = { ...statusOnly, metadata: { ...statusOnly.metadata, labels: { tier: 'x' } } };
    q.update(statusOnly, relabelled);
    assert.equal(q.whereIs('default/p'), 'active');
  });

  it('delete removes a pod from whichever queue holds it; attempts count per pod', () => {
    const { q } = queue();
    const pod = makePod('p');
    q.add(pod);
    const first = q.tryPop()!;
    assert.equal(first.attempts, 1);
    q.addUnschedulable(first);
    q.delete(pod);
    assert.equal(q.whereIs('default/p'), undefined);
    assert.deepEqual(q.lengths, { active: 0, backoff: 0, unschedulable: 0 });
  });
});
