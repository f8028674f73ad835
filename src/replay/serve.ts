/**
 * `jetkube replay --serve`: the cluster as it was at one point, served read-only over the
 * Kubernetes HTTP face so the real kubectl can browse the past. Plain HTTP on loopback by
 * default (no PKI: anyone on this machine may read); HTTPS with the cluster's PKI when one
 * is given (a --data-dir of `jetkube up`), with that cluster's admin credentials.
 * Writes answer 405; see src/apiserver/read-only.ts for watches.
 */
import { stringify } from 'yaml';
import { historyReader, replayPipeline } from '../apiserver/read-only.ts';
import { adminKubeconfig, writeKubeconfig } from '../http/kubeconfig.ts';
import type { Pki } from '../http/pki.ts';
import { startHttpFace } from '../http/server.ts';
import type { Logger } from '../log.ts';
import type { LogEntry } from '../store/log-entry.ts';
import type { LogFileError } from '../store/log-file.ts';
import type { Snapshot } from '../store/snapshot.ts';
import { WatchCache } from '../store/watch-cache.ts';
import { foldTo, type ReplayPoint } from './timeline.ts';

export interface ServeReplayOptions {
  entries: AsyncIterable<LogEntry> | Iterable<LogEntry>;
  point?: ReplayPoint;
  /** HOST:PORT; port 0 picks a free one. */
  address: string;
  pki?: Pki;
  /** Where to write the kubeconfig that reaches it. */
  kubeconfigPath: string;
  logger: Logger;
  onEntry?: (entry: LogEntry) => void;
  verifyRest?: boolean;
  /** The snapshot the entries continue. */
  base?: Snapshot;
}

export interface ServedReplay {
  url: string;
  revision: number;
  time: number;
  objects: number;
  kubeconfigPath: string;
  damage?: LogFileError;
  close(): Promise<void>;
}

/** A kubeconfig for a plain-HTTP server that asks for no credentials. */
export function plainKubeconfig(server: string, name = 'jetkube-replay'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}

export async function serveReplay(options: ServeReplayOptions): Promise<ServedReplay> {
  const kept: LogEntry[] = [];
  const folded = await foldTo(options.entries, options.point, {
    onChange: (_change, entry) => kept.push(entry),
    ...(options.onEntry ? { onEntry: options.onEntry } : {}),
    ...(options.verifyRest ? { verifyRest: true } : {}),
    ...(options.base ? { base: options.base } : {}),
  });
  const revision = folded.revision;
  const watchCache = new WatchCache(folded.store, {
    readHistory: historyReader(kept),
    bounds: async () => ({ firstSeq: kept[0]?.seq ?? revision + 1, lastSeq: revision }),
  });
  const pipeline = replayPipeline({ store: folded.store, watchCache, entries: kept }, options.logger);
  const face = await startHttpFace({
    address: options.address,
    pipeline,
    logger: options.logger,
    ...(options.pki ? { pki: options.pki } : {}),
  });
  await writeKubeconfig(options.kubeconfigPath, options.pki ? adminKubeconfig(options.pki, face.url) : plainKubeconfig(face.url));
  return {
    url: face.url,
    revision,
    time: folded.time,
    objects: folded.store.size,
    kubeconfigPath: options.kubeconfigPath,
    ...(folded.damage ? { damage: folded.damage } : {}),
    close: async () => {
      await face.close();
    },
  };
}
