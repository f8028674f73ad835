/**
 * An HTTP request on a resource path -> the pipeline's ApiRequest, pure: the verb from the
 * method (and `watch`), the resource from the registry, the options from the query string
 * and, for DELETE, from the DeleteOptions body (the query wins where both speak). Bad
 * parameters are 400s, unknown resources 404s, a method a path does not take 405.
 */
import { badRequest, methodNotAllowed, StatusError } from '../api/errors.ts';
import { isPlainObject } from '../api/object.ts';
import { resourceFor } from '../api/registry.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { servedVersionFor } from '../api/served-versions.ts';
import type { ApiRequest, FieldValidation, PatchType, PropagationPolicy, RequestOptions, Verb } from '../apiserver/request.ts';
import type { ResourcePath } from './route.ts';

export interface HttpCall {
  method: string;
  route: ResourcePath;
  query: URLSearchParams;
  /** The decoded body: the object (POST, PUT), the patch (PATCH), DeleteOptions (DELETE). */
  body?: unknown;
  patchType?: PatchType;
  /** The User-Agent header: its product names the field manager of writes that name none. */
  userAgent?: string;
}

export const notServed = (what: string) =>
  new StatusError(404, 'NotFound', `the server could not find the requested resource${what ? ` (${what})` : ''}`, {});

/**
 * Subresources the pipeline serves. scale is served by the HTTP face over get and patch
 * (scale.ts), log by pod-log.ts; exec, attach and portforward need the kubelet's stream.
 */
const SERVED_SUBRESOURCES = new Set(['status', 'finalize', 'binding', 'eviction', 'token']);
/** Subresources that take a POST on a named object: they create a Binding or an Eviction. */
const POSTED_SUBRESOURCES = new Set(['binding', 'eviction', 'token']);

export function resourceOf(route: ResourcePath): ResourceType {
  const rt = resourceFor(route.group, route.version, route.plural) ?? servedVersionFor(route.group, route.version, route.plural)?.type;
  if (!rt) throw notServed('');
  if (route.namespace !== undefined && !rt.namespaced) throw notServed('');
  return rt;
}

export function toApiRequest(call: HttpCall): ApiRequest {
  const { route, query } = call;
  const rt = resourceOf(route);
  if (route.subresource !== undefined && !(rt.subresources.includes(route.subresource) && SERVED_SUBRESOURCES.has(route.subresource))) {
    throw notServed(`${rt.plural}/${route.subresource}`);
  }
  const verb = verbOf(call);
  const request: ApiRequest = { verb, resource: rt.key };
  if (route.namespace !== undefined) request.namespace = route.namespace;
  if (route.name !== undefined) request.name = route.name;
  if (route.subresource === 'status' || route.subresource === 'finalize' || route.subresource === 'binding' || route.subresource === 'eviction' || route.subresource === 'token') {
    request.subresource = route.subresource;
  }
  if (verb === 'create' || verb === 'update' || verb === 'patch') request.body = call.body;
  if (verb === 'patch') request.patchType = call.patchType ?? 'merge';
  const options = optionsFrom(query, verb === 'delete' || verb === 'deletecollection' ? call.body : undefined);
  if (verb === 'create' || verb === 'update' || verb === 'patch') {
    const manager = fieldManager(query.get('fieldManager'), request.patchType === 'apply' ? undefined : call.userAgent);
    if (manager) options.fieldManager = manager;
    if (query.has('force')) options.force = forceFlag(query.get('force'));
  }
  if (verb === 'watch' && request.name !== undefined) {
    // Watching one object is watching its collection through metadata.name, as Kubernetes does.
    const byName = `metadata.name=${request.name}`;
    options.fieldSelector = options.fieldSelector ? `${options.fieldSelector},${byName}` : byName;
    delete request.name;
  }
  if (Object.keys(options).length > 0) request.options = options;
  return request;
}

function verbOf({ method, route, query }: HttpCall): Verb {
  const named = route.name !== undefined;
  const watching = route.watchPrefix || isTrue(query.get('watch'));
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watching) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      if (!named || (route.subresource !== undefined && POSTED_SUBRESOURCES.has(route.subresource))) return 'create';
      break;
    case 'PUT':
      if (named) return 'update';
      break;
    case 'PATCH':
      if (named) return 'patch';
      break;
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
  }
  throw methodNotAllowed(`the server does not allow this method on the requested resource`);
}

