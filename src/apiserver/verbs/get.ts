/**
 * get: one object from the store. resourceVersion "" reads consistently (waits for the
 * store to hold the log's newest revision), "0" or N reads what the store has, not older
 * than N.
 */
import { notFound } from '../../api/errors.ts';
import { parseResourceVersion } from '../../api/resource-version.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiReply, ApiRequest } from '../request.ts';
import { objectKey, resolveResource } from '../resolve.ts';

export async function get(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const key = objectKey(rt, request);
  const version = request.options?.resourceVersion;
  if (version === undefined || version === '') await deps.reads.consistent();
  else if (version !== '0') {
    await deps.reads.atLeast(parseResourceVersion(version));
  }
  const object = deps.store.get(key.resource, key.namespace, key.name);
  if (!object) throw notFound(rt.plural, rt.group, key.name);
  return { ok: true, body: object };
}
