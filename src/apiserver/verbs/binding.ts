/**
 * pods/binding (create): the scheduler's write. Binding a pod sets spec.nodeName, which no
 * update may do, and the PodScheduled=True condition, in one compare-and-set, as
 * Kubernetes' BindingREST.assignPod: 409 when the pod is already bound or being deleted,
 * or when the Binding names a uid that is not the pod's. Answers a Status Success (201).
 */
import { badRequest, conflict, invalid, StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { withPodCondition } from '../../api/pod-conditions.ts';
import { timestamp, type ApiDeps } from '../deps.ts';
import { guaranteedUpdate } from '../guaranteed-update.ts';
import type { ApiReply, ApiRequest } from '../request.ts';
import { objectKey, resolveResource } from '../resolve.ts';
import { successStatus, subresourceBody } from './subresource-body.ts';

interface Binding {
  metadata: { name?: string; uid?: string; annotations?: Record<string, string> };
  target?: { kind?: string; name?: string };
}

export async function bind(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const key = objectKey(rt, request);
  const binding = subresourceBody<Binding>(request, 'Binding');
  const nodeName = checkTarget(binding, key.name);
  await guaranteedUpdate(deps, rt, key, {
    dryRun: request.options?.dryRun,
    requestId: request.requestId,
    next: (pod) => assignPod(pod, binding, nodeName, timestamp(deps.now())),
  });
  return { ok: true, body: successStatus(201), code: 201 };
}

function checkTarget(binding: Binding, podName: string): string {
  if (binding.metadata.name && binding.metadata.name !== podName) {
    throw badRequest(`the name of the Binding (${binding.metadata.name}) does not match the pod's name (${podName})`);
  }
  const kind = binding.target?.kind ?? '';
  const name = binding.target?.name ?? '';
  const errors = [];
  if (kind !== '' && kind !== 'Node') errors.push({ type: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: "${kind}": supported values: "Node"` });
  if (!name) errors.push({ type: 'FieldValueRequired', field: 'target.name', message: 'Required value' });
  if (errors.length > 0) throw invalid('Binding', '', podName, errors);
  return name;
}

/** The pure step: the pod bound to nodeName (BindingREST.setPodHostAndAnnotations). */
export function assignPod(pod: KubeObject, binding: Binding, nodeName: string, now: string): KubeObject {
  const name = pod.metadata.name ?? '';
  if (binding.metadata.uid && binding.metadata.uid !== pod.metadata.uid) {
    throw conflict('pods', '', name, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${pod.metadata.uid}`);
  }
  if (pod.metadata.deletionTimestamp) {
    throw conflict('pods', '', name, `pod ${name} is being deleted, cannot be assigned to a host`);
  }
  const spec = (pod.spec ?? {}) as { nodeName?: string };
  if (spec.nodeName) {
    throw new StatusError(409, 'Conflict', `pod ${name} is already assigned to node "${spec.nodeName}"`, { name, kind: 'pods' });
  }
  const annotations = { ...pod.metadata.annotations, ...binding.metadata.annotations };
  const bound: KubeObject = {
    ...pod,
    metadata: { ...pod.metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: { ...spec, nodeName },
  };
  return withPodCondition(bound, { type: 'PodScheduled', status: 'True' }, now);
}
