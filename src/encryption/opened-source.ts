/**
 * Secrets for the readers of a recorded log (`jetkube replay`): entries and snapshot slots
 * that arrive as withheld stand-ins (src/encryption/sealed-secret.ts) are opened with the
 * encryption config when one is given; the ones that stay withheld (no config, unknown key,
 * damaged bytes) are kept as stand-ins, and the reader is told once why.
 * Other kinds pass through untouched (one property read each).
 */
import type { LogEntry } from '../store/log-entry.ts';
import { unpackObject, type Snapshot, type SnapshotSlot } from '../store/snapshot.ts';
import type { SecretEncryption } from './config.ts';
import { isSealedResource, isWithheld, openedAtRest, WITHHELD_ANNOTATION } from './sealed-secret.ts';
import type { KubeObject } from '../api/object.ts';

export interface SecretsSource {
  entries: AsyncIterable<LogEntry>;
  base?: Snapshot;
}

/** The source with its Secrets opened where the keys allow; `note` hears once about the ones withheld. */
export function withSecretsOpened<S extends SecretsSource>(source: S, encryption: SecretEncryption | undefined, note: (text: string) => void): S {
  let told = false;
  const opened = (object: KubeObject): KubeObject => {
    const result = openedAtRest(object, encryption);
    if (!told && isWithheld(result)) {
      told = true;
      const { namespace, name, annotations } = result.metadata;
      note(`note: Secrets are shown without their data where they cannot be decrypted (first: ${namespace}/${name}: ${annotations?.[WITHHELD_ANNOTATION] ?? 'encrypted'})\n`);
    }
    return result;
  };
  const entries = source.entries;
  const openedEntries: AsyncIterable<LogEntry> = {
    async *[Symbol.asyncIterator]() {
      for await (const entry of entries) {
        if (!isWithheld(entry.object)) {
          yield entry;
          continue;
        }
        yield { ...entry, object: opened(entry.object) };
      }
    },
  };
  return { ...source, entries: openedEntries, ...(source.base ? { base: openedSnapshot(source.base, opened) } : {}) };
}

function openedSnapshot(snapshot: Snapshot, opened: (object: KubeObject) => KubeObject): Snapshot {
  const slots = snapshot.slots.map((slot): SnapshotSlot => {
    const [resource, namespace, name, seq, object] = slot;
    if (!isSealedResource(resource) || object === null) return slot;
    return [resource, namespace, name, seq, opened(object instanceof Uint8Array ? unpackObject(object, seq) : object)];
  });
  return { ...snapshot, slots };
}
