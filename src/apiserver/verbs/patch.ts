/**
 * patch: apply a JSON merge patch (RFC 7386), a JSON patch (RFC 6902) or a strategic merge
 * patch (driven by the kind's schema) to the current object, then update as PUT does. The
 * patch is re-applied to the fresh object after a lost race, so concurrent patches of
 * different fields both land; a resourceVersion in a merge or strategic patch pins it and
 * makes a race a 409. Every patch records its field manager (field-manager.ts); an apply
 * patch is server-side apply (apply.ts).
 */
import { badRequest } from '../../api/errors.ts';
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import { applyJsonPatch, applyMergePatch } from '../../api/patch.ts';
import { schemaFor, type Schema } from '../../api/schema/index.ts';
import { applyStrategicMergePatch } from '../../api/strategic-merge-patch.ts';
import { timestamp, type ApiDeps } from '../deps.ts';
import { recordWrite } from '../field-manager.ts';
import { apply } from './apply.ts';
import { guaranteedUpdateWithAllocations } from '../service-allocation.ts';
import { readIncomingObject } from '../incoming.ts';
import type { ApiReply, ApiRequest, PatchType } from '../request.ts';
import { objectKey, resolveResource } from '../resolve.ts';
import { nextVersion, updateSubresource } from './update.ts';

export async function patch(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  if (request.patchType === 'apply') return apply(deps, request);
  if (request.options?.force) throw badRequest('force may only be set for apply patches');
  const rt = resolveResource(request);
  const key = objectKey(rt, request);
  const patchType = request.patchType ?? 'merge';
  const pinned = pinnedResourceVersion(request.body, patchType);
  let warnings: string[] = [];
  const admissionWarnings: string[] = [];
  const result = await guaranteedUpdateWithAllocations(deps, rt, key, {
    expectedResourceVersion: pinned,
    next: async (current) => {
      const patched = applyPatch(patchType, current, request.body, schemaFor(rt));
      const incoming = readIncomingObject(rt, { ...request, body: patched });
      warnings = incoming.warnings;
      admissionWarnings.length = 0;
      const next = await nextVersion(deps, rt, request, current, withoutVersion(incoming.object), updateSubresource(request.subresource), (message) => admissionWarnings.push(message));
      return recordWrite(rt, current, next, request, timestamp(deps.now()));
    },
    dryRun: request.options?.dryRun,
    requestId: request.requestId,
  });
  return { ok: true, body: result.object, warnings: [...warnings, ...admissionWarnings] };
}

function applyPatch(patchType: PatchType, current: KubeObject, body: unknown, schema: Schema | undefined) {
  switch (patchType) {
    case 'json':
      return applyJsonPatch(current, body);
    case 'merge':
      return applyMergePatch(current, body);
    case 'strategic':
      return applyStrategicMergePatch(current, body, schema);
    case 'apply':
      throw badRequest('server-side apply is not a patch of the current object');
  }
}

/** A merge patch that names metadata.resourceVersion is a precondition, as in Kubernetes. */
function pinnedResourceVersion(body: unknown, patchType: PatchType): string | undefined {
  if (patchType === 'json') return undefined;
  if (!isPlainObject(body)) throw badRequest(`a ${patchType === 'merge' ? 'merge' : 'strategic merge'} patch must be a JSON object`);
  const metadata = body.metadata;
  if (isPlainObject(metadata) && metadata.resourceVersion !== undefined && metadata.resourceVersion !== null) {
    return String(metadata.resourceVersion);
  }
  return undefined;
}

function withoutVersion(object: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return { ...object, metadata };
}
