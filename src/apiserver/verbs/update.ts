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
import type { AdmissionAttributes } from '../../admission/plugin.ts';
import { objectKey, resolveResource } from '../resolve.ts';

export async function update(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const { object: incoming, warnings } = readIncomingObject(rt, request);
  const key = objectKey(rt, request);
  const expected = incoming.metadata.resourceVersion;
  const admissionWarnings: string[] = [];
  const result = await guaranteedUpdateWithAllocations(deps, rt, key, {
    expectedResourceVersion: expected ? String(expected) : undefined,
    next: async (current) => {
      admissionWarnings.length = 0;
      const next = await nextVersion(deps, rt, request, current, incoming, updateSubresource(request.subresource), (message) => admissionWarnings.push(message));
      return recordWrite(rt, current, next, request, timestamp(deps.now()));
    },
    dryRun: request.options?.dryRun,
    requestId: request.requestId,
  });
  return { ok: true, body: result.object, warnings: [...warnings, ...admissionWarnings] };
}

/**
 * The step shared by update, patch and apply: prepare and default the new version, run
 * the mutating admission plugins, validate it against the old object, then the
 * validating plugins. Synchronous unless a plugin needs to wait.
 */
export function nextVersion(
  deps: ApiDeps,
  rt: ResourceType,
  request: ApiRequest,
  current: KubeObject,
  incoming: KubeObject,
  subresource?: UpdateSubresource,
  warn?: (message: string) => void,
): KubeObject | Promise<KubeObject> {
  const candidate = candidateVersion(rt, current, incoming, subresource);
  const attributes: AdmissionAttributes = {
    operation: 'UPDATE',
    resource: rt,
    subresource,
    namespace: current.metadata.namespace ?? '',
    name: current.metadata.name ?? '',
    object: candidate,
    oldObject: current,
    user: request.user,
    dryRun: request.options?.dryRun === true,
    ...(warn ? { warn } : {}),
  };
  const validated = (next: KubeObject): KubeObject | Promise<KubeObject> => {
    const errors = validateObject(rt, next, current);
    if (errors.length > 0) throw invalid(rt.kind, rt.group, current.metadata.name ?? '', errors);
    const admitted = deps.admission.validate({ ...attributes, object: next }, deps);
    return admitted instanceof Promise ? admitted.then(() => next) : next;
  };
  const mutated = deps.admission.admit(attributes, deps);
  return mutated instanceof Promise ? mutated.then(validated) : validated(mutated);
}

/** The pure start of every update: the incoming version prepared against the stored one, and defaulted. */
export function candidateVersion(rt: ResourceType, current: KubeObject, incoming: KubeObject, subresource?: UpdateSubresource): KubeObject {
  const prepared = prepareUpdate(rt, current, incoming, subresource ? { subresource } : {});
  const defaulted = applyDefaults(rt, prepared);
  // A Service keeps its allocated values unless changed, and drops those its new type does not use.
  return rt.key === 'services' ? carryAllocatedValues(current, defaulted) : defaulted;
}

/** The subresource an update or patch writes; resolveResource refuses binding, eviction and token there. */
export function updateSubresource(subresource: Subresource | undefined): UpdateSubresource | undefined {
  return subresource === 'binding' || subresource === 'eviction' || subresource === 'token' ? undefined : subresource;
}
