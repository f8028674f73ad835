/**
 * `jetkube up --control-plane-replicas 2` in one process: two controller managers and two
 * schedulers share the supervisor's actor system; one of each leads through its Lease and
 * the other stands by; when the leader stops (it releases the Lease), the standby runs.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createActor, waitFor, type Actor, type AnyActorRef } from 'xstate';
import { supervisorMachine } from '../../actors/supervisor.machine.ts';
import { eventually } from '../support/cluster.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const FAST_LEASES = { leaseTiming: { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 200 } };
let nats: TestNats;
let supervisor: Actor<typeof supervisorMachine>;

before(async () => {
  nats = await startTestNats();
  supervisor = createActor(supervisorMachine, {
    input: {
      natsUrl: nats.url,
      controlPlaneReplicas: 2,
      controllerManagerOptions: FAST_LEASES,
      schedulerOptions: FAST_LEASES,
      apiServerOptions: { admission: { disable: ['ServiceAccount'] } },
      dns: false,
      kubeProxy: false,
      ingress: false,
    },
  });
  supervisor.start();
});

after(async () => {
  supervisor?.send({ type: 'stop' });
  if (supervisor) await waitFor(supervisor, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
  await nats?.dispose();
});

/** Which of the pair runs and which stands by, once that has settled. */
function leaderAndStandby(ids: [string, string]): Promise<{ leader: AnyActorRef; standby: AnyActorRef }> {
  const pair = ids.map((id) => supervisor.system.get(id) as AnyActorRef);
  return eventually(() => {
    const running = pair.filter((x) => x.getSnapshot().matches('running'));
    const standing = pair.filter((x) => x.getSnapshot().matches('standby'));
    return running.length === 1 && standing.length === 1 ? { leader: running[0]!, standby: standing[0]! } : undefined;
  }, 30_000, `one of ${ids.join(' and ')} leading, the other standing by`);
}

for (const pair of [['controller-manager', 'controller-manager-1'], ['scheduler', 'scheduler-1']] as [string, string][]) {
  it(`runs one ${pair[0]} and keeps the other standing by; the standby takes over when the leader stops`, { timeout: 60_000 }, async () => {
    const { leader, standby } = await leaderAndStandby(pair);
    leader.send({ type: 'stop' });
    await waitFor(standby, (s) => s.matches('running'), { timeout: 15_000 });
    await waitFor(leader, (s) => s.status === 'done', { timeout: 15_000 });
  });
}
