/**
 * Make a stream exist with its configuration, at the replication the NATS deployment
 * calls for: created when missing (a lost creation race is fine), raised to more
 * replicas when the cluster grew, otherwise left as an operator may have tuned it.
 */
import type { NatsConnection, StreamConfig } from 'nats';
import { JS_ERR_STREAM_NAME_IN_USE, JS_ERR_STREAM_NOT_FOUND, jsErrCode, translateError } from './errors.ts';
import { replicasFor, replicasToKeep } from './replication.ts';

export async function ensureStream(nc: NatsConnection, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const replicas = replicasFor(nc);
  let existing: StreamConfig | undefined;
  try {
    existing = (await jsm.streams.info(config.name)).config;
  } catch (error) {
    if (jsErrCode(error) !== JS_ERR_STREAM_NOT_FOUND) throw translateError(error, `stream info ${config.name}`);
  }
  if (!existing) {
    try {
      await jsm.streams.add({ ...config, num_replicas: replicas });
      return;
    } catch (error) {
      if (jsErrCode(error) !== JS_ERR_STREAM_NAME_IN_USE) throw translateError(error, `create stream ${config.name}`);
      existing = (await jsm.streams.info(config.name)).config;
    }
  }
  const keep = replicasToKeep(existing.num_replicas, replicas);
  if (keep === existing.num_replicas) return;
  try {
    await jsm.streams.update(config.name, { ...existing, num_replicas: keep });
  } catch (error) {
    throw translateError(error, `raise stream ${config.name} to ${keep} replicas`);
  }
}
