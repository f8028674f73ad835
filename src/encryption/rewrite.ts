/**
 * Re-encrypting every Secret after a key rotation (Kubernetes' "rewrite all secrets" step):
 * each Secret whose newest record is not sealed with the current write key (an older key,
 * or plaintext from before encryption was on) is appended again unchanged, as a
 * compare-and-set on its resourceVersion, so the log seals it with the write key. A lost
 * race means someone wrote it meanwhile, which sealed it already. Secrets this server
 * cannot decrypt are left alone (writing their stand-in back would only copy the old
 * ciphertext) and counted.
 */
import type { KubeObject, ObjectKey } from '../api/object.ts';
import type { AppendOptions, AppendResult } from '../../streams/registry-log.ts';
import { WrongLastSequenceError } from '../../streams/errors.ts';
import type { LogRecord } from '../store/log-entry.ts';
import { SEALED_RESOURCE, type SecretEncryption } from './config.ts';
import { isWithheld } from './sealed-secret.ts';

export interface RewriteDeps {
  encryption: SecretEncryption | undefined;
  /** Every live Secret (objects carry their resourceVersion). */
  secrets(): KubeObject[];
  /** The key the newest record of that object is sealed with; undefined: stored plaintext (or gone). */
  sealedWith(key: ObjectKey): Promise<string | undefined>;
  append(key: ObjectKey, record: LogRecord, options: AppendOptions): Promise<AppendResult>;
}

export interface RewriteReport {
  writeKey: string | undefined;
  rewritten: number;
  current: number;
  withheld: number;
  raced: number;
}

export async function rewriteSecrets(deps: RewriteDeps): Promise<RewriteReport> {
  const writeKey = deps.encryption?.writeKey?.name;
  const report: RewriteReport = { writeKey, rewritten: 0, current: 0, withheld: 0, raced: 0 };
  if (writeKey === undefined) throw new Error('no write key: the encryption config of this API server does not seal Secrets (its first provider is identity, or it has none)');
  for (const secret of deps.secrets()) {
    if (isWithheld(secret)) {
      report.withheld++;
      continue;
    }
    const key = { resource: SEALED_RESOURCE, namespace: secret.metadata.namespace ?? '', name: secret.metadata.name ?? '' };
    if ((await deps.sealedWith(key)) === writeKey) {
      report.current++;
      continue;
    }
    const { resourceVersion, ...metadata } = secret.metadata;
    try {
      await deps.append(key, { type: 'MODIFIED', object: { ...secret, metadata } }, { expectedLastSubjectSeq: Number(resourceVersion) });
      report.rewritten++;
    } catch (error) {
      if (!(error instanceof WrongLastSequenceError)) throw error;
      report.raced++;
    }
  }
  return report;
}
