/**
 * The /openapi/v3 documents, generated from the resource registry and the schema DSL (the
 * one source of truth), pure and computed once per process:
 * - the root lists one path per group/version, with a `hash=` that changes whenever that
 *   document does (kubectl caches the documents by URL);
 * - each group/version document holds the kinds' schemas under components (each kind
 *   marked with x-kubernetes-group-version-kind, which is how `kubectl explain` and
 *   client-side apply find them) and the REST paths, whose POST/PUT/PATCH carry the
 *   `fieldValidation` query parameter (how kubectl learns it may ask for Strict).
 */
import { createHash } from 'node:crypto';
import type { Json } from '../api/object.ts';
import { RESOURCES } from '../api/registry.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { openApiSchemaFor, toOpenApiSchema, type OpenApiSchema } from '../api/schema/index.ts';
import { Scale } from '../api/schema/scale.ts';
import { conversionOf, SERVED_VERSIONS } from '../api/served-versions.ts';

/** Stored versions and those served by conversion, each with its own schema. */
const SERVED: readonly ResourceType[] = [...RESOURCES, ...SERVED_VERSIONS.map((v) => v.type)];

export interface OpenApiDocument {
  /** "api/v1" or "apis/apps/v1": the path under /openapi/v3. */
  path: string;
  body: OpenApiSchema;
  hash: string;
}

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

const queryParameter = (name: string, description: string): OpenApiSchema => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

const WRITE_PARAMETERS: Json[] = [
  queryParameter('dryRun', 'When present, indicates that modifications should not be persisted. The only valid value is All.'),
  queryParameter('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
  queryParameter('fieldValidation', 'How the server treats unknown fields in the body: Ignore, Warn (the default) or Strict.'),
];

const FORCE_PARAMETER = queryParameter('force', 'Server-side apply only: take the fields other managers own instead of failing with a conflict.');

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
/** Server-side apply takes whole objects, not the scale subresource. */
const OBJECT_PATCH_TYPES = [...PATCH_TYPES, 'application/apply-patch+yaml'];

function operation(
  gvk: { group: string; version: string; kind: string },
  action: string,
  ref: Json,
  options: { parameters?: Json[]; requestTypes?: string[]; codes?: string[] } = {},
): OpenApiSchema {
  const content = { 'application/json': { schema: ref } };
  const out: OpenApiSchema = {
    'x-kubernetes-group-version-kind': gvk,
    'x-kubernetes-action': action,
    responses: Object.fromEntries((options.codes ?? ['200']).map((code) => [code, { description: 'OK', content }])),
  };
  if (options.parameters) out.parameters = options.parameters;
  if (options.requestTypes) {
    out.requestBody = { required: true, content: Object.fromEntries(options.requestTypes.map((t) => [t, { schema: ref }])) };
  }
  return out;
}

/** The REST paths of one resource type: its collection, one object, and its scale subresource if it has one. */
function pathsOf(rt: ResourceType, ref: Json, scaleRef: Json): Record<string, OpenApiSchema> {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const base = `/${gvPath(rt.group, rt.version)}${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.plural}`;
  const paths: Record<string, OpenApiSchema> = {
    [base]: {
      get: operation(gvk, 'list', ref),
      post: operation(gvk, 'post', ref, { parameters: WRITE_PARAMETERS, requestTypes: ['application/json'], codes: ['200', '201'] }),
    },
    [`${base}/{name}`]: {
      get: operation(gvk, 'get', ref),
      put: operation(gvk, 'put', ref, { parameters: WRITE_PARAMETERS, requestTypes: ['application/json'] }),
      patch: operation(gvk, 'patch', ref, { parameters: [...WRITE_PARAMETERS, FORCE_PARAMETER], requestTypes: OBJECT_PATCH_TYPES }),
      delete: operation(gvk, 'delete', ref),
    },
  };
  if (rt.subresources.includes('scale')) {
    const scale = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    paths[`${base}/{name}/scale`] = {
      get: operation(scale, 'get', scaleRef),
      put: operation(scale, 'put', scaleRef, { parameters: WRITE_PARAMETERS, requestTypes: ['application/json'] }),
      patch: operation(scale, 'patch', scaleRef, { parameters: WRITE_PARAMETERS, requestTypes: PATCH_TYPES }),
    };
  }
  return paths;
}

function buildDocument(group: string, version: string): OpenApiDocument {
  const schemas: Record<string, OpenApiSchema> = {};
  const paths: Record<string, OpenApiSchema> = {};
  const inVersion = SERVED.filter((r) => r.group === group && r.version === version);
  const scaleRef = inVersion.some((r) => r.subresources.includes('scale')) ? toOpenApiSchema(Scale, schemas) : {};
  for (const rt of inVersion) {
    const served = conversionOf(rt);
    const ref = served ? toOpenApiSchema(served.schema, schemas) : openApiSchemaFor(rt, schemas);
    if (!ref) continue;
    const name = String(ref.$ref).replace('#/components/schemas/', '');
    const gvks = (schemas[name]!['x-kubernetes-group-version-kind'] as Json[] | undefined) ?? [];
    schemas[name]!['x-kubernetes-group-version-kind'] = [...gvks, { group, kind: rt.kind, version }];
    Object.assign(paths, pathsOf(rt, ref, scaleRef));
  }
  if (schemas[Scale.name!]) schemas[Scale.name!]!['x-kubernetes-group-version-kind'] = [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }];
  const body: OpenApiSchema = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths,
    components: { schemas },
  };
  const hash = createHash('sha512').update(JSON.stringify(body)).digest('hex').toUpperCase();
  return { path: gvPath(group, version), body, hash };
}

let cache: Map<string, OpenApiDocument> | undefined;

/** Every group/version's document, by path ("api/v1", "apis/apps/v1"), computed on first use. */
export function openApiDocuments(): ReadonlyMap<string, OpenApiDocument> {
  if (!cache) {
    const versions = new Map<string, { group: string; version: string }>();
    for (const rt of SERVED) versions.set(gvPath(rt.group, rt.version), { group: rt.group, version: rt.version });
    cache = new Map([...versions.values()].map(({ group, version }) => {
      const doc = buildDocument(group, version);
      return [doc.path, doc];
    }));
  }
  return cache;
}

let root: OpenApiSchema | undefined;

/** GET /openapi/v3: where each group/version's document is, with its hash. */
export function openApiRoot(): OpenApiSchema {
  if (!root) {
    const paths: Record<string, Json> = {};
    for (const doc of openApiDocuments().values()) paths[doc.path] = { serverRelativeURL: `/openapi/v3/${doc.path}?hash=${doc.hash}` };
    root = { paths };
  }
  return root;
}

/** The document a /openapi/v3/... path names (the root for /openapi/v3 itself), or undefined (a 404). */
export function openApiDocumentAt(pathname: string): OpenApiSchema | undefined {
  const match = /^\/openapi\/v3(?:\/(.*?))?\/?$/.exec(pathname);
  if (!match) return undefined;
  return match[1] ? openApiDocuments().get(match[1])?.body : openApiRoot();
}
