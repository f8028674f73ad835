/**
 * The binder's decision for one volume (kube-controller-manager's syncVolume), pure:
 * given the volume and the claim its claimRef names (undefined when that claim is gone,
 * or was deleted and made again under the same name), what to do?
 *  - no claimRef, or one without uid (pre-bound by the user to a claim to come): Available;
 *  - the claim is gone: Released, then the reclaim policy: Retain keeps it Released;
 *    Delete leaves a provisioned volume to its provisioner (which deletes it) and fails
 *    any other one (no in-tree deleter here, as for a static hostPath volume in
 *    Kubernetes); Recycle fails (no recycler);
 *  - the claim names this volume: Bound; it names none yet: the claim's sync finishes
 *    the binding; it names another volume: a volume provisioned for it with Delete is
 *    Released (then deleted), one the binder bound goes back to Available, one the user
 *    pre-bound keeps the claim's name only.
 */
import type { KubeObject } from '../../api/object.ts';
import type { ClaimEvent } from './decide-claim.ts';
import { ANN_PROVISIONED_BY } from './annotations.ts';
import { claimSpec, phaseOf, volumeSpec } from './match.ts';

export type VolumeAction =
  | { type: 'setPhase'; phase: 'Available' | 'Bound' | 'Released' | 'Failed'; message?: string }
  | { type: 'unbind' }
  | { type: 'event'; event: ClaimEvent }
  /** The claim side is behind: sync that claim. */
  | { type: 'syncClaim'; namespace: string; name: string };

export const NO_DELETER_MESSAGE = (name: string) => `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`;
export const NO_RECYCLER_MESSAGE = 'No recycler plugin found for the volume!';

export function decideVolume(pv: KubeObject, claim: KubeObject | undefined): VolumeAction[] {
  if (pv.metadata.deletionTimestamp) return [];
  const spec = volumeSpec(pv);
  const ref = spec.claimRef;
  if (!ref || !ref.uid) return phase(pv, 'Available');

  const claimGone = !claim || claim.metadata.uid !== ref.uid;
  if (claimGone) return reclaim(pv);

  const boundTo = claimSpec(claim).volumeName;
  if (!boundTo) return [{ type: 'syncClaim', namespace: claim.metadata.namespace ?? '', name: claim.metadata.name ?? '' }];
  if (boundTo === pv.metadata.name) return phase(pv, 'Bound');
  if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== undefined && spec.persistentVolumeReclaimPolicy === 'Delete') return reclaim(pv);
  return [{ type: 'unbind' }, { type: 'setPhase', phase: 'Available' }];
}

function phase(pv: KubeObject, wanted: 'Available' | 'Bound'): VolumeAction[] {
  return phaseOf(pv) === wanted ? [] : [{ type: 'setPhase', phase: wanted }];
}

/** Released, then what the reclaim policy asks of the binder. */
function reclaim(pv: KubeObject): VolumeAction[] {
  const current = phaseOf(pv);
  const actions: VolumeAction[] = current === 'Released' || current === 'Failed' ? [] : [{ type: 'setPhase', phase: 'Released' }];
  const policy = volumeSpec(pv).persistentVolumeReclaimPolicy ?? 'Retain';
  const fail = (reason: string, message: string): VolumeAction[] =>
    current === 'Failed' ? [] : [{ type: 'setPhase', phase: 'Failed', message }, { type: 'event', event: { type: 'Warning', reason, message } }];
  if (policy === 'Delete' && pv.metadata.annotations?.[ANN_PROVISIONED_BY] === undefined) return [...actions, ...fail('VolumeFailedDelete', NO_DELETER_MESSAGE(pv.metadata.name ?? ''))];
  if (policy === 'Recycle') return [...actions, ...fail('VolumeFailedRecycle', NO_RECYCLER_MESSAGE)];
  return actions;
}
