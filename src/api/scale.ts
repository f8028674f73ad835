/**
 * The scale subresource's view of a workload, pure: an autoscaling/v1 Scale made from a
 * Deployment, ReplicaSet, StatefulSet or ReplicationController (spec.replicas, observed
 * status.replicas, the selector as a string), and the replica count a written Scale asks
 * for, checked as Kubernetes checks it.
 */
import { badRequest, invalid } from './errors.ts';
import { isPlainObject, type KubeObject } from './object.ts';
import type { ResourceType } from './resource-type.ts';
import { formatLabelSelector, selectorFromLabelSelector, selectorFromSet, type LabelSelector } from './selectors.ts';

export interface Scale {
  apiVersion: 'autoscaling/v1';
  kind: 'Scale';
  metadata: KubeObject['metadata'];
  spec: { replicas: number };
  status: { replicas: number; selector?: string };
}

const METADATA_KEPT = ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'] as const;

export function scaleOf(rt: Pick<ResourceType, 'kind'>, object: KubeObject): Scale {
  const spec = isPlainObject(object.spec) ? object.spec : {};
  const status = isPlainObject(object.status) ? object.status : {};
  const metadata: KubeObject['metadata'] = {};
  for (const key of METADATA_KEPT) if (object.metadata[key] !== undefined) (metadata as Record<string, unknown>)[key] = object.metadata[key];
  // A ReplicationController's selector is a plain label map; the apps kinds' is a LabelSelector.
  const selector =
    rt.kind === 'ReplicationController'
      ? formatLabelSelector(selectorFromSet(spec.selector as Record<string, string> | undefined))
      : formatLabelSelector(selectorFromLabelSelector(spec.selector as LabelSelector | undefined));
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata,
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, ...(selector ? { selector } : {}) },
  };
}

/** The replicas a written Scale asks for: a 400 for a body that is no Scale, a 422 for a bad count. */
export function requestedReplicas(name: string, body: unknown): number {
  if (!isPlainObject(body)) throw badRequest('the body of a scale request must be a Scale object');
  if (body.kind !== undefined && body.kind !== 'Scale') throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (Scale)`);
  const spec = isPlainObject(body.spec) ? body.spec : {};
  const replicas = spec.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isSafeInteger(replicas) || replicas > 2 ** 31 - 1) {
    throw invalid('Scale', 'autoscaling', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be an int32` }]);
  }
  if (replicas < 0) {
    throw invalid('Scale', 'autoscaling', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` }]);
  }
  return replicas;
}
