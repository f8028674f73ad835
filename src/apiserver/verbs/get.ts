/**
 * get: one object. resourceVersion "" reads consistently: the object's newest version comes
 * from the log itself (a direct get of its subject's last message), as kube-apiserver reads
 * etcd for such a get, so it never waits for this server's store to catch up (seconds on a
 * saturated machine). "0" or N reads what the store has, not older than N.
 */
import { notFound } from '../../api/errors.ts';
import { parseResourceVersion } from '../../api/resource-version.ts';
import { evolveObject } from '../../store/evolve.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiReply, ApiRequest } from '../request.ts';
import { objectKey, resolveResource } from '../resolve.ts';

export async function get(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const key = objectKey(rt, request);
  const version = request.options?.resourceVersion;
  if (version === undefined || version === '') {
    const entry = await deps.log.lastEntry(key);
    const newest = entry && evolveObject(undefined, entry);
    if (!newest) throw notFound(rt.plural, rt.group, key.name);
    return { ok: true, body: newest };
  }
  if (version !== '0') {
    await deps.reads.atLeast(parseResourceVersion(version));
  }
  const object = deps.store.get(key.resource, key.namespace, key.name);
  if (!object) throw notFound(rt.plural, rt.group, key.name);
  return { ok: true, body: object };
}
