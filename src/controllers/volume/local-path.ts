/**
 * The local-path provisioner's decisions (rancher's local-path-provisioner and
 * sig-storage-lib-external-provisioner are the model), pure:
 *  - the default StorageClass `standard` it brings;
 *  - whether a claim is its to provision (the binder asked for this provisioner in the
 *    claim's storage-provisioner annotation, the claim's class names it, the claim is not
 *    bound yet, and a late-binding claim has its selected node) and the volume it makes:
 *    `pvc-<claim uid>` (so two provisioners racing create one name, and one wins), the
 *    claim's size and access modes, the class's reclaim policy and mount options, a
 *    hostPath directory `<root>/<pv name>`, pre-bound to the claim (claimRef with uid),
 *    pinned to the selected node when there is one;
 *  - whether a volume is its to delete: Released, reclaim policy Delete, made by it, and
 *    its directory is one it would have made (absolute, named after the volume), so
 *    nothing else is ever removed.
 */
import { isAbsolute, join, basename } from 'node:path';
import type { KubeObject } from '../../api/object.ts';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_DEFAULT_CLASS,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
} from './annotations.ts';
import { claimRefTo } from './binding.ts';
import { isDelayBinding } from './decide-claim.ts';
import { claimClass, claimSpec, phaseOf, volumeSpec } from './match.ts';

export const LOCAL_PATH_PROVISIONER = 'jetkube.io/local-path';
export const DEFAULT_STORAGE_CLASS_NAME = 'standard';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const LOCAL_PATH_MANAGER = 'jetkube-local-path-provisioner';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export function defaultStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS_NAME, annotations: { [ANN_DEFAULT_CLASS]: 'true' }, labels: { [MANAGED_BY_LABEL]: LOCAL_PATH_MANAGER } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

/** The name of the volume provisioned for a claim, as Kubernetes' provisioners name it. */
export const provisionedVolumeName = (claim: KubeObject): string => `pvc-${claim.metadata.uid}`;

export type ProvisionDecision = { type: 'none' } | { type: 'provision'; volume: KubeObject } | { type: 'fail'; message: string };

export function decideProvisioning(claim: KubeObject, storageClass: KubeObject | undefined, root: string, provisioner = LOCAL_PATH_PROVISIONER): ProvisionDecision {
  const annotations = claim.metadata.annotations ?? {};
  const asked = annotations[ANN_STORAGE_PROVISIONER] ?? annotations[ANN_BETA_STORAGE_PROVISIONER];
  if (asked !== provisioner || claim.metadata.deletionTimestamp || claimSpec(claim).volumeName) return { type: 'none' };
  if (!storageClass || storageClass.metadata.name !== claimClass(claim) || storageClass.provisioner !== provisioner) return { type: 'none' };
  const node = annotations[ANN_SELECTED_NODE];
  if (isDelayBinding(storageClass) && node === undefined) return { type: 'none' };
  const spec = claimSpec(claim);
  if (spec.volumeMode === 'Block') return { type: 'fail', message: 'local-path supports only volumeMode Filesystem' };
  if (spec.selector) return { type: 'fail', message: 'claim Selector is not supported' };

  const name = provisionedVolumeName(claim);
  const volume: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [ANN_PROVISIONED_BY]: provisioner }, labels: { [MANAGED_BY_LABEL]: LOCAL_PATH_MANAGER } },
    spec: {
      capacity: { storage: spec.resources?.requests?.storage ?? '0' },
      accessModes: spec.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: typeof storageClass.reclaimPolicy === 'string' ? storageClass.reclaimPolicy : 'Delete',
      storageClassName: claimClass(claim),
      volumeMode: 'Filesystem',
      ...(Array.isArray(storageClass.mountOptions) ? { mountOptions: storageClass.mountOptions } : {}),
      claimRef: claimRefTo(claim),
      hostPath: { path: join(root, name), type: 'DirectoryOrCreate' },
      ...(node !== undefined
        ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [node] }] }] } } }
        : {}),
    },
  };
  return { type: 'provision', volume };
}

/** The directory of a volume this provisioner made. */
export function volumeDirectory(pv: KubeObject): string | undefined {
  return volumeSpec(pv).hostPath?.path;
}

/** shouldDelete: Released, Delete, made by this provisioner, with a directory it would have made. */
export function shouldDeleteVolume(pv: KubeObject, provisioner = LOCAL_PATH_PROVISIONER): boolean {
  if (pv.metadata.deletionTimestamp || phaseOf(pv) !== 'Released') return false;
  if (volumeSpec(pv).persistentVolumeReclaimPolicy !== 'Delete') return false;
  if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== provisioner) return false;
  const dir = volumeDirectory(pv);
  return dir !== undefined && isAbsolute(dir) && basename(dir) === pv.metadata.name;
}
