/**
 * One leader-elected component in its own process, for fault tests that kill -9 it:
 *   node --import tsx test/support/leader-candidate.ts <scheduler|controller-manager> <natsUrl> <identity> <leaseMs> <renewMs> <retryMs>
 * Short lease timings make a takeover observable within a test's time.
 */
import { createActor, type AnyActorRef } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';

const [component, natsUrl, identity, leaseMs, renewMs, retryMs] = process.argv.slice(2);
if (!natsUrl || !identity || (component !== 'scheduler' && component !== 'controller-manager')) {
  process.stderr.write('usage: leader-candidate.ts <scheduler|controller-manager> <natsUrl> <identity> <leaseMs> <renewMs> <retryMs>\n');
  process.exit(2);
}
const input = {
  natsUrl,
  identity,
  leaseTiming: { leaseDurationMs: Number(leaseMs), renewDeadlineMs: Number(renewMs), retryPeriodMs: Number(retryMs) },
};
const actor: AnyActorRef =
  component === 'scheduler' ? createActor(schedulerMachine, { input }) : createActor(controllerManagerMachine, { input });
actor.start();
process.on('SIGTERM', () => actor.send({ type: 'stop' }));
actor.subscribe({ complete: () => process.exit(0) });
