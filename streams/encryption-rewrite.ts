/**
 * `jetkube encryption rewrite` asks one API server (queue group) on
 * `jetkube.encryption.rewrite` to seal every Secret again with its current write key
 * (src/encryption/rewrite.ts); the answer is the report as JSON, or `{ error }`.
 * Also here: which key a Secret's newest record is sealed with, read from the raw message.
 */
import { decode } from '@msgpack/msgpack';
import type { Msg, NatsConnection } from 'nats';
import type { ObjectKey } from '../src/api/object.ts';
import { sealedKeyName } from '../src/encryption/aesgcm.ts';
import type { RewriteReport } from '../src/encryption/rewrite.ts';
import { lastRawRecord } from './registry-raw.ts';
import { REGISTRY, type RegistryNames } from './subjects.ts';

export const ENCRYPTION_REWRITE_SUBJECT = 'jetkube.encryption.rewrite';

/** The key the subject's newest record is sealed with; undefined for plaintext, a non-record, or no message. */
export async function sealedKeyOfLast(nc: NatsConnection, key: ObjectKey, names: RegistryNames = REGISTRY): Promise<string | undefined> {
  const raw = await lastRawRecord(nc, key, names);
  if (!raw) return undefined;
  try {
    const sealed = (decode(raw.data) as { sealed?: unknown } | null)?.sealed;
    return sealed instanceof Uint8Array ? sealedKeyName(sealed) : undefined;
  } catch {
    return undefined;
  }
}

export function serveEncryptionRewrites(nc: NatsConnection, rewrite: () => Promise<RewriteReport>): { stop(): void } {
  const encoder = new TextEncoder();
  const sub = nc.subscribe(ENCRYPTION_REWRITE_SUBJECT, {
    queue: 'apiserver',
    callback: (error, msg: Msg) => {
      if (error) return;
      rewrite().then(
        (report) => msg.respond(encoder.encode(JSON.stringify(report))),
        (failure: unknown) => msg.respond(encoder.encode(JSON.stringify({ error: failure instanceof Error ? failure.message : String(failure) }))),
      );
    },
  });
  return { stop: () => sub.unsubscribe() };
}

export async function requestEncryptionRewrite(nc: NatsConnection, timeoutMs = 300_000): Promise<RewriteReport> {
  const reply = await nc.request(ENCRYPTION_REWRITE_SUBJECT, new Uint8Array(), { timeout: timeoutMs });
  const body = JSON.parse(new TextDecoder().decode(reply.data)) as RewriteReport & { error?: string };
  if (body.error !== undefined) throw new Error(`the API server could not rewrite the Secrets: ${body.error}`);
  return body;
}
