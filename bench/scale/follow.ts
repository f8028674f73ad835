/**
 * Follows a resource through a watch, as an informer does but without keeping the
 * objects: every change goes to onObject; when the watch breaks (410: this watcher fell
 * too far behind) it re-lists and watches again from the list's revision, so the scale
 * run's counters never silently stop.
 */
import type { KubeObject } from '../../src/api/object.ts';
import type { ApiClient } from '../../src/client/api-client.ts';

export interface Followed {
  stop(): void;
  /** How many times the watch broke and was re-established. */
  readonly restarts: number;
}

export async function follow(
  client: ApiClient,
  resource: string,
  namespace: string | undefined,
  onObject: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject) => void,
): Promise<Followed> {
  let stopped = false;
  let current: { stop(): void } | undefined;
  const state = { restarts: 0 };
  const watchFrom = async (resourceVersion: string): Promise<void> => {
    if (stopped) return;
    current = await client.watch(resource, namespace, { resourceVersion }, (event) => {
      if (event.type === 'ERROR') {
        state.restarts++;
        void relist();
        return;
      }
      if (event.type === 'BOOKMARK') return;
      onObject(event.type as 'ADDED' | 'MODIFIED' | 'DELETED', event.object as KubeObject);
    });
  };
  const relist = async (): Promise<void> => {
    for (;;) {
      if (stopped) return;
      try {
        const list = await client.listAll(resource, namespace);
        for (const item of list.items) onObject('MODIFIED', item);
        await watchFrom(list.metadata.resourceVersion ?? '0');
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };
  await watchFrom('0');
  return {
    stop: () => {
      stopped = true;
      current?.stop();
    },
    get restarts() {
      return state.restarts;
    },
  };
}
