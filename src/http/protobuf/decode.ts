/**
 * A protobuf message -> the JSON Kubernetes would write for it, pure, driven by the
 * schemas in schema.ts: omitempty drops zero scalars unless the field is `keep`;
 * int-or-string becomes a number or a string; bytes become base64; Quantity its string;
 * Time RFC 3339 in UTC to the second (metav1.Time's JSON form). A zero Time is left out
 * rather than written as Go's `null`: both decode to "unset" on the server. An inline
 * field (Go's embedded struct) merges its message's fields into the parent's JSON.
 *
 * A field the schema does not name is accepted only if it holds its zero value (Go writes
 * every non-pointer field); anything else is an UnsupportedField, so nothing a client sent
 * is silently dropped.
 */
import { fields, packedVarints, readString, toSafeNumber, toSigned, WireError, type WireField } from './wire.ts';
import { MESSAGES, type FieldSpec, type FieldType, type MessageSpec } from './schema.ts';

/** The body used a field or a message we have no schema for. */
export class UnsupportedField extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedField';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function decodeMessage(name: string, buf: Uint8Array, path = name): JsonObject {
  const spec = MESSAGES[name];
  if (!spec) throw new UnsupportedField(`${path}: no schema for message ${name}`);
  return decodeWith(spec, name, buf, path);
}

function decodeWith(spec: MessageSpec, name: string, buf: Uint8Array, path: string): JsonObject {
  const out: JsonObject = {};
  for (const wf of fields(buf)) {
    const fs = spec[wf.field];
    if (!fs) {
      if (!isZero(wf)) throw new UnsupportedField(`${path}: field ${wf.field} of ${name} is not supported in protobuf bodies; send JSON`);
      continue;
    }
    const where = `${path}.${fs.name}`;
    if (fs.inline) {
      // An embedded struct: its fields are this message's own in JSON.
      const message = (fs.type as { message: string }).message;
      Object.assign(out, decodeMessage(message, expectBytes(wf, where), path));
    } else if (fs.map) {
      const [key, value] = mapEntry(fs.type, expectBytes(wf, where), where);
      const map = (out[fs.name] ??= {}) as JsonObject;
      map[key] = value;
    } else if (fs.repeated) {
      const list = (out[fs.name] ??= []) as Json[];
      if (wf.wire === 2 && isVarintType(fs.type)) {
        for (const v of packedVarints(wf.value)) list.push(scalarOf(fs.type, v));
      } else list.push(valueOf(fs.type, wf, `${where}[${list.length}]`) ?? null);
    } else {
      const value = valueOf(fs.type, wf, where);
      if (value === undefined || (!fs.keep && isEmptyScalar(fs, value))) delete out[fs.name];
      else out[fs.name] = value;
    }
  }
  return out;
}

function valueOf(type: FieldType, wf: WireField, where: string): Json | undefined {
  if (typeof type === 'object') return decodeMessage(type.message, expectBytes(wf, where), where);
  switch (type) {
    case 'string':
      return readString(expectBytes(wf, where), where);
    case 'bytes':
      return Buffer.from(expectBytes(wf, where)).toString('base64');
    case 'int32':
    case 'int64':
    case 'bool':
      if (wf.wire !== 0) throw new WireError(`${where}: expected a varint, got wire type ${wf.wire}`);
      return scalarOf(type, wf.value);
    case 'time':
      return timeOf(expectBytes(wf, where), where);
    case 'quantity':
      return quantityOf(expectBytes(wf, where), where);
    case 'intOrString':
      return intOrStringOf(expectBytes(wf, where), where);
  }
}

function scalarOf(type: FieldType, value: bigint): Json {
  if (type === 'bool') return value !== 0n;
  const n = toSafeNumber(toSigned(value));
  if (type === 'int32' && (n < -0x80000000 || n > 0x7fffffff)) throw new WireError(`int32 value ${n} out of range`);
  return n;
}

const isVarintType = (t: FieldType) => t === 'int32' || t === 'int64' || t === 'bool';

function isEmptyScalar(fs: FieldSpec, value: Json): boolean {
  if (typeof fs.type === 'object' || fs.type === 'time' || fs.type === 'quantity' || fs.type === 'intOrString') return false;
  return value === '' || value === 0 || value === false;
}

function isZero(wf: WireField): boolean {
  if (wf.wire === 0) return wf.value === 0n;
  return wf.wire === 2 ? wf.value.length === 0 : wf.value.every((b) => b === 0);
}

function expectBytes(wf: WireField, where: string): Uint8Array {
  if (wf.wire !== 2) throw new WireError(`${where}: expected a length-delimited value, got wire type ${wf.wire}`);
  return wf.value;
}

function mapEntry(type: FieldType, buf: Uint8Array, where: string): [string, Json] {
  let key = '';
  let value: Json | undefined;
  for (const wf of fields(buf)) {
    if (wf.field === 1) key = readString(expectBytes(wf, where), `${where} key`);
    else if (wf.field === 2) value = valueOf(type, wf, `${where}[${key}]`);
    else throw new WireError(`${where}: unexpected field ${wf.field} in a map entry`);
  }
  return [key, value ?? zeroOf(type)];
}

/** A map value the encoder left out because it was empty. */
function zeroOf(type: FieldType): Json {
  if (typeof type === 'object') return {};
  switch (type) {
    case 'int32':
    case 'int64':
      return 0;
    case 'bool':
      return false;
    case 'quantity':
      return '0';
    default:
      return '';
  }
}

/** metav1.Time { seconds = 1; nanos = 2 } -> "2024-05-01T10:00:00Z"; undefined when zero. */
function timeOf(buf: Uint8Array, where: string): string | undefined {
  let seconds = 0;
  for (const wf of fields(buf)) {
    if (wf.field === 1 && wf.wire === 0) seconds = toSafeNumber(toSigned(wf.value));
    else if (wf.field !== 2) throw new WireError(`${where}: unexpected field ${wf.field} in a Time`);
  }
  if (seconds === 0) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw new WireError(`${where}: time out of range`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** resource.Quantity { string = 1 } -> its canonical string. */
function quantityOf(buf: Uint8Array, where: string): string {
  let text = '0';
  for (const wf of fields(buf)) {
    if (wf.field === 1) text = readString(expectBytes(wf, where), where) || '0';
    else throw new WireError(`${where}: unexpected field ${wf.field} in a Quantity`);
  }
  return text;
}

/** intstr.IntOrString { type = 1 (0 int, 1 string); intVal = 2; strVal = 3 }. */
function intOrStringOf(buf: Uint8Array, where: string): number | string {
  let kind = 0;
  let intVal = 0;
  let strVal = '';
  for (const wf of fields(buf)) {
    if (wf.field === 1 && wf.wire === 0) kind = toSafeNumber(toSigned(wf.value));
    else if (wf.field === 2 && wf.wire === 0) intVal = scalarOf('int32', wf.value) as number;
    else if (wf.field === 3) strVal = readString(expectBytes(wf, where), where);
    else throw new WireError(`${where}: unexpected field ${wf.field} in an IntOrString`);
  }
  if (kind === 0) return intVal;
  if (kind === 1) return strVal;
  throw new WireError(`${where}: IntOrString of unknown type ${kind}`);
}
