/**
 * The bodies posted to a pod's binding and eviction subresources: small objects of their
 * own kind, read without the registry (they are not stored), and the Status a
 * successful post answers with.
 */
import { badRequest } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ApiRequest } from '../request.ts';

export function subresourceBody<T extends { metadata: object }>(request: ApiRequest, kind: string): T {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`the body of ${request.subresource} must be a ${kind} object`);
  const given = (body as { kind?: unknown }).kind;
  if (given !== undefined && given !== '' && given !== kind) throw badRequest(`expected a ${kind}, got ${String(given)}`);
  const metadata = (body as { metadata?: unknown }).metadata;
  return { ...(body as object), metadata: typeof metadata === 'object' && metadata !== null ? metadata : {} } as T;
}

export function successStatus(code: 200 | 201): KubeObject {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', code } as KubeObject;
}
