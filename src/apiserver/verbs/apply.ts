/**
 * Server-side apply (PATCH with application/apply-patch+yaml): the body is the manager's
 * whole intent for the object. Absent, the object is created from it (201, the manager
 * owning what it applied); present, the configuration merges into it by the rules of
 * api/server-side-apply.ts (409 on conflicts unless force), then updates as PUT does,
 * compare-and-set and re-merged after a lost race. An apply that changes neither the
 * object nor who owns what writes nothing.
 */
import { badRequest, StatusError } from '../../api/errors.ts';
import { deepEqual, withoutNulls } from '../../api/json.ts';
import { managersOf, sameOwnership, withManagers } from '../../api/managed-fields.ts';
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import { schemaFor } from '../../api/schema/index.ts';
import { serverSideApply } from '../../api/server-side-apply.ts';
import { timestamp, type ApiDeps } from '../deps.ts';
import { guaranteedUpdateWithAllocations } from '../service-allocation.ts';
import { readIncomingObject } from '../incoming.ts';
import type { ApiReply, ApiRequest } from '../request.ts';
import { objectKey, resolveResource } from '../resolve.ts';
import { create } from './create.ts';
import { nextVersion } from './update.ts';

export async function apply(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const manager = request.options?.fieldManager;
  if (!manager) throw badRequest('PATCH /apply: fieldManager is required for apply requests');
  if (!isPlainObject(request.body)) throw badRequest('an apply patch must be a JSON or YAML object');
  const incoming = readIncomingObject(rt, request);
  const config = withoutNulls(incoming.object);
  const { resourceVersion, managedFields: _ignored, ...metadata } = config.metadata;
  const applied: KubeObject = { ...config, metadata };
  const pinned = resourceVersion === undefined ? undefined : String(resourceVersion);
  const key = objectKey(rt, request);

  await deps.reads.consistent();
  if (!deps.store.get(key.resource, key.namespace, key.name)) {
    try {
      const created = await create(deps, { ...request, verb: 'create', body: applied });
      // create read the pruned object: the unknown-field warnings are the incoming ones; its own are admission's.
      return created.ok ? { ...created, warnings: [...incoming.warnings, ...(created.warnings ?? [])] } : created;
    } catch (error) {
      // Someone created it meanwhile: apply to theirs.
      if (!(error instanceof StatusError && error.reason === 'AlreadyExists')) throw error;
    }
  }

  const schema = schemaFor(rt);
  const admissionWarnings: string[] = [];
  const result = await guaranteedUpdateWithAllocations(deps, rt, key, {
    expectedResourceVersion: pinned,
    next: async (current) => {
      const now = timestamp(deps.now());
      const options = { manager, force: request.options?.force === true, now, apiVersion: rt.apiVersion };
      const merged = serverSideApply(current, applied, schema, options);
      const { resourceVersion: _rv, ...mergedMeta } = merged.object.metadata;
      admissionWarnings.length = 0;
      const next = await nextVersion(deps, rt, request, current, { ...merged.object, metadata: mergedMeta }, undefined, (message) => admissionWarnings.push(message));
      if (deepEqual(withoutManagedFields(next), withoutManagedFields(current)) && sameOwnership(merged.managers, managersOf(current))) return current;
      return withManagers(next, merged.managers);
    },
    dryRun: request.options?.dryRun,
    requestId: request.requestId,
  });
  return { ok: true, body: result.object, warnings: [...incoming.warnings, ...admissionWarnings] };
}

function withoutManagedFields(object: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = object.metadata;
  return { ...object, metadata };
}
