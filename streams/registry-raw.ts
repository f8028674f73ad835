/**
 * A registry message's stored bytes, undecoded: what an operator (or an attacker holding
 * the disk) sees. Used to check that Secrets are sealed at rest and with which key.
 */
import type { NatsConnection } from 'nats';
import type { ObjectKey } from '../src/api/object.ts';
import { translateError } from './errors.ts';
import { REGISTRY, registrySubject, type RegistryNames } from './subjects.ts';

export interface RawRecord {
  seq: number;
  subject: string;
  data: Uint8Array;
}

/** The subject's newest message as stored, or undefined when it has none. */
export async function lastRawRecord(nc: NatsConnection, key: ObjectKey, names: RegistryNames = REGISTRY): Promise<RawRecord | undefined> {
  const jsm = await nc.jetstreamManager();
  const subject = registrySubject(key, names);
  try {
    const stored = await jsm.streams.getMessage(names.stream, { last_by_subj: subject });
    return { seq: stored.seq, subject, data: stored.data };
  } catch (error) {
    if ((error as { code?: unknown }).code === '404' || /no message found/i.test(String((error as Error).message))) return undefined;
    throw translateError(error, `get last message of ${subject}`);
  }
}
