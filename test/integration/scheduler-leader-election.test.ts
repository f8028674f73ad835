/**
 * Two schedulers compete for the Lease kube-system/kube-scheduler: only the holder
 * schedules; stopping it releases the lease and the other takes over and binds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import type { KubeObject } from '../../src/api/object.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import { makeNode, makePod } from '../../src/scheduler/fixtures.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const nodeName = (pod: KubeObject) => (pod.spec as { nodeName?: string }).nodeName;
const timing = { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };

describe('scheduler leader election', () => {
  let cluster: TestCluster;
  let first: Actor<typeof schedulerMachine>;
  let second: Actor<typeof schedulerMachine>;

  before(async () => {
    cluster = await startTestCluster();
    await cluster.client.create('nodes', makeNode('n1'));
  });

  after(async () => {
    for (const actor of [first, second]) {
      if (actor && actor.getSnapshot().status === 'active') {
        actor.send({ type: 'stop' });
        await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
      }
    }
    await cluster.dispose();
  });

  it('schedules only while holding the lease, and hands over on stop', async () => {
    first = createActor(schedulerMachine, { input: { natsUrl: cluster.nats.url, identity: 'first', leaseTiming: timing } });
    first.start();
    await waitFor(first, (s) => s.matches({ running: 'scheduling' }), { timeout: 30_000 });
    second = createActor(schedulerMachine, { input: { natsUrl: cluster.nats.url, identity: 'second', leaseTiming: timing } });
    second.start();
    await waitFor(second, (s) => s.matches('standby'), { timeout: 30_000 });

    const lease = await cluster.client.get('leases.coordination.k8s.io', 'kube-system', 'kube-scheduler');
    assert.equal((lease.spec as { holderIdentity?: string }).holderIdentity, 'first');

    await cluster.client.create('pods', makePod('one'));
    await eventually(async () => nodeName(await cluster.client.get('pods', 'default', 'one')), 15_000, 'pod one bound');
    assert.ok(second.getSnapshot().matches('standby'), 'the follower stays in standby');

    first.send({ type: 'stop' });
    await waitFor(first, (s) => s.status === 'done', { timeout: 30_000 });
    await waitFor(second, (s) => s.matches({ running: 'scheduling' }), { timeout: 15_000 });
    await cluster.client.create('pods', makePod('two'));
    await eventually(async () => nodeName(await cluster.client.get('pods', 'default', 'two')), 15_000, 'pod two bound by the new leader');
    const taken = await cluster.client.get('leases.coordination.k8s.io', 'kube-system', 'kube-scheduler');
    assert.equal((taken.spec as { holderIdentity?: string }).holderIdentity, 'second');
  });
});
