/**
 * Where snapshots of the materialized store live: the JetStream object store
 * `JETKUBE_SNAPSHOTS` (file storage; server 2.9.10 has object stores, chunked in 1 MiB
 * messages here, under the 4 MiB max_payload). One object per snapshot, named
 * `snapshot-<revision>` (zero-padded, so names sort by revision), holding the bytes of
 * src/store/snapshot.ts; and one small object `compaction` recording the compaction point:
 * the REGISTRY stream holds no complete history before it (the latest message of every
 * subject is kept, so compare-and-set writes keep working; everything older is purged).
 *
 * Several API servers: any of them may write. Each skips a period in which another wrote
 * (src/store/snapshot-schedule.ts) and a revision that already has a snapshot; two that
 * race at one revision write identical bytes (the state at a revision is a function of the
 * log), so the newest put wins with nothing lost. Start-up takes the newest snapshot that
 * the log still continues.
 *
 * Also here: the subject on which an API server takes a snapshot on request.
 */
import { replicasFor } from './replication.ts';
import { createHash } from 'node:crypto';
import type { NatsConnection, ObjectStore as NatsObjectStore, Msg } from 'nats';
import { StorageType, headers, nuid } from 'nats';
import type { ObjectKey } from '../src/api/object.ts';
import { translateError } from './errors.ts';
import { rechunk } from './rechunk.ts';
import { REGISTRY, registrySubject, type RegistryNames } from './subjects.ts';

export const SNAPSHOT_BUCKET = 'JETKUBE_SNAPSHOTS';
export const SNAPSHOT_REQUEST_SUBJECT = 'jetkube.snapshot.take';
const CHUNK_BYTES = 1024 * 1024;
/** Chunks of an upload in flight at once: the API server's requests and appends share the connection. */
const UPLOAD_WINDOW = 4;
const UPLOAD_ACK_TIMEOUT_MS = 30_000;
const COMPACTION = 'compaction';
/** How the object store spells a digest: SHA-256 of the bytes, base64url. */
const DIGEST_PREFIX = 'SHA-256=';
const PREFIX = 'snapshot-';

export interface SnapshotInfo {
  revision: number;
  bytes: number;
  name: string;
  mtime: string;
}

export interface CompactionPoint {
  /** The first revision whose history is whole; replay and watches start at or after it. */
  before: number;
  /** The snapshot whose state is the log at before - 1. */
  snapshotRevision: number;
  at: string;
}

