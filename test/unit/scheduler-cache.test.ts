import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../src/scheduler/cache.ts';
import { makeNode, makePod } from '../../src/scheduler/fixtures.ts';

const cpuOn = (cache: SchedulerCache, node: string) => cache.nodeInfo(node)?.requested.get('cpu') ?? 0;

describe('scheduler cache', () => {
  it('counts an assumed pod on its node until the binding is confirmed', () => {
    const cache = new SchedulerCache(30_000);
    cache.addNode(makeNode('a'));
    const pod = makePod('p', { cpu: '1' });
    cache.assumePod(pod, 'a');
    assert.equal(cpuOn(cache, 'a'), 1000);
    assert.equal(cache.isAssumed('default/p'), true);
    cache.finishBinding('default/p', 0);
    cache.addPod({ ...pod, spec: { ...(pod.spec as object), nodeName: 'a' } });
    assert.equal(cache.isAssumed('default/p'), false);
    assert.equal(cpuOn(cache, 'a'), 1000, 'confirmed, counted once');
    assert.deepEqual(cache.cleanupExpiredAssumedPods(60_000), [], 'a confirmed pod never expires');
  });

  it('moves a confirmed pod to the node the informer says', () => {
    const cache = new SchedulerCache();
    cache.addNode(makeNode('a'));
    cache.addNode(makeNode('b'));
    const pod = makePod('p', { cpu: '1' });
    cache.assumePod(pod, 'a');
    cache.addPod({ ...pod, spec: { ...(pod.spec as object), nodeName: 'b' } });
    assert.equal(cpuOn(cache, 'a'), 0);
    assert.equal(cpuOn(cache, 'b'), 1000);
  });

  it('forgets an assumed pod whose binding failed', () => {
    const cache = new SchedulerCache();
    cache.addNode(makeNode('a'));
    cache.assumePod(makePod('p', { cpu: '1' }), 'a');
    cache.forgetPod('default/p');
    assert.equal(cpuOn(cache, 'a'), 0);
    assert.equal(cache.nodeOf('default/p'), undefined);
  });

  it('expires an assumption ttl after its binding finished, not before the binding finished', () => {
    const cache = new SchedulerCache(30_000);
    cache.addNode(makeNode('a'));
    cache.assumePod(makePod('p', { cpu: '1' }), 'a');
    assert.deepEqual(cache.cleanupExpiredAssumedPods(1e9), [], 'binding still in flight');
    cache.finishBinding('default/p', 1_000);
    assert.deepEqual(cache.cleanupExpiredAssumedPods(30_999), []);
    const expired = cache.cleanupExpiredAssumedPods(31_000);
    assert.deepEqual(expired.map((p) => p.metadata.name), ['p']);
    assert.equal(cpuOn(cache, 'a'), 0);
  });

  it('keeps pods of a deleted node until they go, but no longer offers the node', () => {
    const cache = new SchedulerCache();
    cache.addNode(makeNode('a'));
    cache.addPod(makePod('p', { cpu: '1', nodeName: 'a' }));
    cache.removeNode('a');
    assert.deepEqual(cache.nodes(), []);
    cache.addNode(makeNode('a'));
    assert.equal(cpuOn(cache, 'a'), 1000);
    cache.removePod('default/p');
    assert.equal(cpuOn(cache, 'a'), 0);
  });

  it('refuses to assume a pod twice', () => {
    const cache = new SchedulerCache();
    cache.addNode(makeNode('a'));
    cache.assumePod(makePod('p'), 'a');
    assert.throws(() => cache.assumePod(makePod('p'), 'a'));
  });
});
