/**
 * A msgpack Decoder that interns short strings (keys and values up to 48 bytes). Kubernetes
 * objects repeat the same short strings endlessly ("True", "Running", label values, image
 * names, timestamps of one rollout), and a store that keeps every object alive pays for
 * each copy twice: in memory, and in the garbage collector copying it out of the young
 * generation. Interning makes repeated strings one shared string and skips their
 * allocation entirely on a hit, which is most of the replay's cost when objects are kept.
 *
 * The table is direct-mapped (FNV-1a hash of the bytes, 16k slots, the bytes kept in one
 * arena), so a lookup allocates nothing and a collision simply replaces the slot.
 * It hooks the Decoder's string decoding (not public API): if a future @msgpack/msgpack
 * lacks the hook, createInterningDecoder returns a plain Decoder and only speed is lost.
 */
import { Decoder } from '@msgpack/msgpack';

const SLOTS = 1 << 14;
const MAX_BYTES = 48;

export class StringInterner {
  private readonly arena = new Uint8Array(SLOTS * MAX_BYTES);
  private readonly lengths = new Uint8Array(SLOTS);
  private readonly strings: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  private readonly units: number[] = [];
  hits = 0;
  misses = 0;

  canBeCached(byteLength: number): boolean {
    return byteLength > 0 && byteLength <= MAX_BYTES;
  }

  decode(bytes: Uint8Array, offset: number, length: number): string {
    let hash = 0x811c9dc5;
    for (let i = 0; i < length; i++) hash = Math.imul(hash ^ bytes[offset + i]!, 0x01000193);
    const slot = (hash >>> 0) & (SLOTS - 1);
    const base = slot * MAX_BYTES;
    const arena = this.arena;
    if (this.lengths[slot] === length) {
      let i = 0;
      while (i < length && arena[base + i] === bytes[offset + i]) i++;
      if (i === length) {
        this.hits++;
        return this.strings[slot]!;
      }
    }
    this.misses++;
    const text = this.decodeFresh(bytes, offset, length);
    arena.set(bytes.subarray(offset, offset + length), base);
    this.lengths[slot] = length;
    this.strings[slot] = text;
    return text;
  }

  private decodeFresh(bytes: Uint8Array, offset: number, length: number): string {
    const units = this.units;
    units.length = length;
    for (let i = 0; i < length; i++) {
      const b = bytes[offset + i]!;
      if (b > 0x7f) return new TextDecoder().decode(bytes.subarray(offset, offset + length));
      units[i] = b;
    }
    return String.fromCharCode.apply(null, units);
  }
}

interface DecoderInternals {
  bytes: Uint8Array;
  pos: number;
  decodeUtf8String(byteLength: number, headerOffset: number): unknown;
}

export function createInterningDecoder(): Decoder {
  const interner = new StringInterner();
  const decoder = new Decoder({ keyDecoder: interner });
  const internals = decoder as unknown as DecoderInternals;
  const original = internals.decodeUtf8String;
  if (typeof original !== 'function') return decoder;
  internals.decodeUtf8String = function (this: DecoderInternals, byteLength: number, headerOffset: number) {
    const start = this.pos + headerOffset;
    if (byteLength > 0 && byteLength <= MAX_BYTES && this.bytes.byteLength >= start + byteLength) {
      this.pos = start + byteLength;
      return interner.decode(this.bytes, start, byteLength);
    }
    return original.call(this, byteLength, headerOffset);
  };
  return decoder;
}
