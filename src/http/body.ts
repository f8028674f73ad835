/**
 * Request bodies: read with a hard size limit (3 MiB, Kubernetes' own, so a bad client
 * cannot make the server buffer without end: 413), then decoded as the Content-Type
 * said (JSON, YAML, or a Kubernetes protobuf object: protobuf/; a syntax error is a 400).
 * Decoding is pure.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, entityTooLarge } from '../api/errors.ts';
import type { BodyFormat } from './media.ts';
import { decodeProtobufObject } from './protobuf/envelope.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

const tooLarge = () => entityTooLarge(`the request body is larger than the limit of ${MAX_BODY_BYTES} bytes`);

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

/** The decoded body, or undefined when there is none (a DELETE without DeleteOptions). */
export function decodeBody(raw: Buffer, format: BodyFormat): unknown {
  if (format.kind === 'protobuf') return raw.length === 0 ? undefined : decodeProtobufObject(raw);
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  if (format.kind === 'yaml' || (format.kind === 'patch' && format.patchType === 'apply')) {
    try {
      return parseYaml(text);
    } catch (error) {
      throw badRequest(`error converting YAML to JSON: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`couldn't decode the request body: ${(error as Error).message}`);
  }
}
