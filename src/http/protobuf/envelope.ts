/**
 * A Kubernetes protobuf body -> the JSON object it carries, pure. The body is the magic
 * `k8s\0` then a runtime.Unknown { typeMeta = 1 { apiVersion = 1; kind = 2 }; raw = 2;
 * contentEncoding = 3; contentType = 4 }, raw being the object's own message (which has
 * no TypeMeta: apiVersion and kind come from the envelope).
 *
 * A body that is not well-formed protobuf is a 400 BadRequest; a kind, field or encoding
 * we have no schema for is a 415 UnsupportedMediaType telling the client to send JSON.
 */
import { badRequest, StatusError, unsupportedMediaType } from '../../api/errors.ts';
import { decodeMessage, UnsupportedField } from './decode.ts';
import { KINDS, KINDS_IN_EVERY_VERSION } from './schema.ts';
import { fields, readString, WireError } from './wire.ts';

export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface Unknown {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/** Splits the envelope; throws WireError when it is not one. */
export function readUnknown(body: Uint8Array): Unknown {
  if (body.length < 4 || !PROTOBUF_MAGIC.every((b, i) => body[i] === b)) throw new WireError('the body does not start with the k8s\\0 magic');
  const out: Unknown = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '', contentType: '' };
  for (const wf of fields(body.subarray(4))) {
    if (wf.wire !== 2) throw new WireError(`runtime.Unknown: field ${wf.field} has wire type ${wf.wire}`);
    if (wf.field === 1) {
      for (const tf of fields(wf.value)) {
        if (tf.wire !== 2) throw new WireError(`runtime.TypeMeta: field ${tf.field} has wire type ${tf.wire}`);
        if (tf.field === 1) out.apiVersion = readString(tf.value, 'typeMeta.apiVersion');
        else if (tf.field === 2) out.kind = readString(tf.value, 'typeMeta.kind');
      }
    } else if (wf.field === 2) out.raw = wf.value;
    else if (wf.field === 3) out.contentEncoding = readString(wf.value, 'contentEncoding');
    else if (wf.field === 4) out.contentType = readString(wf.value, 'contentType');
  }
  return out;
}

/** The decoded object, as JSON, with apiVersion and kind first. */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  try {
    const unknown = readUnknown(body);
    if (unknown.contentEncoding !== '') throw unsupportedMediaType(`protobuf bodies with contentEncoding "${unknown.contentEncoding}" are not supported; send JSON`);
    if (unknown.contentType !== '' && unknown.contentType !== 'application/vnd.kubernetes.protobuf') {
      throw unsupportedMediaType(`protobuf envelopes holding "${unknown.contentType}" are not supported; send JSON`);
    }
    if (unknown.kind === '' || unknown.apiVersion === '') throw badRequest('the protobuf body has no apiVersion or kind in its envelope');
    const message = KINDS[`${unknown.apiVersion}/${unknown.kind}`] ?? KINDS_IN_EVERY_VERSION[unknown.kind];
    if (!message) throw unsupportedMediaType(`protobuf bodies are not supported for ${unknown.kind} (${unknown.apiVersion}); send JSON`);
    return { apiVersion: unknown.apiVersion, kind: unknown.kind, ...decodeMessage(message, unknown.raw, unknown.kind) };
  } catch (error) {
    if (error instanceof StatusError) throw error;
    if (error instanceof UnsupportedField) throw unsupportedMediaType(error.message);
    if (error instanceof WireError) throw badRequest(`couldn't decode the protobuf body: ${error.message}`);
    throw error;
  }
}
