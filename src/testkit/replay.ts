/** Reads a testkit (or `jetkube export`) log file back into an object store, up to a revision: the state `jetkube replay --file --at` shows. */
import { readLogFile } from '../store/log-file.ts';
import { ObjectStore } from '../store/object-store.ts';

export async function replayLogFile(path: string, atRevision = Number.POSITIVE_INFINITY): Promise<ObjectStore> {
  const store = new ObjectStore();
  for await (const entry of readLogFile(path)) {
    if (entry.seq > atRevision) break;
    store.apply(entry);
  }
  return store;
}
