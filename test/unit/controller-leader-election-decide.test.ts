import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideAcquireOrRenew, decideOptimisticRenew, decideRelease, DEFAULT_TIMING, leaseSpec, microTime, type LeaseSpec } from '../../src/controllers/leader-election/decide.ts';

const KEY = { namespace: 'kube-system', name: 'kube-controller-manager' };
const T0 = Date.parse('2026-01-01T00:00:00Z');
const lease = (spec: LeaseSpec, resourceVersion = '10'): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { ...KEY, resourceVersion },
  spec,
});
const heldByB = lease({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: microTime(T0), renewTime: microTime(T0), leaseTransitions: 2 });

describe('decideAcquireOrRenew', () => {
  it('given no lease, then create it held by us', () => {
    const d = decideAcquireOrRenew('a', DEFAULT_TIMING, KEY, undefined, undefined, T0);
    assert.equal(d.type, 'create');
    assert.deepEqual(leaseSpec((d as { lease: KubeObject }).lease), {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-01-01T00:00:00.000000Z',
      renewTime: '2026-01-01T00:00:00.000000Z',
      leaseTransitions: 0,
    });
  });

  it('given a lease we hold, then renew it pinned to its resourceVersion, acquireTime kept', () => {
    const ours = lease({ ...leaseSpec(heldByB), holderIdentity: 'a' });
    const d = decideAcquireOrRenew('a', DEFAULT_TIMING, KEY, ours, undefined, T0 + 2_000);
    assert.equal(d.type, 'update');
    const next = (d as { lease: KubeObject }).lease;
    assert.equal(next.metadata.resourceVersion, '10');
    assert.equal(leaseSpec(next).renewTime, microTime(T0 + 2_000));
    assert.equal(leaseSpec(next).acquireTime, microTime(T0));
    assert.equal(leaseSpec(next).leaseTransitions, 2);
  });

  it('given another holder first observed now, then wait (its clock does not count, ours does)', () => {
    // Its renewTime is long past, but we have not watched it for a lease duration yet.
    const d = decideAcquireOrRenew('a', DEFAULT_TIMING, KEY, heldByB, undefined, T0 + 60_000);
    assert.deepEqual(d, { type: 'held', holder: 'b', observed: { resourceVersion: '10', at: T0 + 60_000 } });
  });

  it('given another holder unchanged for less than the lease duration, then wait', () => {
    const d = decideAcquireOrRenew('a', DEFAULT_TIMING, KEY, heldByB, { resourceVersion: '10', at: T0 }, T0 + 14_999);
    assert.equal(d.type, 'held');
  });

  it('given another holder that renewed (new resourceVersion), then the observation restarts', () => {
    const d = decideAcquireOrRenew('a', DEFAULT_TIMING, KEY, lease(leaseSpec(heldByB), '11'), { resourceVersion: '10', at: T0 }, T0 + 20_000);
    assert.deepEqual(d, { type: 'held', holder: 'b', observed: { resourceVersion: '11', at: T0 + 20_000 } });
  });

  it('given another holder unchanged for the lease duration, then take it over: acquireTime now, one more transition', () => {
    const d = decideAcquireOrRenew('a', DEFAULT_TIMING, KEY, heldByB, { resourceVersion: '10', at: T0 }, T0 + 15_000);
    assert.equal(d.type, 'update');
    const spec = leaseSpec((d as { lease: KubeObject }).lease);
    assert.equal(spec.holderIdentity, 'a');
    assert.equal(spec.acquireTime, microTime(T0 + 15_000));
    assert.equal(spec.leaseTransitions, 3);
  });

  it('given a released lease (no holder), then take it at once', () => {
    const released = lease({ ...leaseSpec(heldByB), holderIdentity: '' });
    const d = decideAcquireOrRenew('a', DEFAULT_TIMING, KEY, released, undefined, T0 + 1);
    assert.equal(d.type, 'update');
    assert.equal(leaseSpec((d as { lease: KubeObject }).lease).holderIdentity, 'a');
  });

  it('uses the configured duration, rounded up to whole seconds', () => {
    const d = decideAcquireOrRenew('a', { ...DEFAULT_TIMING, leaseDurationMs: 1_500 }, KEY, undefined, undefined, T0);
    assert.equal(leaseSpec((d as { lease: KubeObject }).lease).leaseDurationSeconds, 2);
  });
});

describe('decideRelease', () => {
  it('given a lease we hold, then clear the holder, pinned to its resourceVersion', () => {
    const released = decideRelease('b', heldByB, T0 + 5_000)!;
    assert.equal(leaseSpec(released).holderIdentity, '');
    assert.equal(leaseSpec(released).leaseDurationSeconds, 1);
    assert.equal(released.metadata.resourceVersion, '10');
  });
  it('given a lease someone else holds, or none, then nothing', () => {
    assert.equal(decideRelease('a', heldByB, T0), undefined);
    assert.equal(decideRelease('a', undefined, T0), undefined);
  });
});

describe('decideOptimisticRenew', () => {
  it('given our own last write, then renew from it pinned to its resourceVersion, without a read', () => {
    const written = lease({ ...leaseSpec(heldByB), holderIdentity: 'a' }, '42');
    const next = decideOptimisticRenew('a', DEFAULT_TIMING, KEY, { resourceVersion: '42', at: T0, written }, T0 + 2_000)!;
    assert.equal(next.metadata.resourceVersion, '42');
    assert.equal(leaseSpec(next).holderIdentity, 'a');
    assert.equal(leaseSpec(next).renewTime, microTime(T0 + 2_000));
    assert.equal(leaseSpec(next).acquireTime, microTime(T0));
  });

  it('given no write of ours, or one naming another holder, then read first', () => {
    assert.equal(decideOptimisticRenew('a', DEFAULT_TIMING, KEY, undefined, T0), undefined);
    assert.equal(decideOptimisticRenew('a', DEFAULT_TIMING, KEY, { resourceVersion: '10', at: T0 }, T0), undefined);
    assert.equal(decideOptimisticRenew('a', DEFAULT_TIMING, KEY, { resourceVersion: '10', at: T0, written: heldByB }, T0), undefined);
  });
});
