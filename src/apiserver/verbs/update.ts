/**
 * update (PUT): replace the whole object. A resourceVersion in the body makes it a
 * compare-and-set (409 when stale); without one the update applies to whatever is
 * current, as Kubernetes allows for its built-in kinds.
 */
import { invalid } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { applyDefaults } from '../../api/defaults.ts';
import { prepareUpdate } from '../../api/metadata.ts';
import type { ResourceType } from '../../api/resource-type.ts';
import { validateObject } from '../../api/validation.ts';
import { timestamp, type ApiDeps } from '../deps.ts';
import { recordWrite } from '../field-manager.ts';
import { guaranteedUpdateWithAllocations } from '../service-allocation.ts';
import { carryAllocatedValues } from '../../net/service-allocation-rules.ts';
import { readIncomingObject } from '../incoming.ts';
import type { ApiReply, ApiRequest, Subresource, UpdateSubresource } from '../request.ts';
import { objectKey, resolveResource } from '../resolve.ts';

export async function update(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const { object: incoming, warnings } = readIncomingObject(rt, request);
  const key = objectKey(rt, request);
  const expected = incoming.metadata.resourceVersion;
  const result = await guaranteedUpdateWithAllocations(deps, rt, key, {
    expectedResourceVersion: expected ? String(expected) : undefined,
    next: (current) => recordWrite(rt, current, nextVersion(rt, current, incoming, updateSubresource(request.subresource)), request, timestamp(deps.now())),
    dryRun: request.options?.dryRun,
    requestId: request.requestId,
  });
  return { ok: true, body: result.object, warnings };
}

/** The pure step shared by update and patch: prepare, default, validate against the old object. */
export function nextVersion(rt: ResourceType, current: KubeObject, incoming: KubeObject, subresource?: UpdateSubresource): KubeObject {
  const prepared = prepareUpdate(rt, current, incoming, subresource ? { subresource } : {});
  const defaulted = applyDefaults(rt, prepared);
  // A Service keeps its allocated values unless changed, and drops those its new type does not use.
  const next = rt.key === 'services' ? carryAllocatedValues(current, defaulted) : defaulted;
  const errors = validateObject(rt, next, current);
  if (errors.length > 0) throw invalid(rt.kind, rt.group, current.metadata.name ?? '', errors);
  return next;
}

/** The subresource an update or patch writes; resolveResource refuses binding, eviction and token there. */
export function updateSubresource(subresource: Subresource | undefined): UpdateSubresource | undefined {
  return subresource === 'binding' || subresource === 'eviction' || subresource === 'token' ? undefined : subresource;
}
