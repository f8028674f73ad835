/**
 * SharedInformerFactory: one informer (so one list and one watch) per selection
 * (resource, namespace, selectors) for every controller in a process. informerFor() may
 * be called before or after start(); start() runs every informer not yet running, so call
 * it again after asking for new ones, as with client-go's factory.
 */
import type { ApiClient } from '../client/api-client.ts';
import { listWatcher, selectionKey, type ListerWatcher, type Selection } from './list-watcher.ts';
import { SharedInformer, type InformerOptions } from './shared-informer.ts';

export interface FactoryOptions extends InformerOptions {
  /** How a selection is listed and watched (tests wrap the default to count or break calls). */
  listWatcherFor?: (selection: Selection) => ListerWatcher;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer>();
  private readonly makeListWatcher: (selection: Selection) => ListerWatcher;
  private shutDown = false;

  constructor(
    client: ApiClient,
    private readonly options: FactoryOptions = {},
  ) {
    this.makeListWatcher = options.listWatcherFor ?? ((selection) => listWatcher(client, selection));
  }

  /** The shared informer for a selection; a string is a whole resource ("pods"). */
  informerFor(selection: Selection | string): SharedInformer {
    const s = typeof selection === 'string' ? { resource: selection } : selection;
    const key = selectionKey(s);
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new SharedInformer(this.makeListWatcher(s), this.options);
      this.informers.set(key, informer);
    }
    return informer;
  }

  start(): void {
    if (this.shutDown) throw new Error('the informer factory was shut down');
    for (const informer of this.informers.values()) informer.run();
  }

  /** Resolves true once every started informer has synced; false if the timeout passes first. */
  async waitForCacheSync(timeoutMs = 30_000): Promise<boolean> {
    const started = [...this.informers.values()].filter((i) => i.started);
    const results = await Promise.all(started.map((i) => i.waitForSync(timeoutMs)));
    return results.every(Boolean);
  }

  shutdown(): void {
    this.shutDown = true;
    for (const informer of this.informers.values()) informer.stop();
  }
}