function optionsFrom(query: URLSearchParams, deleteBody: unknown): RequestOptions {
  const options: RequestOptions = {};
  const text = (name: string) => query.get(name) ?? undefined;
  const set = <K extends keyof RequestOptions>(key: K, value: RequestOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('labelSelector', text('labelSelector') || undefined);
  set('fieldSelector', text('fieldSelector') || undefined);
  set('limit', integer(query, 'limit'));
  set('continue', text('continue') || undefined);
  set('resourceVersion', text('resourceVersion'));
  set('timeoutSeconds', integer(query, 'timeoutSeconds'));
  if (query.has('allowWatchBookmarks')) set('allowWatchBookmarks', isTrue(query.get('allowWatchBookmarks')));
  set('fieldValidation', fieldValidation(text('fieldValidation')));

  const body = deleteOptions(deleteBody);
  const dryRun = query.getAll('dryRun');
  if (dryRun.length > 0 || body.dryRun) set('dryRun', parseDryRun(dryRun.length > 0 ? dryRun : body.dryRun!));
  set('gracePeriodSeconds', integer(query, 'gracePeriodSeconds') ?? body.gracePeriodSeconds);
  set('propagationPolicy', propagationPolicy(text('propagationPolicy')) ?? body.propagationPolicy);
  if (body.preconditions) set('preconditions', body.preconditions);
  return options;
}

interface DeleteOptions {
  dryRun?: string[];
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** The DeleteOptions body kubectl sends: {"propagationPolicy":"Background"} and friends. */
export function deleteOptions(body: unknown): DeleteOptions {
  if (body === undefined || body === null) return {};
  if (!isPlainObject(body)) throw badRequest('the body of a DELETE request must be a DeleteOptions object');
  const out: DeleteOptions = {};
  if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw badRequest(`expected a DeleteOptions body, got ${String(body.kind)}`);
  if (body.dryRun !== undefined) {
    if (!Array.isArray(body.dryRun) || body.dryRun.some((v) => typeof v !== 'string')) throw badRequest('dryRun must be a list of strings');
    out.dryRun = body.dryRun as string[];
  }
  if (body.gracePeriodSeconds !== undefined && body.gracePeriodSeconds !== null) {
    if (!Number.isSafeInteger(body.gracePeriodSeconds)) throw badRequest('gracePeriodSeconds must be an integer');
    out.gracePeriodSeconds = body.gracePeriodSeconds as number;
  }
  if (body.propagationPolicy !== undefined && body.propagationPolicy !== null) {
    out.propagationPolicy = propagationPolicy(String(body.propagationPolicy));
  } else if (body.orphanDependents === true) out.propagationPolicy = 'Orphan';
  if (body.preconditions !== undefined && body.preconditions !== null) {
    if (!isPlainObject(body.preconditions)) throw badRequest('preconditions must be an object');
    const { uid, resourceVersion } = body.preconditions;
    out.preconditions = {
      ...(typeof uid === 'string' ? { uid } : {}),
      ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
    };
  }
  return out;
}

function parseDryRun(values: string[]): boolean | undefined {
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: "${v}" (supported values: "All")`);
  return values.length > 0 ? true : undefined;
}

function integer(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw badRequest(`${name}: invalid value "${text}": must be an integer`);
  return Number(text);
}

/** Kubernetes' limit on a manager's name. */
const MAX_FIELD_MANAGER_LENGTH = 128;

/** The query's fieldManager, else the user agent's product ("kubectl/v1.32.4 (linux/amd64) ..." -> "kubectl"). */
function fieldManager(given: string | null, userAgent: string | undefined): string | undefined {
  if (given !== null && given !== '') {
    if (given.length > MAX_FIELD_MANAGER_LENGTH) throw badRequest(`fieldManager: Too long: may not be more than ${MAX_FIELD_MANAGER_LENGTH} bytes`);
    return given;
  }
  const product = userAgent?.split('/')[0]?.trim();
  return product ? product.slice(0, MAX_FIELD_MANAGER_LENGTH) : undefined;
}

function forceFlag(text: string | null): boolean {
  if (text === null || text === '' || text === 'false' || text === '0') return false;
  if (isTrue(text)) return true;
  throw badRequest(`force: invalid value "${text}": must be true or false`);
}

const isTrue = (text: string | null) => text === 'true' || text === '1';

function fieldValidation(text: string | undefined): FieldValidation | undefined {
  if (text === undefined || text === '') return undefined;
  if (text === 'Strict' || text === 'Warn' || text === 'Ignore') return text;
  throw badRequest(`fieldValidation: invalid value "${text}": must be Ignore, Warn or Strict`);
}

function propagationPolicy(text: string | undefined): PropagationPolicy | undefined {
  if (text === undefined || text === '') return undefined;
  if (text === 'Orphan' || text === 'Background' || text === 'Foreground') return text;
  throw badRequest(`propagationPolicy: Unsupported value: "${text}": supported values: "Foreground", "Background", "Orphan"`);
}
