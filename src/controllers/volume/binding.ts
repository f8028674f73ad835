/**
 * The edits that bind, unbind and move a volume or a claim between phases, pure: each
 * answers the object to write (the input with the change, still carrying the
 * resourceVersion it was read at, so the write is pinned) or undefined when nothing
 * needs writing. Kubernetes' bindVolumeToClaim, bindClaimToVolume, updateClaimStatus,
 * updateVolumePhase and unbindVolume.
 */
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import { deepEqual } from '../../api/json.ts';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER } from './annotations.ts';
import { claimSpec, phaseOf, volumeSpec, type ClaimRef } from './match.ts';

const statusOf = (o: KubeObject): Record<string, unknown> => (isPlainObject(o.status) ? o.status : {});
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function claimRefTo(claim: KubeObject): ClaimRef {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    apiVersion: 'v1',
    resourceVersion: claim.metadata.resourceVersion,
  };
}

/** The volume with its claimRef on this claim; bound-by-controller when the binder chose it (no claimRef before). */
export function volumeBoundToClaim(pv: KubeObject, claim: KubeObject): KubeObject | undefined {
  const spec = volumeSpec(pv);
  const ref = spec.claimRef;
  const sameClaim = ref && ref.name === claim.metadata.name && ref.namespace === claim.metadata.namespace && ref.uid === claim.metadata.uid;
  if (sameClaim) return undefined;
  const annotations = { ...pv.metadata.annotations };
  if (!ref) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
  return { ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...spec, claimRef: claimRefTo(claim) } };
}

/** The claim with spec.volumeName on this volume and the binder's annotations. */
export function claimBoundToVolume(claim: KubeObject, pv: KubeObject): KubeObject | undefined {
  const spec = claimSpec(claim);
  const annotations = { ...claim.metadata.annotations };
  let changed = false;
  if (spec.volumeName !== pv.metadata.name) {
    annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
    changed = true;
  }
  if (annotations[ANN_BIND_COMPLETED] === undefined) {
    annotations[ANN_BIND_COMPLETED] = 'yes';
    changed = true;
  }
  if (!changed) return undefined;
  return { ...claim, metadata: { ...claim.metadata, annotations }, spec: { ...spec, volumeName: pv.metadata.name } };
}

/** A bound claim's status: phase Bound, with the volume's access modes and capacity. */
export function claimStatusBound(claim: KubeObject, pv: KubeObject): KubeObject | undefined {
  const status = statusOf(claim);
  const spec = volumeSpec(pv);
  const next = { ...status, phase: 'Bound', accessModes: spec.accessModes ?? [], capacity: spec.capacity ?? {} };
  return deepEqual(next, status) ? undefined : { ...claim, status: next };
}

/** A claim's status in another phase (Pending, Lost); capacity and access modes kept, as Kubernetes does. */
export function claimStatusPhase(claim: KubeObject, phase: 'Pending' | 'Lost'): KubeObject | undefined {
  return phaseOf(claim) === phase ? undefined : { ...claim, status: { ...statusOf(claim), phase } };
}

/** The volume's status in a phase, with a message (Failed) and the transition time. */
export function volumeStatusPhase(pv: KubeObject, phase: string, now: number, message?: string): KubeObject | undefined {
  const status = statusOf(pv);
  if (status.phase === phase && (status.message ?? undefined) === message) return undefined;
  const { message: _old, ...rest } = status;
  return {
    ...pv,
    status: {
      ...rest,
      phase,
      ...(message ? { message } : {}),
      lastPhaseTransitionTime: status.phase === phase ? status.lastPhaseTransitionTime : rfc3339(now),
    },
  };
}

/**
 * unbindVolume: a volume the binder bound loses its claimRef; one the user pre-bound
 * keeps the claim's name (its uid goes), so the claim of that name can bind it again.
 */
export function volumeUnbound(pv: KubeObject): KubeObject {
  const spec = volumeSpec(pv);
  const annotations = { ...pv.metadata.annotations };
  const boundByController = annotations[ANN_BOUND_BY_CONTROLLER] !== undefined;
  delete annotations[ANN_BOUND_BY_CONTROLLER];
  const { claimRef, ...rest } = spec;
  if (boundByController || !claimRef) return { ...pv, metadata: { ...pv.metadata, annotations }, spec: rest };
  const { uid: _uid, resourceVersion: _rv, ...byName } = claimRef;
  const nextSpec = { ...rest, claimRef: byName };
  return { ...pv, metadata: { ...pv.metadata, annotations }, spec: nextSpec };
}
