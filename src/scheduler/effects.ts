/**
 * The scheduler's I/O as actors its machine invokes: open a connection, informers and a
 * Scheduler (a fresh set for every leadership term), sync the caches, run the loop,
 * drain it, close. Tests swap these with .provide().
 */
import { fromCallback, fromPromise } from 'xstate';
import { ApiClient } from '../client/api-client.ts';
import type { LeaseKey } from '../controllers/leader-election/decide.ts';
import { SharedInformerFactory } from '../informer/informer-factory.ts';
import { Scheduler, type SchedulerOptions } from './scheduler.ts';

export const SCHEDULER_LEASE: LeaseKey = { namespace: 'kube-system', name: 'kube-scheduler' };

export interface SchedulerSet {
  client: ApiClient;
  factory: SharedInformerFactory;
  scheduler: Scheduler;
}

export async function openSchedulerSet(natsUrl: string, options: SchedulerOptions = {}): Promise<SchedulerSet> {
  const client = await ApiClient.connect(natsUrl, 'scheduler', { fieldManager: 'kube-scheduler' });
  const factory = new SharedInformerFactory(client);
  return { client, factory, scheduler: new Scheduler(client, factory, options) };
}

export async function closeSchedulerSet(set: SchedulerSet): Promise<void> {
  set.factory.shutdown();
  await set.client.close();
}

export const schedulerEffects = {
  open: fromPromise<SchedulerSet, { natsUrl: string; options: SchedulerOptions }>(({ input }) => openSchedulerSet(input.natsUrl, input.options)),
  syncCaches: fromPromise<void, { set: SchedulerSet; timeoutMs: number }>(({ input }) => input.set.scheduler.startAndSync(input.set.factory, input.timeoutMs)),
  schedule: fromCallback<{ type: string }, { set: SchedulerSet }>(({ input }) => {
    input.set.scheduler.run();
    return () => {};
  }),
  drain: fromPromise<void, { set?: SchedulerSet }>(async ({ input }) => {
    await input.set?.scheduler.shutDown();
  }),
  close: fromPromise<void, { set?: SchedulerSet }>(async ({ input }) => {
    if (input.set) await closeSchedulerSet(input.set);
  }),
};
