/**
 * How the binder's actions become writes, in order, each built on what the previous
 * write returned (so every write is pinned to the newest resourceVersion this sync
 * knows, and a lost race stops the sequence with a 409). The I/O is injected, so the
 * property test runs the same sequence against an in-memory compare-and-set store.
 */
import type { KubeObject } from '../../api/object.ts';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES } from './annotations.ts';
import { claimBoundToVolume, claimStatusBound, claimStatusPhase, volumeBoundToClaim, volumeStatusPhase, volumeUnbound } from './binding.ts';
import type { ClaimAction, ClaimEvent } from './decide-claim.ts';
import type { VolumeAction } from './decide-volume.ts';

export interface BinderEffects {
  now(): number;
  /** A pinned update (the object carries the resourceVersion it was read at); answers the stored object. */
  write(resource: string, object: KubeObject, subresource?: 'status'): Promise<KubeObject>;
  record(object: KubeObject, event: ClaimEvent): void;
  syncClaim(namespace: string, name: string): void;
}

export async function carryOutClaimActions(initial: KubeObject, actions: readonly ClaimAction[], effects: BinderEffects): Promise<KubeObject> {
  let claim = initial;
  for (const action of actions) {
    switch (action.type) {
      case 'bind':
        claim = await bind(claim, action.volume, effects);
        break;
      case 'setPhase': {
        const next = claimStatusPhase(claim, action.phase);
        if (next) claim = await effects.write(PERSISTENT_VOLUME_CLAIMS, next, 'status');
        break;
      }
      case 'annotate':
        claim = await effects.write(PERSISTENT_VOLUME_CLAIMS, { ...claim, metadata: { ...claim.metadata, annotations: { ...claim.metadata.annotations, ...action.annotations } } });
        break;
      case 'event':
        effects.record(claim, action.event);
        break;
    }
  }
  return claim;
}

/** The volume side first (claimRef, then phase Bound), then the claim side (volumeName and annotations, then status). */
async function bind(initialClaim: KubeObject, initialVolume: KubeObject, effects: BinderEffects): Promise<KubeObject> {
  let volume = initialVolume;
  const withClaimRef = volumeBoundToClaim(volume, initialClaim);
  if (withClaimRef) volume = await effects.write(PERSISTENT_VOLUMES, withClaimRef);
  const bound = volumeStatusPhase(volume, 'Bound', effects.now());
  if (bound) volume = await effects.write(PERSISTENT_VOLUMES, bound, 'status');
  let claim = initialClaim;
  const withVolumeName = claimBoundToVolume(claim, volume);
  if (withVolumeName) claim = await effects.write(PERSISTENT_VOLUME_CLAIMS, withVolumeName);
  const status = claimStatusBound(claim, volume);
  if (status) claim = await effects.write(PERSISTENT_VOLUME_CLAIMS, status, 'status');
  return claim;
}

export async function carryOutVolumeActions(initial: KubeObject, actions: readonly VolumeAction[], effects: BinderEffects): Promise<KubeObject> {
  let pv = initial;
  for (const action of actions) {
    switch (action.type) {
      case 'setPhase': {
        const next = volumeStatusPhase(pv, action.phase, effects.now(), action.message);
        if (next) pv = await effects.write(PERSISTENT_VOLUMES, next, 'status');
        break;
      }
      case 'unbind':
        pv = await effects.write(PERSISTENT_VOLUMES, volumeUnbound(pv));
        break;
      case 'event':
        effects.record(pv, action.event);
        break;
      case 'syncClaim':
        effects.syncClaim(action.namespace, action.name);
        break;
    }
  }
  return pv;
}
