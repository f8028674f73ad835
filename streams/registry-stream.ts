/**
 * The REGISTRY stream: the event log itself. ensureRegistryStream makes it exist with the
 * configuration below, creating or updating as needed; it is idempotent and safe when
 * several processes call it at once (a lost creation race falls back to compare-and-update).
 *
 * - file storage, one subject space `registry.>`, history kept without limits:
 *   max_msgs_per_subject -1 (any value > 1 makes acked publish ~2x slower on 2.9.10);
 * - duplicate_window 2 min so a retried write with the same Nats-Msg-Id is stored once;
 * - max_msg_size 3 MiB: room for a 1.5 MiB object (Kubernetes' cap) plus its tombstone framing;
 * - allow_direct for fast last-per-subject reads; deny_delete: the log is append-only,
 *   compaction is a purge of a prefix (never a hole in the middle).
 */
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  nanos,
  type NatsConnection,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import { JS_ERR_STREAM_NAME_IN_USE, JS_ERR_STREAM_NOT_FOUND, LogError, jsErrCode, translateError } from './errors.ts';
import { replicasFor, replicasToKeep } from './replication.ts';
import { REGISTRY, type RegistryNames } from './subjects.ts';

export const REGISTRY_MAX_MSG_SIZE = 3 * 1024 * 1024;
export const REGISTRY_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

export interface RegistryStreamOptions {
  /** 1 on one machine, 3 or 5 on a NATS cluster (default: replicasFor the connection, never fewer than the stream has). */
  replicas?: number;
}

export function registryStreamConfig(names: RegistryNames = REGISTRY, options: RegistryStreamOptions = {}): Partial<StreamConfig> & { name: string } {
  return {
    name: names.stream,
    description: 'jetkube event log: one message per object change',
    subjects: [`${names.prefix}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    max_msg_size: REGISTRY_MAX_MSG_SIZE,
    duplicate_window: nanos(REGISTRY_DUPLICATE_WINDOW_MS),
    num_replicas: options.replicas ?? 1,
    allow_direct: true,
    deny_delete: true,
    deny_purge: false,
    allow_rollup_hdrs: false,
  };
}

/** The fields we own; anything else on an existing stream (e.g. set by an operator) is left alone. */
const OWNED = [
  'subjects',
  'discard',
  'max_msgs',
  'max_bytes',
  'max_age',
  'max_msgs_per_subject',
  'max_msg_size',
  'duplicate_window',
  'num_replicas',
  'allow_direct',
  'deny_delete',
  'deny_purge',
  'allow_rollup_hdrs',
] as const;

function differs(current: StreamConfig, wanted: Partial<StreamConfig>): string[] {
  return OWNED.filter((field) => JSON.stringify(current[field]) !== JSON.stringify(wanted[field]));
}

export async function ensureRegistryStream(
  nc: NatsConnection,
  names: RegistryNames = REGISTRY,
  options: RegistryStreamOptions = {},
): Promise<StreamInfo> {
  const jsm = await nc.jetstreamManager();
  const replicas = options.replicas ?? replicasFor(nc);
  for (let attempt = 0; attempt < 5; attempt++) {
    let info: StreamInfo | undefined;
    try {
      info = await jsm.streams.info(names.stream);
    } catch (error) {
      if (jsErrCode(error) !== JS_ERR_STREAM_NOT_FOUND) throw translateError(error, `stream info ${names.stream}`);
    }
    if (!info) {
      try {
        return await jsm.streams.add(registryStreamConfig(names, { replicas }));
      } catch (error) {
        // Another process created it between our info and add: look again and reconcile.
        if (jsErrCode(error) === JS_ERR_STREAM_NAME_IN_USE) continue;
        throw translateError(error, `create stream ${names.stream}`);
      }
    }
    const wanted = registryStreamConfig(names, { replicas: replicasToKeep(info.config.num_replicas, replicas) });
    if (info.config.storage !== StorageType.File) {
      throw new LogError(`stream ${names.stream} exists with ${info.config.storage} storage; the registry needs file storage`);
    }
    const changed = differs(info.config, wanted);
    if (changed.length === 0) return info;
    // deny_delete cannot be turned off once on; keep what is there rather than fail.
    const update: StreamConfig = { ...info.config, ...wanted, deny_delete: info.config.deny_delete || wanted.deny_delete === true } as StreamConfig;
    try {
      return await jsm.streams.update(names.stream, update);
    } catch (error) {
      if (attempt < 4) continue;
      throw translateError(error, `update stream ${names.stream} (${changed.join(', ')})`);
    }
  }
  throw new LogError(`could not reconcile stream ${names.stream}`);
}

/** Remove every message (tests, benchmarks, and import into an emptied log). */
export async function purgeRegistryStream(nc: NatsConnection, names: RegistryNames = REGISTRY): Promise<void> {
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.purge(names.stream);
  } catch (error) {
    throw translateError(error, `purge stream ${names.stream}`);
  }
}

export async function deleteRegistryStream(nc: NatsConnection, names: RegistryNames = REGISTRY): Promise<boolean> {
  const jsm = await nc.jetstreamManager();
  try {
    return await jsm.streams.delete(names.stream);
  } catch (error) {
    if (jsErrCode(error) === JS_ERR_STREAM_NOT_FOUND) return false;
    throw translateError(error, `delete stream ${names.stream}`);
  }
}
