/**
 * A leader renews its Lease from its own last write: one update, no read (client-go's
 * fast path), so a renewal costs one API round trip when each takes seconds. Expected:
 * the renewal moves renewTime and the resourceVersion without a get; when someone else
 * wrote the Lease meanwhile, the update's 409 falls back to reading, and the candidate
 * sees the new holder instead of claiming to lead.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { ApiClient } from '../../src/client/api-client.ts';
import { DEFAULT_TIMING, leaseSpec, microTime } from '../../src/controllers/leader-election/decide.ts';
import { LEASES, tryAcquireOrRenew } from '../../src/controllers/leader-election/effects.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

const LEASE = { namespace: 'kube-system', name: 'renewal-test' };
let cluster: TestCluster;

before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster?.dispose();
});

/** The real client, with its gets counted. */
function countingGets(client: ApiClient): { client: ApiClient; gets: () => number } {
  let gets = 0;
  const counted = new Proxy(client, {
    get(target, property) {
      if (property === 'get') {
        return (...args: Parameters<ApiClient['get']>) => {
          gets++;
          return target.get(...args);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { client: counted, gets: () => gets };
}

it('renews from its last write without reading, and reads when someone else wrote since', async () => {
  const { client, gets } = countingGets(cluster.client);
  const t0 = Date.now();
  const acquired = await tryAcquireOrRenew({ client, identity: 'a', timing: DEFAULT_TIMING, lease: LEASE, now: t0 });
  assert.equal(acquired.leading, true);
  assert.equal(gets(), 1, 'acquiring reads first');

  const renewed = await tryAcquireOrRenew({ client, identity: 'a', timing: DEFAULT_TIMING, lease: LEASE, observed: acquired.observed, now: t0 + 2_000 });
  assert.equal(renewed.leading, true);
  assert.equal(gets(), 1, 'the renewal made no read');
  const stored = await cluster.client.get(LEASES, LEASE.namespace, LEASE.name);
  assert.equal(leaseSpec(stored).renewTime, microTime(t0 + 2_000));
  assert.equal(stored.metadata.resourceVersion, renewed.observed?.resourceVersion);
  assert.notEqual(renewed.observed?.resourceVersion, acquired.observed?.resourceVersion);

  // Another candidate takes the Lease (as after our lease ran out unseen).
  await cluster.client.update(LEASES, { ...stored, spec: { ...leaseSpec(stored), holderIdentity: 'b', renewTime: microTime(t0 + 3_000) } });
  const before = gets();
  const lost = await tryAcquireOrRenew({ client, identity: 'a', timing: DEFAULT_TIMING, lease: LEASE, observed: renewed.observed, now: t0 + 4_000 });
  assert.deepEqual([lost.leading, lost.holder], [false, 'b']);
  assert.equal(gets(), before + 1, 'the refused renewal read the Lease');
});
