/**
 * Turns a request body into the object a write works on: the checks that Kubernetes'
 * decoder and REST handler make before any strategy runs. apiVersion and kind default to
 * the URL's; a body of another kind, or for another namespace or name, is a 400; fields
 * the schema does not know are dropped, reported, or refused as fieldValidation says.
 */
import { badRequest, type StatusError } from '../api/errors.ts';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { findUnknownFields, pruneUnknownFields } from '../api/schema/index.ts';
import type { ApiRequest } from './request.ts';

export interface Incoming {
  object: KubeObject;
  warnings: string[];
}

export function readIncomingObject(rt: ResourceType, request: ApiRequest): Incoming {
  const body = request.body;
  if (!isPlainObject(body)) throw badRequest(`the body of a ${request.verb} request must be a ${rt.kind} object`);
  const apiVersion = body.apiVersion ?? rt.apiVersion;
  const kind = body.kind ?? rt.kind;
  if (apiVersion !== rt.apiVersion) {
    throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${rt.apiVersion})`);
  }
  if (kind !== rt.kind) throw badRequest(`the kind in the data (${String(kind)}) does not match the expected kind (${rt.kind})`);
  const metadata = body.metadata ?? {};
  if (!isPlainObject(metadata)) throw badRequest('metadata must be an object');
  const object = { ...body, apiVersion, kind, metadata: { ...metadata } } as KubeObject;
  checkNamespace(rt, request, object);
  checkName(request, object);
  return applyFieldValidation(rt, request, object);
}

function checkNamespace(rt: ResourceType, request: ApiRequest, object: KubeObject): void {
  if (!rt.namespaced) {
    delete object.metadata.namespace;
    return;
  }
  const wanted = request.namespace ?? '';
  const given = object.metadata.namespace;
  if (given !== undefined && given !== '' && given !== wanted) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  object.metadata.namespace = wanted;
}

function checkName(request: ApiRequest, object: KubeObject): void {
  if (request.verb === 'create' || request.name === undefined) return;
  const given = object.metadata.name;
  if (given !== undefined && given !== request.name) {
    throw badRequest(`the name of the object (${String(given)}) does not match the name on the URL (${request.name})`);
  }
  object.metadata.name = request.name;
}

function applyFieldValidation(rt: ResourceType, request: ApiRequest, object: KubeObject): Incoming {
  const mode = request.options?.fieldValidation ?? 'Warn';
  const unknown = findUnknownFields(rt, object);
  if (unknown.length === 0) return { object, warnings: [] };
  if (mode === 'Strict') {
    const list = unknown.map((path) => `unknown field "${path}"`);
    const error: StatusError = badRequest(
      list.length === 1 ? `strict decoding error: ${list[0]}` : `strict decoding error: ${list.join(', ')}`,
    );
    throw error;
  }
  const pruned = pruneUnknownFields(rt, object);
  return { object: pruned, warnings: mode === 'Warn' ? unknown.map((path) => `unknown field "${path}"`) : [] };
}
