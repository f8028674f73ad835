/**
 * ListerWatcher: the two calls a reflector makes, for one resource, namespace and
 * selection, over ApiClient. Tests wrap it to inject faults (a lost watch, a 410).
 */
import type { ApiClient } from '../client/api-client.ts';
import type { ObjectList, WatchEvent } from '../apiserver/request.ts';

export interface Selection {
  resource: string;
  /** Absent: every namespace (and the only choice for cluster-scoped resources). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchOptions {
  resourceVersion: string;
  timeoutSeconds: number;
}

export interface ListerWatcher {
  readonly selection: Selection;
  list(): Promise<ObjectList>;
  /** Opens a watch; throws a StatusError when it cannot (410 for a revision too old). */
  watch(options: WatchOptions, onEvent: (event: WatchEvent) => void): Promise<{ stop(): void }>;
}

/** The identity of a selection: informers for equal selections are shared. */
export function selectionKey(s: Selection): string {
  return JSON.stringify([s.resource, s.namespace ?? '', s.labelSelector ?? '', s.fieldSelector ?? '']);
}

export function listWatcher(client: ApiClient, selection: Selection): ListerWatcher {
  const selectors = {
    ...(selection.labelSelector ? { labelSelector: selection.labelSelector } : {}),
    ...(selection.fieldSelector ? { fieldSelector: selection.fieldSelector } : {}),
  };
  return {
    selection,
    // resourceVersion "" is a consistent read: the list is at least as new as any write made
    // before it. Paged, because one NATS message cannot hold a large cluster's list.
    list: () => client.listAll(selection.resource, selection.namespace, { ...selectors, resourceVersion: '' }),
    watch: (options, onEvent) =>
      client.watch(
        selection.resource,
        selection.namespace,
        { ...selectors, resourceVersion: options.resourceVersion, timeoutSeconds: options.timeoutSeconds, allowWatchBookmarks: true },
        onEvent,
      ),
  };
}
