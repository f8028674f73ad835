/**
 * The binder's decision for one claim (kube-controller-manager's syncClaim), pure:
 * given the claim, the volumes as the binder last knows them, its StorageClass and the
 * node of its first scheduled consumer, what to do?
 *  - an unbound claim without spec.volumeName binds to the best matching volume
 *    (match.ts); with none, a class with a provisioner gets the provisioner annotation
 *    (the provisioner then makes a volume pre-bound to it), a claim without class stays
 *    Pending. A WaitForFirstConsumer claim waits for a scheduled pod that uses it: its
 *    node becomes the selected-node annotation (what the scheduler's VolumeBinding
 *    plugin writes in Kubernetes), then it binds or is provisioned;
 *  - a claim that names its volume (pre-bound) binds to it if the volume is free (or
 *    already names the claim) and satisfies it; otherwise it stays Pending, with why;
 *  - a bound claim whose volume is gone or bound elsewhere is Lost; one whose volume
 *    lost its claimRef binds again (the binding is finished from either side).
 * Events are the ones kube-controller-manager records; the phase-change events only when
 * the phase changes.
 */
import type { KubeObject } from '../../api/object.ts';
import type { EventType } from '../runtime/events.ts';
import { ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER } from './annotations.ts';
import { claimClass, claimSpec, findMatchingVolume, isVolumeBoundToClaim, phaseOf, volumeSpec, whyVolumeDoesNotSatisfy } from './match.ts';

export interface ClaimEvent {
  type: EventType;
  reason: string;
  message: string;
}

export type ClaimAction =
  /** Write both sides: the volume's claimRef and phase Bound, then the claim's volumeName, annotations and status. */
  | { type: 'bind'; volume: KubeObject }
  | { type: 'setPhase'; phase: 'Pending' | 'Lost' }
  | { type: 'annotate'; annotations: Record<string, string> }
  | { type: 'event'; event: ClaimEvent };

export interface ClaimView {
  volumes: readonly KubeObject[];
  /** The claim's StorageClass, when it names one that exists. */
  storageClass?: KubeObject;
  /** The node of a scheduled pod that uses this claim (only looked for when binding waits for a consumer). */
  consumerNode?: string;
}

export const NO_CLASS_MESSAGE = 'no persistent volumes available for this claim and no storage class is set';
export const WAIT_FOR_CONSUMER_MESSAGE = 'waiting for first consumer to be created before binding';

export const isDelayBinding = (storageClass: KubeObject | undefined): boolean => storageClass?.volumeBindingMode === 'WaitForFirstConsumer';

export function externalProvisioningMessage(provisioner: string): string {
  return `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that your external provisioner is running and correctly registered.`;
}

export function decideClaim(claim: KubeObject, view: ClaimView): ClaimAction[] {
  if (claim.metadata.deletionTimestamp) return [];
  const bound = claim.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined;
  return bound ? decideBoundClaim(claim, view) : decideUnboundClaim(claim, view);
}

function decideUnboundClaim(claim: KubeObject, view: ClaimView): ClaimAction[] {
  const volumeName = claimSpec(claim).volumeName;
  if (volumeName) return decidePreBoundClaim(claim, volumeName, view);

  const storageClass = view.storageClass;
  const delayBinding = isDelayBinding(storageClass);
  const annotations = claim.metadata.annotations ?? {};
  let node = annotations[ANN_SELECTED_NODE];
  if (delayBinding && node === undefined && view.consumerNode !== undefined) {
    // The scheduler's share of late binding: the consumer's node first, then binding.
    return [{ type: 'annotate', annotations: { [ANN_SELECTED_NODE]: view.consumerNode } }];
  }
  const volume = findMatchingVolume(claim, view.volumes, { delayBinding, ...(node !== undefined ? { node } : {}) });
  if (volume) return [{ type: 'bind', volume }];

  const pending = pendingActions(claim);
  if (delayBinding && node === undefined) return [{ type: 'event', event: { type: 'Normal', reason: 'WaitForFirstConsumer', message: WAIT_FOR_CONSUMER_MESSAGE } }, ...pending];
  const className = claimClass(claim);
  if (!className) return [{ type: 'event', event: { type: 'Normal', reason: 'FailedBinding', message: NO_CLASS_MESSAGE } }, ...pending];
  if (!storageClass) {
    return [{ type: 'event', event: { type: 'Warning', reason: 'ProvisioningFailed', message: `storageclass.storage.k8s.io "${className}" not found` } }, ...pending];
  }
  const provisioner = String(storageClass.provisioner ?? '');
  if (annotations[ANN_STORAGE_PROVISIONER] === provisioner) return pending;
  return [
    { type: 'annotate', annotations: { [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner } },
    { type: 'event', event: { type: 'Normal', reason: 'ExternalProvisioning', message: externalProvisioningMessage(provisioner) } },
    ...pending,
  ];
}

function decidePreBoundClaim(claim: KubeObject, volumeName: string, view: ClaimView): ClaimAction[] {
  const volume = view.volumes.find((pv) => pv.metadata.name === volumeName);
  // The volume may not exist yet (created after the claim): wait for it.
  if (!volume) return pendingActions(claim);
  if (!volumeSpec(volume).claimRef) {
    const why = whyVolumeDoesNotSatisfy(volume, claim);
    if (why) return [{ type: 'event', event: { type: 'Warning', reason: 'VolumeMismatch', message: `Cannot bind to requested volume "${volumeName}": ${why}` } }, ...pendingActions(claim)];
    return [{ type: 'bind', volume }];
  }
  if (isVolumeBoundToClaim(volume, claim)) return [{ type: 'bind', volume }];
  return [{ type: 'event', event: { type: 'Warning', reason: 'FailedBinding', message: `volume "${volumeName}" already bound to a different claim.` } }, ...pendingActions(claim)];
}

function decideBoundClaim(claim: KubeObject, view: ClaimView): ClaimAction[] {
  const volumeName = claimSpec(claim).volumeName;
  if (!volumeName) return lost(claim, 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
  const volume = view.volumes.find((pv) => pv.metadata.name === volumeName);
  if (!volume) return lost(claim, 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
  const ref = volumeSpec(volume).claimRef;
  if (!ref || (ref.uid === claim.metadata.uid && isVolumeBoundToClaim(volume, claim))) return [{ type: 'bind', volume }];
  return lost(claim, 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
}

const pendingActions = (claim: KubeObject): ClaimAction[] => (phaseOf(claim) === 'Pending' ? [] : [{ type: 'setPhase', phase: 'Pending' }]);

function lost(claim: KubeObject, reason: string, message: string): ClaimAction[] {
  if (phaseOf(claim) === 'Lost') return [];
  return [{ type: 'setPhase', phase: 'Lost' }, { type: 'event', event: { type: 'Warning', reason, message } }];
}
