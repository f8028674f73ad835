/**
 * Request bodies: read with a hard size limit (3 MiB, Kubernetes' own, so a bad client
 * cannot make the server buffer without end: 413), then decoded as the Content-Type
 * said (JSON, YAML, or a Kubernetes protobuf object: protobuf/; a syntax error is a 400).
 * A body nested deeper than MAX_BODY_DEPTH is a 400 too: what reads objects further on
 * (patches, validation, managed fields) recurses, and must not overflow the stack.
 * Decoding is pure.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, entityTooLarge } from '../api/errors.ts';
import type { BodyFormat } from './media.ts';
import { decodeProtobufObject } from './protobuf/envelope.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/**
 * Go's JSON decoder, which kube-apiserver uses, stops at 10000 levels; the recursive
 * walks here (the YAML parser's among them) overflow before that, so the limit is lower,
 * still far above any real object.
 */
export const MAX_BODY_DEPTH = 500;

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
    // The YAML parser recurses: too deep a text is refused before it is parsed, not after.
    if (yamlNestingBound(text) > MAX_BODY_DEPTH) throw badRequest(`error converting YAML to JSON: exceeded max depth of ${MAX_BODY_DEPTH}`);
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      throw badRequest(`error converting YAML to JSON: ${(error as Error).message}`);
    }
    return withinDepth(parsed, 'error converting YAML to JSON');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest(`couldn't decode the request body: ${(error as Error).message}`);
  }
  return withinDepth(parsed, "couldn't decode the request body");
}

/** The value, unless it nests deeper than MAX_BODY_DEPTH (measured without recursion: the point is not to recurse). */
function withinDepth(value: unknown, what: string): unknown {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) throw badRequest(`${what}: exceeded max depth of ${MAX_BODY_DEPTH}`);
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
    }
  }
  return value;
}

/**
 * An upper bound on a YAML text's nesting, without parsing it: the deepest open flow
 * brackets, or the deepest line (its indentation plus the compact "- - " entries it opens).
 */
export function yamlNestingBound(text: string): number {
  let deepest = 0;
  let flow = 0;
  let lineStart = true;
  let lineDepth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      lineDepth = 0;
      continue;
    }
    if (lineStart) {
      if (c === 0x20 || c === 0x09) lineDepth++;
      else if (c === 0x2d && (text.charCodeAt(i + 1) === 0x20 || text.charCodeAt(i + 1) === 0x0a)) lineDepth++;
      else lineStart = false;
      if (lineDepth > deepest) deepest = lineDepth;
    }
    if (c === 0x5b || c === 0x7b) flow++;
    else if ((c === 0x5d || c === 0x7d) && flow > 0) flow--;
    if (flow > deepest) deepest = flow;
  }
  return deepest;
}
