/**
 * watch: changes of a resource, from a resourceVersion, through the request's selection,
 * served by the watch cache. Bookmarks (when asked for) carry the store's revision every
 * minute so a quiet watch can resume cheaply; timeoutSeconds ends the watch as Kubernetes
 * does (the client then watches again from the last revision it saw).
 */
import type { ApiDeps } from '../deps.ts';
import { objectFilter } from '../object-filter.ts';
import type { ApiRequest, WatchEvent, WatchSession } from '../request.ts';
import { resolveResource } from '../resolve.ts';
import { watchTriggerOf } from '../../store/watch-trigger.ts';

export const BOOKMARK_INTERVAL_MS = 60_000;

export async function watch(
  deps: ApiDeps,
  request: ApiRequest,
  send: (event: WatchEvent) => void | Promise<void>,
  ended: () => void,
): Promise<WatchSession> {
  const rt = resolveResource(request);
  const options = request.options ?? {};
  const filter = objectFilter(rt, request);
  // A kubelet's spec.nodeName=<node> watch is offered only its node's pods; the filter still decides.
  const trigger = watchTriggerOf(rt.key, options.fieldSelector);
  const handle = deps.watchCache.watch(
    {
      resource: rt.key,
      namespace: rt.namespaced ? request.namespace : undefined,
      resourceVersion: options.resourceVersion,
      filter,
      trigger,
      apiVersion: rt.apiVersion,
      kind: rt.kind,
    },
    (event) => {
      // A promise (the client's socket is full) holds this watch's later events in the
      // watch cache, which ends the watch with 410 once too many wait.
      const sent = send(event as WatchEvent);
      if (event.type === 'ERROR') stop();
      return sent;
    },
  );
  const timers: NodeJS.Timeout[] = [];
  if (options.allowWatchBookmarks) timers.push(setInterval(() => handle.bookmark(), BOOKMARK_INTERVAL_MS));
  if (options.timeoutSeconds && options.timeoutSeconds > 0) {
    timers.push(setTimeout(() => {
      stop();
      ended();
    }, options.timeoutSeconds * 1000));
  }
  for (const timer of timers) timer.unref();
  let stopped = false;
  function stop() {
    if (stopped) return;
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    handle.stop();
  }
  return { stop };
}
