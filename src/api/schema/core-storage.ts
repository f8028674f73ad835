/** core/v1 PersistentVolume and PersistentVolumeClaim (and the claim templates of StatefulSets). */
import { conditionsOf, kind, ObjectMeta, ObjectReference } from './meta.ts';
import { NodeSelector } from './core-pod.ts';
import { ACCESS_MODES, HostPathVolumeSource, LEGACY_VOLUME_SOURCES, NFSVolumeSource, PersistentVolumeClaimSpec, VOLUME_MODES } from './core-volume.ts';
import { any, bool, listOf, obj, quantityMap, str, strList, strMap, time } from './dsl.ts';

const CORE = 'io.k8s.api.core.v1';

export const PV_RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'] as const;

const legacyPersistentSources = Object.fromEntries(LEGACY_VOLUME_SOURCES.map((name) => [name, any()])) as Record<
  (typeof LEGACY_VOLUME_SOURCES)[number],
  ReturnType<typeof any>
>;

const SecretReference = obj({ name: str(), namespace: str() }, { name: `${CORE}.SecretReference` });

export const PERSISTENT_VOLUME_SOURCES = ['hostPath', 'local', 'nfs', 'csi', ...LEGACY_VOLUME_SOURCES] as const;

export const PersistentVolume = kind(`${CORE}.PersistentVolume`, {
  spec: obj(
    {
      capacity: quantityMap(),
      accessModes: listOf(str({ enum: ACCESS_MODES })),
      claimRef: ObjectReference,
      persistentVolumeReclaimPolicy: str({ enum: PV_RECLAIM_POLICIES }),
      storageClassName: str(),
      mountOptions: strList(),
      volumeMode: str({ enum: VOLUME_MODES }),
      nodeAffinity: obj({ required: NodeSelector }, { name: `${CORE}.VolumeNodeAffinity` }),
      volumeAttributesClassName: str(),
      hostPath: HostPathVolumeSource,
      local: obj({ path: str(), fsType: str() }, { name: `${CORE}.LocalVolumeSource`, required: ['path'] }),
      nfs: NFSVolumeSource,
      csi: obj(
        {
          driver: str(),
          volumeHandle: str(),
          readOnly: bool(),
          fsType: str(),
          volumeAttributes: strMap(),
          controllerPublishSecretRef: SecretReference,
          nodeStageSecretRef: SecretReference,
          nodePublishSecretRef: SecretReference,
          controllerExpandSecretRef: SecretReference,
          nodeExpandSecretRef: SecretReference,
        },
        { name: `${CORE}.CSIPersistentVolumeSource`, required: ['driver', 'volumeHandle'] },
      ),
      ...legacyPersistentSources,
    },
    { name: `${CORE}.PersistentVolumeSpec` },
  ),
  status: obj(
    {
      phase: str({ enum: ['Pending', 'Available', 'Bound', 'Released', 'Failed'] }),
      message: str(),
      reason: str(),
      lastPhaseTransitionTime: time(),
    },
    { name: `${CORE}.PersistentVolumeStatus` },
  ),
});

export const PersistentVolumeClaimStatus = obj(
  {
    phase: str({ enum: ['Pending', 'Bound', 'Lost'] }),
    accessModes: strList(),
    capacity: quantityMap(),
    conditions: conditionsOf(['lastProbeTime']),
    allocatedResources: quantityMap(),
    allocatedResourceStatuses: strMap(),
    currentVolumeAttributesClassName: str(),
    modifyVolumeStatus: any(),
  },
  { name: `${CORE}.PersistentVolumeClaimStatus` },
);

export const PersistentVolumeClaim = kind(`${CORE}.PersistentVolumeClaim`, {
  spec: PersistentVolumeClaimSpec,
  status: PersistentVolumeClaimStatus,
});

/** A claim template inside a StatefulSet: a PVC object without its own resource identity. */
export const PersistentVolumeClaimTemplate = obj(
  { apiVersion: str(), kind: str(), metadata: ObjectMeta, spec: PersistentVolumeClaimSpec, status: PersistentVolumeClaimStatus },
  { name: `${CORE}.PersistentVolumeClaim` },
);

