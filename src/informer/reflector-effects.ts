/**
 * The reflector's I/O, as actors its machine invokes: one list, and one watch session.
 * The watch session reports every event to the machine and ends with exactly one of
 * watch.ended (a timeout: resume from the last revision), watch.expired (410: re-list) or
 * watch.failed (anything else: back off, then resume). The server ends a timed-out watch
 * without a word, and one that stopped serving says nothing either, so the session keeps
 * its own deadline: timeoutSeconds, plus a grace for events in flight.
 */
import { fromCallback, fromPromise } from 'xstate';
import { isStatus, toStatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { ObjectList, WatchEvent } from '../apiserver/request.ts';
import { componentLogger } from '../log.ts';
import { selectionKey, type ListerWatcher } from './list-watcher.ts';

const log = componentLogger('reflector');

/** A list slower than this is logged, as client-go traces a ListAndWatch over 10 s. */
const SLOW_LIST_MS = 10_000;

export type WatchSessionEvent =
  | { type: 'watch.event'; eventType: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KubeObject }
  | { type: 'watch.ended' }
  | { type: 'watch.expired'; message: string }
  | { type: 'watch.failed'; message: string };

export interface WatchSessionInput {
  lw: ListerWatcher;
  resourceVersion: string;
  timeoutSeconds: number;
  /** Added to timeoutSeconds before the client gives up on a silent server. */
  graceMs?: number;
}

export const listObjects = fromPromise<ObjectList, { lw: ListerWatcher }>(async ({ input }) => {
  const began = performance.now();
  const list = await input.lw.list();
  const ms = Math.round(performance.now() - began);
  if (ms >= SLOW_LIST_MS) log.warn({ selection: selectionKey(input.lw.selection), items: list.items.length, ms }, 'slow list: the API server or this process is saturated');
  return list;
});

/** A 410 costs a whole re-list; an operator seeing many should look for a slow watcher or a small watch cache. */
function logExpired(lw: ListerWatcher, resourceVersion: string, message: string): void {
  log.warn({ selection: selectionKey(lw.selection), resourceVersion, message }, 'watch expired (410): re-listing');
}

export const watchObjects = fromCallback<{ type: 'stop' }, WatchSessionInput>(({ input, sendBack }) => {
  let over = false;
  let stream: { stop(): void } | undefined;
  const end = (event: WatchSessionEvent) => {
    if (over) return;
    over = true;
    clearTimeout(deadline);
    stream?.stop();
    sendBack(event);
  };
  const onEvent = (event: WatchEvent) => {
    if (over) return;
    if (event.type === 'ERROR') {
      const status = isStatus(event.object) ? event.object : undefined;
      const message = status?.message ?? 'watch error';
      if (status?.code === 410) {
        logExpired(input.lw, input.resourceVersion, message);
        return end({ type: 'watch.expired', message });
      }
      return end({ type: 'watch.failed', message });
    }
    sendBack({ type: 'watch.event', eventType: event.type, object: event.object as KubeObject });
  };
  const deadline = setTimeout(() => end({ type: 'watch.ended' }), input.timeoutSeconds * 1000 + (input.graceMs ?? 500));
  deadline.unref();
  input.lw
    .watch({ resourceVersion: input.resourceVersion, timeoutSeconds: input.timeoutSeconds }, onEvent)
    .then(
      (s) => {
        stream = s;
        if (over) s.stop();
      },
      (error: unknown) => {
        const status = toStatusError(error);
        if (status.code === 410) logExpired(input.lw, input.resourceVersion, status.message);
        end(status.code === 410 ? { type: 'watch.expired', message: status.message } : { type: 'watch.failed', message: status.message });
      },
    );
  return () => {
    over = true;
    clearTimeout(deadline);
    stream?.stop();
  };
});
