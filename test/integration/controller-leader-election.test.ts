import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { leaseSpec, microTime } from '../../src/controllers/leader-election/decide.ts';
import { LEASES } from '../../src/controllers/leader-election/effects.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

// Short durations: a 4 s lease, renewed every 300 ms, given up after 3 s without renewal
// (room for a loaded machine: a leader that misses its deadline would hand over mid-test).
const TIMING = { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 300 };
const LEASE = { namespace: 'kube-system', name: 'kube-controller-manager' };

describe('controller managers electing a leader by Lease', () => {
  let cluster: TestCluster;
  const managers: Actor<typeof controllerManagerMachine>[] = [];
  const start = (identity: string) => {
    const m = createActor(controllerManagerMachine, { input: { natsUrl: cluster.nats.url, identity, leaseTiming: TIMING } });
    m.start();
    managers.push(m);
    return m;
  };
  const holder = async () => leaseSpec(await cluster.client.get(LEASES, LEASE.namespace, LEASE.name)).holderIdentity;

  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    for (const m of managers) if (m.getSnapshot().status === 'active') m.send({ type: 'stop' });
    for (const m of managers) await waitFor(m, (s) => s.status === 'done', { timeout: 30_000 });
    await cluster.dispose();
  });

  it('exactly one runs controllers; when it stops, the other takes over within the lease duration', async () => {
    const a = start('cm-a');
    await waitFor(a, (s) => s.matches('running'), { timeout: 30_000 });
    const b = start('cm-b');
    await waitFor(b, (s) => s.matches('standby'), { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, TIMING.leaseDurationMs));
    assert.ok(a.getSnapshot().matches('running'));
    assert.ok(b.getSnapshot().matches('standby'), 'the follower runs no controllers');
    assert.equal(await holder(), 'cm-a');

    // a drains its controllers, then releases the lease; b takes it at its next try.
    a.send({ type: 'stop' });
    await waitFor(a, (s) => s.status === 'done', { timeout: 30_000 });
    // Taking over is taking the lease; starting b's controllers (informer syncs over the
    // whole registry for the garbage collector) follows, and on a loaded CI machine can
    // take longer than the lease itself.
    const releasedAt = Date.now();
    await eventually(async () => ((await holder()) === 'cm-b' ? true : undefined), TIMING.leaseDurationMs, 'cm-b holding the lease');
    assert.ok(Date.now() - releasedAt < TIMING.leaseDurationMs);
    await waitFor(b, (s) => s.matches('running'), { timeout: 30_000 });
    assert.equal(await holder(), 'cm-b');
    const lease = leaseSpec(await cluster.client.get(LEASES, LEASE.namespace, LEASE.name));
    assert.equal(lease.leaseDurationSeconds, 4);

    // b's controllers work: a ReplicaSet converges.
    await cluster.client.create('replicasets.apps', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'led', namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'led' } }, template: { metadata: { labels: { app: 'led' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await eventually(async () => ((await cluster.client.list('pods', 'default', { labelSelector: 'app=led' })).items.length === 1 ? true : undefined), 15_000, 'a pod');
  });

  it('a lease whose holder vanished without releasing is taken once it has not changed for its duration', async () => {
    for (const m of managers) if (m.getSnapshot().status === 'active') m.send({ type: 'stop' });
    for (const m of managers) await waitFor(m, (s) => s.status === 'done', { timeout: 30_000 });
    const current = await cluster.client.get(LEASES, LEASE.namespace, LEASE.name);
    const now = Date.now();
    await cluster.client.update(LEASES, {
      ...current,
      spec: { holderIdentity: 'ghost', leaseDurationSeconds: 1, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 5 },
    });
    const c = start('cm-c');
    await waitFor(c, (s) => s.matches('standby'), { timeout: 30_000 });
    await waitFor(c, (s) => s.matches('running'), { timeout: 1_000 + 3 * TIMING.retryPeriodMs + 1_000 });
    const lease = leaseSpec(await cluster.client.get(LEASES, LEASE.namespace, LEASE.name));
    assert.equal(lease.holderIdentity, 'cm-c');
    assert.equal(lease.leaseTransitions, 6);
  });

  it('a leader that sees another holder stops its controllers, and runs a fresh set over the same caches when it leads again', async () => {
    for (const m of managers) if (m.getSnapshot().status === 'active') m.send({ type: 'stop' });
    for (const m of managers) await waitFor(m, (s) => s.status === 'done', { timeout: 30_000 });
    const d = start('cm-d');
    await waitFor(d, (s) => s.matches('running'), { timeout: 30_000 });
    await waitFor(d.system.get('replicaset')!, (s) => s.matches('running'), { timeout: 10_000 });
    const connection = d.getSnapshot().context.set!;
    const podLists = () => connection.factory.informerFor('pods').reflectorState()?.lists;
    assert.equal(podLists(), 1);
    const firstTermReplicaSets = d.system.get('replicaset');
    const current = await cluster.client.get(LEASES, LEASE.namespace, LEASE.name);
    const now = Date.now();
    await cluster.client.update(LEASES, { ...current, spec: { ...leaseSpec(current), holderIdentity: 'intruder', renewTime: microTime(now), leaseDurationSeconds: 1 } });
    await waitFor(d, (s) => !s.matches('running'), { timeout: 5_000 });
    await waitFor(d, (s) => s.matches('running'), { timeout: 10_000 });
    await waitFor(d.system.get('replicaset')!, (s) => s.matches('running'), { timeout: 10_000 });
    assert.equal(await holder(), 'cm-d');
    assert.notEqual(d.system.get('replicaset'), firstTermReplicaSets, 'a fresh controller for the new term');
    // The caches outlived the term: leading again listed nothing.
    assert.equal(d.getSnapshot().context.set, connection);
    assert.equal(podLists(), 1);
    await cluster.client.create('replicasets.apps', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'second-term', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'second-term' } }, template: { metadata: { labels: { app: 'second-term' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await eventually(async () => ((await cluster.client.list('pods', 'default', { labelSelector: 'app=second-term' })).items.length === 2 ? true : undefined), 15_000, 'the second term\'s pods');
  });
});