/** The object store's spelling of names in subjects and of digests: base64url, padded. */
function base64UrlPadded(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function snapshotName(revision: number): string {
  return `${PREFIX}${String(revision).padStart(16, '0')}`;
}

export class SnapshotStore {
  private constructor(
    readonly nc: NatsConnection,
    private readonly os: NatsObjectStore,
    readonly names: RegistryNames,
    readonly bucket: string,
  ) {}

  static async open(nc: NatsConnection, names: RegistryNames = REGISTRY, bucket = SNAPSHOT_BUCKET): Promise<SnapshotStore> {
    try {
      // Replicated as the log is (R3 on a cluster), when the bucket is first made.
      const os = await nc.jetstream().views.os(bucket, { storage: StorageType.File, replicas: replicasFor(nc) });
      return new SnapshotStore(nc, os, names, bucket);
    } catch (error) {
      throw translateError(error, `open object store ${bucket}`);
    }
  }

  /** Snapshots, oldest first. */
  async list(): Promise<SnapshotInfo[]> {
    const infos = await this.os.list();
    return infos
      .filter((i) => i.name.startsWith(PREFIX) && !i.deleted)
      .map((i) => ({ revision: Number(i.name.slice(PREFIX.length)), bytes: i.size, name: i.name, mtime: i.mtime }))
      .filter((i) => Number.isSafeInteger(i.revision))
      .sort((a, b) => a.revision - b.revision);
  }

  async has(revision: number): Promise<boolean> {
    const info = await this.os.info(snapshotName(revision));
    return info !== null && !info.deleted;
  }

  /**
   * Stores the bytes, or the parts (made one after another as the upload takes them), as
   * object `snapshot-<revision>` in the object store's own format (chunks on
   * `$O.<bucket>.C.<nuid>`, then the info on `$O.<bucket>.M.<name>`), with at most
   * UPLOAD_WINDOW chunks unacknowledged and the digest from node:crypto; returns how many
   * bytes were stored. nats.js's putBlob hashed every chunk in JavaScript and published
   * all of them in one synchronous loop: at 120,000 pods that blocked the API server for
   * seconds and queued hundreds of MiB ahead of its requests and log appends, which then
   * timed out by the thousand.
   */
  async put(revision: number, content: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<number> {
    const name = snapshotName(revision);
    const id = nuid.next();
    const chunkSubject = `$O.${this.bucket}.C.${id}`;
    const js = this.nc.jetstream();
    const hash = createHash('sha256');
    const unacknowledged: Promise<unknown>[] = [];
    let chunks = 0;
    let size = 0;
    try {
      for await (const chunk of rechunk(content instanceof Uint8Array ? [content] : content, CHUNK_BYTES)) {
        hash.update(chunk);
        size += chunk.byteLength;
        unacknowledged.push(js.publish(chunkSubject, chunk, { timeout: UPLOAD_ACK_TIMEOUT_MS }));
        chunks++;
        if (unacknowledged.length >= UPLOAD_WINDOW) await unacknowledged.shift();
      }
      await Promise.all(unacknowledged);
      const info = {
        name,
        description: '',
        options: { max_chunk_size: CHUNK_BYTES },
        bucket: this.bucket,
        nuid: id,
        size,
        chunks,
        mtime: new Date().toISOString(),
        digest: `${DIGEST_PREFIX}${base64UrlPadded(hash.digest())}`,
        deleted: false,
      };
      const h = headers();
      h.set('Nats-Rollup', 'sub'); // the newest info replaces older ones of this name
      await js.publish(`$O.${this.bucket}.M.${base64UrlPadded(Buffer.from(name))}`, new TextEncoder().encode(JSON.stringify(info)), { headers: h, timeout: UPLOAD_ACK_TIMEOUT_MS });
      return size;
    } catch (error) {
      await Promise.allSettled(unacknowledged);
      const jsm = await this.nc.jetstreamManager();
      await jsm.streams.purge(`OBJ_${this.bucket}`, { filter: chunkSubject }).catch(() => undefined);
      throw translateError(error, `store ${name}`);
    }
  }

  async get(revision: number): Promise<Uint8Array | undefined> {
    return (await this.os.getBlob(snapshotName(revision))) ?? undefined;
  }

  /**
   * The snapshot's bytes chunk by chunk as they arrive (undefined when there is none), so
   * a reader decodes while the rest downloads. The chunks are read with an ordered consumer
   * on the bucket's stream and checked against the object's SHA-256 with node:crypto (the
   * client's own get hashes in JavaScript: a quarter of a 100k-object start-up). Ends with
   * an error if the digest or the size does not match what arrived.
   */
  async stream(revision: number): Promise<AsyncIterable<Uint8Array> | undefined> {
    const name = snapshotName(revision);
    const info = await this.os.info(name);
    if (!info || info.deleted) return undefined;
    const js = this.nc.jetstream();
    const stream = `OBJ_${this.bucket}`;
    const subject = `$O.${this.bucket}.C.${info.nuid}`;
    const expected = info.digest.startsWith(DIGEST_PREFIX) ? Buffer.from(info.digest.slice(DIGEST_PREFIX.length), 'base64') : undefined;
    return {
      async *[Symbol.asyncIterator]() {
        if (info.size === 0) return;
        const consumer = await js.consumers.get(stream, { filterSubjects: subject });
        const messages = await consumer.consume({ max_messages: 8 });
        const hash = createHash('sha256');
        let received = 0;
        try {
          for await (const m of messages) {
            hash.update(m.data);
            received += m.data.byteLength;
            if (m.data.byteLength > 0) yield m.data;
            if (m.info.pending === 0) break;
          }
        } finally {
          messages.stop();
          await consumer.delete().catch(() => false);
        }
        if (received !== info.size) throw new Error(`snapshot ${name}: ${received} bytes arrived, ${info.size} expected`);
        if (!expected || !hash.digest().equals(expected)) throw new Error(`snapshot ${name}: the bytes do not match the stored digest ${info.digest}`);
      },
    };
  }

  async delete(revision: number): Promise<void> {
    await this.os.delete(snapshotName(revision));
  }

  async compaction(): Promise<CompactionPoint | undefined> {
    const bytes = await this.os.getBlob(COMPACTION);
    return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as CompactionPoint) : undefined;
  }

  async setCompaction(point: CompactionPoint): Promise<void> {
    await this.os.putBlob({ name: COMPACTION }, new TextEncoder().encode(JSON.stringify(point)));
  }

  /**
   * Purge one subject's messages below `seq` (JetStream purge with filter and seq): the
   * compactor calls it with min(before, the subject's last seq), so the last message stays.
   */
  async purgeSubjectBelow(key: ObjectKey, seq: number): Promise<number> {
    const jsm = await this.nc.jetstreamManager();
    try {
      const { purged } = await jsm.streams.purge(this.names.stream, { filter: registrySubject(key, this.names), seq });
      return purged;
    } catch (error) {
      throw translateError(error, `purge ${registrySubject(key, this.names)} below ${seq}`);
    }
  }
}

/** Serve snapshot requests (queue group: one API server answers each). */
export function serveSnapshotRequests(nc: NatsConnection, take: () => Promise<number>): { stop(): void } {
  const sub = nc.subscribe(SNAPSHOT_REQUEST_SUBJECT, {
    queue: 'apiserver',
    callback: (error, msg: Msg) => {
      if (error) return;
      take().then(
        (revision) => msg.respond(new TextEncoder().encode(JSON.stringify({ revision }))),
        (failure: unknown) => msg.respond(new TextEncoder().encode(JSON.stringify({ error: failure instanceof Error ? failure.message : String(failure) }))),
      );
    },
  });
  return { stop: () => sub.unsubscribe() };
}

/** Ask an API server to write a snapshot now; resolves with its revision. */
export async function requestSnapshot(nc: NatsConnection, timeoutMs = 120_000): Promise<number> {
  const reply = await nc.request(SNAPSHOT_REQUEST_SUBJECT, new Uint8Array(), { timeout: timeoutMs });
  const body = JSON.parse(new TextDecoder().decode(reply.data)) as { revision?: number; error?: string };
  if (body.error !== undefined || body.revision === undefined) throw new Error(`the API server could not write a snapshot: ${body.error ?? 'no answer'}`);
  return body.revision;
}
