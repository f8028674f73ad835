/**
 * The I/O a controller machine invokes, as actors over a Controller: wait for its caches,
 * run its workers, drain them. Tests swap these with .provide().
 */
import { fromCallback, fromPromise } from 'xstate';
import type { Controller } from './controller.ts';

export const syncCaches = fromPromise<void, { controller: Controller; timeoutMs?: number }>(({ input }) =>
  input.controller.startAndSync(input.timeoutMs),
);

export const runWorkers = fromCallback<{ type: string }, { controller: Controller }>(({ input }) => {
  input.controller.runWorkers();
  return () => {};
});

export const drainWorkers = fromPromise<void, { controller: Controller }>(({ input }) => input.controller.shutDown());
