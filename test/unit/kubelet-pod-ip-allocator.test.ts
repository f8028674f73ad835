import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PodIPAllocator, parseCidr } from '../../src/kubelet/pod-ip-allocator.ts';

describe('pod IP allocator', () => {
  it('hands out the next free address, skipping network, gateway and broadcast', () => {
    const a = new PodIPAllocator('10.244.1.0/24');
    assert.equal(a.allocate('a'), '10.244.1.2');
    assert.equal(a.allocate('b'), '10.244.1.3');
    assert.equal(a.allocate('a'), '10.244.1.2', 'the same pod keeps its address');
    assert.equal(a.capacity, 253);
  });

  it('reuses a released address only after the range wraps', () => {
    const a = new PodIPAllocator('127.30.0.0/29');
    const ips = ['p1', 'p2', 'p3', 'p4', 'p5'].map((uid) => a.allocate(uid));
    assert.deepEqual(ips, ['127.30.0.2', '127.30.0.3', '127.30.0.4', '127.30.0.5', '127.30.0.6']);
    assert.throws(() => a.allocate('p6'), /no free address/);
    a.release('p2');
    assert.equal(a.allocate('p6'), '127.30.0.3');
    assert.equal(a.addressOf('p2'), undefined);
  });

  it('lets a restarted kubelet claim addresses its pods already had', () => {
    const a = new PodIPAllocator('127.30.0.0/24');
    assert.equal(a.claim('x', '127.30.0.9'), true);
    assert.equal(a.claim('y', '127.30.0.9'), false, 'taken');
    assert.equal(a.claim('z', '10.0.0.1'), false, 'outside the range');
    assert.equal(a.allocate('y'), '127.30.0.2');
    assert.equal(a.allocated, 2);
  });

  it('parses a CIDR down to its network', () => {
    assert.deepEqual(parseCidr('10.1.2.3/16'), { base: (10 * 256 + 1) * 65536, bits: 16 });
    assert.throws(() => parseCidr('10.1.2/16'));
    assert.throws(() => parseCidr('10.1.2.3/33'));
  });
});
