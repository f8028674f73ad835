/**
 * Content negotiation, pure: what the Accept header asks for (a Table, aggregated
 * discovery, or plain JSON) and what a request body's Content-Type is (JSON or YAML for
 * objects; a merge, JSON or strategic merge patch for PATCH). What the HTTP API cannot
 * read yet is a 415 UnsupportedMediaType Status naming it, never a guess.
 *
 * Protobuf object bodies (`application/vnd.kubernetes.protobuf`, which kubectl's
 * generators send) are read by protobuf/ for the kinds it has schemas for.
 * Server-side apply is the `apply` patch type (apiserver/verbs/apply.ts).
 */
import { StatusError, unsupportedMediaType } from '../api/errors.ts';
import type { PatchType } from '../apiserver/request.ts';

export interface MediaRange {
  type: string;
  subtype: string;
  params: Record<string, string>;
}

/** "application/json;as=Table;v=v1;g=meta.k8s.io, application/json" -> ranges, in order. */
export function parseMediaRanges(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(parseMediaType);
}

export function parseMediaType(text: string): MediaRange {
  const [essence = '', ...rest] = text.split(';').map((s) => s.trim());
  const [type = '', subtype = ''] = essence.toLowerCase().split('/');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type, subtype, params };
}

const isJson = (r: MediaRange) =>
  (r.type === 'application' && (r.subtype === 'json' || r.subtype === '*')) || (r.type === '*' && r.subtype === '*');

/** The Table version asked for ("v1" or "v1beta1"), if the client accepts a Table before anything else it can get. */
export function wantedTable(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  for (const r of parseMediaRanges(accept)) {
    if (r.params.as === 'Table' && r.params.g === 'meta.k8s.io' && isJson(r) && (r.params.v === 'v1' || r.params.v === 'v1beta1')) {
      return r.params.v;
    }
    if (r.params.as === undefined && isJson(r)) return undefined;
  }
  return undefined;
}

/** The one Content-Type kubectl recognises an aggregated discovery document by. */
export const AGGREGATED_DISCOVERY_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  for (const r of parseMediaRanges(accept)) {
    if (r.params.as === 'APIGroupDiscoveryList' && r.params.g === 'apidiscovery.k8s.io' && r.params.v === 'v2' && isJson(r)) return true;
    if (r.params.as === undefined && isJson(r)) return false;
  }
  return false;
}

/** Every answer here is JSON; a client that takes nothing of the kind gets 406. */
export function checkAcceptsJson(accept: string | undefined): void {
  const ranges = parseMediaRanges(accept);
  if (ranges.length === 0 || ranges.some(isJson)) return;
  throw new StatusError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml`);
}

export type BodyFormat = { kind: 'json' } | { kind: 'yaml' } | { kind: 'protobuf' } | { kind: 'patch'; patchType: PatchType };

export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
  // Server-side apply: a YAML (or JSON, which is YAML) object.
  'application/apply-patch+yaml': 'apply',
};

/** Not yet understood, with what the client should know about each. */
const LATER: Record<string, string> = {
  'application/apply-patch+cbor': 'server-side apply is not supported yet',
  'application/vnd.kubernetes.protobuf': 'protobuf patches are not supported; send JSON',
  'application/cbor': 'CBOR bodies are not supported yet; send JSON',
};

/** How to read the body of a write. PATCH takes only patch types; create and update take objects. */
export function bodyFormat(contentType: string | undefined, isPatch: boolean): BodyFormat {
  const { type, subtype } = parseMediaType(contentType ?? 'application/json');
  const essence = `${type}/${subtype}`;
  if (isPatch) {
    const patchType = PATCH_TYPES[essence];
    if (patchType) return { kind: 'patch', patchType };
    throw unsupportedMediaType(
      LATER[essence] ?? `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }
  if (essence === 'application/json' || essence === '/') return { kind: 'json' };
  if (essence === 'application/yaml' || essence === 'application/x-yaml' || essence === 'text/yaml') return { kind: 'yaml' };
  if (essence === PROTOBUF_TYPE) return { kind: 'protobuf' };
  throw unsupportedMediaType(
    LATER[essence] ?? `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
  );
}
