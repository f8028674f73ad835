/**
 * Cuts a sequence of byte parts (a snapshot's frames, of any size) into chunks of exactly
 * `size` bytes, the last one shorter: what the object store's chunk messages hold. Lazy,
 * so a part is made only when the previous chunks have been taken, and a whole snapshot
 * never sits in memory at once. Async, so the parts may be made a turn of the event loop
 * each (src/store/snapshot-io.ts does: an API server serves between them).
 */
export async function* rechunk(parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const part of parts) {
    let offset = 0;
    while (offset < part.byteLength) {
      const take = Math.min(size - pendingBytes, part.byteLength - offset);
      pending.push(part.subarray(offset, offset + take));
      pendingBytes += take;
      offset += take;
      if (pendingBytes === size) {
        yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, size);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
}
