/**
 * The scheduler's I/O as actors its machine invokes: open a connection and informers (kept
 * for the process's life), start a term (a fresh Scheduler over the kept caches), run its
 * loop, drain it, close the connection. Tests swap these with .provide().
 *
 * The caches outlive a leadership term, as the controller manager's do: a scheduler that
 * built a new connection every term re-listed every pod and node on a lost lease (at
 * 5,000 nodes and 120,000 pods, 46 s of listing by a process already behind).
 */
import { fromCallback, fromPromise } from 'xstate';
import { ApiClient } from '../client/api-client.ts';
import type { LeaseKey } from '../controllers/leader-election/decide.ts';
import { SharedInformerFactory } from '../informer/informer-factory.ts';
import { stripManagedFields } from '../informer/transforms.ts';
import { Scheduler, type SchedulerOptions } from './scheduler.ts';

export const SCHEDULER_LEASE: LeaseKey = { namespace: 'kube-system', name: 'kube-scheduler' };

/** What the scheduler keeps for its whole life: its connection and its informer caches. */
export interface SchedulerConnection {
  client: ApiClient;
  factory: SharedInformerFactory;
}

export async function connectScheduler(natsUrl: string): Promise<SchedulerConnection> {
  const client = await ApiClient.connect(natsUrl, 'scheduler', { fieldManager: 'kube-scheduler' });
  return { client, factory: new SharedInformerFactory(client, { transform: stripManagedFields }) };
}

export async function closeSchedulerConnection(connection: SchedulerConnection): Promise<void> {
  connection.factory.shutdown();
  await connection.client.close();
}

/** One term's Scheduler, its queue and cache filled from the kept informers before it schedules. */
export async function startSchedulerTerm(connection: SchedulerConnection, options: SchedulerOptions, timeoutMs: number): Promise<Scheduler> {
  const scheduler = new Scheduler(connection.client, connection.factory, options);
  try {
    await scheduler.startAndSync(connection.factory, timeoutMs);
    return scheduler;
  } catch (error) {
    await scheduler.shutDown();
    throw error;
  }
}

export const schedulerEffects = {
  open: fromPromise<SchedulerConnection, { natsUrl: string }>(({ input }) => connectScheduler(input.natsUrl)),
  startTerm: fromPromise<Scheduler, { connection: SchedulerConnection; options: SchedulerOptions; timeoutMs: number }>(({ input }) =>
    startSchedulerTerm(input.connection, input.options, input.timeoutMs),
  ),
  schedule: fromCallback<{ type: string }, { scheduler: Scheduler }>(({ input }) => {
    input.scheduler.run();
    return () => {};
  }),
  drain: fromPromise<void, { scheduler?: Scheduler }>(async ({ input }) => {
    await input.scheduler?.shutDown();
  }),
  close: fromPromise<void, { connection?: SchedulerConnection }>(async ({ input }) => {
    if (input.connection) await closeSchedulerConnection(input.connection);
  }),
};
