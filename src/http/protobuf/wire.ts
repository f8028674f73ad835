/**
 * The protobuf wire format, read side, pure: a buffer -> its fields in order (number,
 * wire type, value). Varints are read as bigint so int64 and negative int32 (ten-byte
 * two's complement) come out right; length-delimited values stay bytes for the caller to
 * read as a string, bytes, a packed list or a nested message. Anything truncated, overlong
 * or of a retired wire type (groups) is a WireError, never an out-of-bounds read.
 *
 * A small reader rather than protobufjs: we need no .proto parsing, no codegen and no
 * encoder, only the four wire types Kubernetes uses, and the schemas are our own data.
 */

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;
export type WireType = (typeof WIRE)[keyof typeof WIRE];

export type WireField =
  | { field: number; wire: 0; value: bigint }
  | { field: number; wire: 1; value: Uint8Array }
  | { field: number; wire: 2; value: Uint8Array }
  | { field: number; wire: 5; value: Uint8Array };

const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;

/** Reads one varint at `offset`; returns it and the offset after it. */
export function readVarint(buf: Uint8Array, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (offset >= buf.length) throw new WireError('truncated varint');
    const byte = buf[offset++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      if (result >= TWO_64) throw new WireError('varint overflows 64 bits');
      return [result, offset];
    }
    shift += 7n;
  }
  throw new WireError('varint longer than 10 bytes');
}

/** A varint read as a signed 64-bit integer (int32 and int64 fields, not zigzag). */
export function toSigned(value: bigint): bigint {
  return value >= TWO_63 ? value - TWO_64 : value;
}

/** A signed value as a JS number, refusing what a double cannot hold exactly. */
export function toSafeNumber(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new WireError(`integer ${value} is out of the safe range`);
  return n;
}

/** Every field of one message, in wire order. */
export function* fields(buf: Uint8Array): Generator<WireField> {
  let offset = 0;
  while (offset < buf.length) {
    const [key, afterKey] = readVarint(buf, offset);
    offset = afterKey;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0 || field > 0x1fffffff) throw new WireError(`invalid field number ${field}`);
    switch (wire) {
      case WIRE.varint: {
        const [value, next] = readVarint(buf, offset);
        offset = next;
        yield { field, wire: 0, value };
        break;
      }
      case WIRE.fixed64:
      case WIRE.fixed32: {
        const size = wire === WIRE.fixed64 ? 8 : 4;
        if (offset + size > buf.length) throw new WireError(`truncated fixed${size * 8} in field ${field}`);
        yield { field, wire, value: buf.subarray(offset, offset + size) };
        offset += size;
        break;
      }
      case WIRE.bytes: {
        const [length, start] = readVarint(buf, offset);
        if (length > BigInt(buf.length - start)) throw new WireError(`field ${field} claims ${length} bytes, ${buf.length - start} remain`);
        offset = start + Number(length);
        yield { field, wire: 2, value: buf.subarray(start, offset) };
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wire} in field ${field}`);
    }
  }
}

/** The varints of a packed repeated field. */
export function packedVarints(buf: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const [value, next] = readVarint(buf, offset);
    out.push(value);
    offset = next;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readString(bytes: Uint8Array, where: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new WireError(`${where}: invalid UTF-8 in a string field`);
  }
}
