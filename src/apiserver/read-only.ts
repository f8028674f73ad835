/**
 * A read-only API over a replayed state: the ordinary pipeline (so get, list, watch,
 * selectors, Tables and paging answer exactly as the live API server's do) over a store
 * folded to one revision, with every write refused before it reaches a verb: 405
 * MethodNotAllowed "this is a replay of revision X: read-only". The log it is given has
 * nothing after X and refuses appends too, so nothing can slip through.
 *
 * Watches: a watch from a resourceVersion at or below X gets the recorded changes up to X
 * (from the watch cache, or the entries kept in memory), then nothing: the past does not
 * change. The watch stays open, quiet, until the client's timeout ends it, as a watch on
 * an idle cluster would (kubectl get -w shows the state and waits).
 */
import { methodNotAllowed } from '../api/errors.ts';
import type { Logger } from '../log.ts';
import type { LogEntry } from '../store/log-entry.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { withResourceVersion } from '../store/evolve.ts';
import type { HistoryRange, WatchCache } from '../store/watch-cache.ts';
import { createApiDeps } from './deps.ts';
import { createPipeline, type Pipeline } from './pipeline.ts';
import type { ApiRequest } from './request.ts';

const READS = new Set<ApiRequest['verb']>(['get', 'list', 'watch']);

export function readOnlyMessage(revision: number): string {
  return `this is a replay of revision ${revision}: read-only`;
}

/** Wraps a pipeline so that only get, list and watch pass. */
export function readOnlyPipeline(inner: Pipeline, revision: number): Pipeline {
  return {
    async handle(request) {
      if (!READS.has(request.verb) || request.options?.dryRun) {
        return { ok: false, status: methodNotAllowed(readOnlyMessage(revision)).toStatus() };
      }
      return inner.handle(request);
    },
    watch: (request, send, ended) => inner.watch(request, send, ended),
  };
}

export interface ReplayedState {
  store: ObjectStore;
  watchCache: WatchCache;
  /** The entries folded into the store, in order, for watches older than the cache. */
  entries: readonly LogEntry[];
}

/** Entries kept in memory read as the log reads them: in a range, filtered, resourceVersion stamped. */
export function historyReader(entries: readonly LogEntry[]): (range: HistoryRange) => AsyncIterable<LogEntry> {
  return ({ fromSeq, toSeq, filter }) => ({
    async *[Symbol.asyncIterator]() {
      for (const entry of entries) {
        if (entry.seq < fromSeq) continue;
        if (entry.seq > toSeq) break;
        if (entry.key.resource !== filter.resource) continue;
        if (filter.namespace !== undefined && entry.key.namespace !== filter.namespace) continue;
        yield { ...entry, object: withResourceVersion(entry.object, entry.seq) };
      }
    },
  });
}

/** The read-only pipeline over a replayed store. */
export function replayPipeline(state: ReplayedState, logger: Logger): Pipeline {
  const revision = state.store.revision;
  const firstSeq = state.entries[0]?.seq ?? revision + 1;
  const deps = createApiDeps({
    store: state.store,
    watchCache: state.watchCache,
    logger,
    log: {
      append: async () => {
        throw methodNotAllowed(readOnlyMessage(revision));
      },
      bounds: async () => ({ firstSeq, lastSeq: revision }),
      // The replayed store is the whole log up to its revision: its copy is the newest.
      lastEntry: async (key) => {
        const object = state.store.get(key.resource, key.namespace, key.name);
        return object && { type: 'MODIFIED', object, key, seq: Number(object.metadata.resourceVersion), time: 0 };
      },
      read: ({ fromSeq, toSeq }) => ({
        async *[Symbol.asyncIterator]() {
          for (const entry of state.entries) {
            if (entry.seq < fromSeq) continue;
            if (toSeq !== undefined && entry.seq > toSeq) break;
            yield { ...entry, object: withResourceVersion(entry.object, entry.seq) };
          }
        },
      }),
    },
  });
  return readOnlyPipeline(createPipeline(deps), revision);
}
