/**
 * The first step of every verb: which resource the request names, whether the verb and
 * scope fit it, and the object key it addresses.
 */
import { badRequest, methodNotAllowed, StatusError } from '../api/errors.ts';
import type { ObjectKey } from '../api/object.ts';
import { resourceByKey } from '../api/registry.ts';
import type { ResourceType } from '../api/resource-type.ts';
import type { ApiRequest } from './request.ts';

export function resolveResource(request: ApiRequest): ResourceType {
  const rt = resourceByKey(request.resource);
  if (!rt) {
    throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${request.resource})`, {
      kind: request.resource,
    });
  }
  if (!rt.verbs.includes(request.verb)) {
    throw methodNotAllowed(`${request.verb} is not supported on ${rt.key}`);
  }
  if (request.subresource && !rt.subresources.includes(request.subresource)) {
    throw new StatusError(404, 'NotFound', `${rt.key} has no subresource ${request.subresource}`);
  }
  if (request.subresource && !subresourceAllows(request.subresource, request.verb)) {
    throw methodNotAllowed(`${request.verb} is not supported on ${rt.key}/${request.subresource}`);
  }
  if (rt.namespaced && needsName(request) && !request.namespace) {
    throw badRequest(`a namespace is required to ${request.verb} ${rt.key}`);
  }
  return rt;
}

/** binding and eviction are posted (create); finalize is only put; status is read and written. */
function subresourceAllows(subresource: string, verb: ApiRequest['verb']): boolean {
  switch (subresource) {
    case 'binding':
    case 'eviction':
      return verb === 'create';
    case 'finalize':
      return verb === 'update';
    case 'status':
      return verb === 'get' || verb === 'update' || verb === 'patch';
    default:
      return false;
  }
}

function needsName(request: ApiRequest): boolean {
  return request.verb === 'get' || request.verb === 'update' || request.verb === 'patch' || request.verb === 'delete' || request.verb === 'create';
}

/** The key of the one object a request addresses; the name is required. */
export function objectKey(rt: ResourceType, request: ApiRequest, name = request.name): ObjectKey {
  if (!name) throw badRequest(`resource name may not be empty`);
  return { resource: rt.key, namespace: rt.namespaced ? (request.namespace ?? '') : '', name };
}

/** The object as a reader sees it: resourceVersion is the sequence of the log message that wrote it. */
export function withResourceVersion<T extends { metadata: object }>(object: T, seq: number): T {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(seq) } };
}
