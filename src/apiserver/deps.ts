/**
 * What the request pipeline needs from the outside world, passed in rather than imported,
 * so that the verbs stay testable and time, ids and randomness are inputs.
 */
import type { ObjectStore } from '../store/object-store.ts';
import type { WatchCache } from '../store/watch-cache.ts';
import type { RegistryLog } from '../../streams/registry-log.ts';
import type { Logger } from '../log.ts';
import { admissionChainFor } from '../admission/plugins.ts';
import type { AdmissionChain } from '../admission/chain.ts';
import { OwnWrites } from './own-writes.ts';
import { ReadBarrier } from './read-barrier.ts';

import { ListSnapshots } from './list-snapshots.ts';
export interface ApiDeps {
  log: Pick<RegistryLog, 'append' | 'bounds' | 'read' | 'lastEntry'>;
  store: ObjectStore;
  watchCache: WatchCache;
  reads: ReadBarrier;
  /** Paged lists' items at their first page's revision. */
  listSnapshots: ListSnapshots;
  ownWrites: OwnWrites;
  now: () => Date;
  newUid: () => string;
  random: () => number;
  logger: Logger;
  /** The enabled admission plugins every write passes through. */
  admission: AdmissionChain;
}

export function createApiDeps(parts: Omit<ApiDeps, 'reads' | 'ownWrites' | 'now' | 'newUid' | 'random' | 'admission' | 'listSnapshots'> & Partial<ApiDeps>): ApiDeps {
  return {
    listSnapshots: new ListSnapshots(),
    ownWrites: new OwnWrites(() => parts.store.revision),
    now: () => new Date(),
    newUid: () => crypto.randomUUID(),
    random: Math.random,
    reads: new ReadBarrier(parts.log, parts.store),
    admission: admissionChainFor(),
    ...parts,
  };
}

let lastSecond = -1;
let lastStamp = '';

/** RFC 3339 with second precision, as Kubernetes writes metav1.Time (memoized per second: every write asks). */
export function timestamp(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastStamp;
}
