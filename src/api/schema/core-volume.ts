/**
 * core/v1 volumes: the Volume of a pod with its sources, and the persistent volume
 * claim spec (shared by PVCs, ephemeral volumes and StatefulSet claim templates).
 * Deprecated in-tree cloud plugins are accepted as opaque objects: they are described
 * nowhere here because nothing in jetkube can mount them.
 */
import { LabelSelector, LocalObjectReference, ObjectMeta, TypedLocalObjectReference } from './meta.ts';
import { ObjectFieldSelector, ResourceFieldSelector } from './core-container.ts';
import { any, bool, int32, int64, keyedList, listOf, obj, quantity, quantityMap, str, strMap } from './dsl.ts';

const CORE = 'io.k8s.api.core.v1';

export const KeyToPath = obj({ key: str(), path: str(), mode: int32() }, { name: `${CORE}.KeyToPath`, required: ['key', 'path'] });

export const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'] as const;

export const HostPathVolumeSource = obj(
  { path: str(), type: str({ enum: HOST_PATH_TYPES }) },
  { name: `${CORE}.HostPathVolumeSource`, required: ['path'] },
);

export const EmptyDirVolumeSource = obj({ medium: str(), sizeLimit: quantity() }, { name: `${CORE}.EmptyDirVolumeSource` });

export const SecretVolumeSource = obj(
  { secretName: str(), items: listOf(KeyToPath), defaultMode: int32(), optional: bool() },
  { name: `${CORE}.SecretVolumeSource` },
);

export const ConfigMapVolumeSource = obj(
  { name: str(), items: listOf(KeyToPath), defaultMode: int32(), optional: bool() },
  { name: `${CORE}.ConfigMapVolumeSource` },
);

export const PersistentVolumeClaimVolumeSource = obj(
  { claimName: str(), readOnly: bool() },
  { name: `${CORE}.PersistentVolumeClaimVolumeSource`, required: ['claimName'] },
);

export const DownwardAPIVolumeFile = obj(
  { path: str(), fieldRef: ObjectFieldSelector, resourceFieldRef: ResourceFieldSelector, mode: int32() },
  { name: `${CORE}.DownwardAPIVolumeFile`, required: ['path'] },
);

export const DownwardAPIVolumeSource = obj(
  { items: listOf(DownwardAPIVolumeFile), defaultMode: int32() },
  { name: `${CORE}.DownwardAPIVolumeSource` },
);

export const VolumeProjection = obj(
  {
    secret: obj({ name: str(), items: listOf(KeyToPath), optional: bool() }, { name: `${CORE}.SecretProjection` }),
    configMap: obj({ name: str(), items: listOf(KeyToPath), optional: bool() }, { name: `${CORE}.ConfigMapProjection` }),
    downwardAPI: obj({ items: listOf(DownwardAPIVolumeFile) }, { name: `${CORE}.DownwardAPIProjection` }),
    serviceAccountToken: obj(
      { audience: str(), expirationSeconds: int64(), path: str() },
      { name: `${CORE}.ServiceAccountTokenProjection`, required: ['path'] },
    ),
    clusterTrustBundle: obj(
      { name: str(), signerName: str(), labelSelector: LabelSelector, optional: bool(), path: str() },
      { name: `${CORE}.ClusterTrustBundleProjection`, required: ['path'] },
    ),
  },
  { name: `${CORE}.VolumeProjection` },
);

export const ProjectedVolumeSource = obj(
  { sources: listOf(VolumeProjection), defaultMode: int32() },
  { name: `${CORE}.ProjectedVolumeSource` },
);

export const NFSVolumeSource = obj(
  { server: str(), path: str(), readOnly: bool() },
  { name: `${CORE}.NFSVolumeSource`, required: ['server', 'path'] },
);

export const CSIVolumeSource = obj(
  { driver: str(), readOnly: bool(), fsType: str(), volumeAttributes: strMap(), nodePublishSecretRef: LocalObjectReference },
  { name: `${CORE}.CSIVolumeSource`, required: ['driver'] },
);

export const ImageVolumeSource = obj(
  { reference: str(), pullPolicy: str({ enum: ['Always', 'IfNotPresent', 'Never'] }) },
  { name: `${CORE}.ImageVolumeSource` },
);

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
export const VOLUME_MODES = ['Block', 'Filesystem'] as const;

export const PersistentVolumeClaimSpec = obj(
  {
    accessModes: listOf(str({ enum: ACCESS_MODES })),
    selector: LabelSelector,
    resources: obj({ limits: quantityMap(), requests: quantityMap() }, { name: `${CORE}.VolumeResourceRequirements` }),
    volumeName: str(),
    storageClassName: str(),
    volumeMode: str({ enum: VOLUME_MODES }),
    dataSource: TypedLocalObjectReference,
    dataSourceRef: obj({ apiGroup: str(), kind: str(), name: str(), namespace: str() }, { name: `${CORE}.TypedObjectReference` }),
    volumeAttributesClassName: str(),
  },
  { name: `${CORE}.PersistentVolumeClaimSpec` },
);

export const EphemeralVolumeSource = obj(
  { volumeClaimTemplate: obj({ metadata: ObjectMeta, spec: PersistentVolumeClaimSpec }, { required: ['spec'] }) },
  { name: `${CORE}.EphemeralVolumeSource` },
);

/** Deprecated in-tree volume plugins: kept as given, never interpreted. */
export const LEGACY_VOLUME_SOURCES = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'fc',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'gitRepo',
  'glusterfs',
  'iscsi',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'rbd',
  'scaleIO',
  'storageos',
  'vsphereVolume',
] as const;

const legacySources = Object.fromEntries(LEGACY_VOLUME_SOURCES.map((name) => [name, any()])) as Record<
  (typeof LEGACY_VOLUME_SOURCES)[number],
  ReturnType<typeof any>
>;

/** Every volume source, in the order Kubernetes checks them (the first one set is the volume's type). */
export const VOLUME_SOURCES = [
  'emptyDir',
  'hostPath',
  'gitRepo',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'flocker',
  'persistentVolumeClaim',
  'rbd',
  'quobyte',
  'cinder',
  'cephfs',
  'downwardAPI',
  'fc',
  'flexVolume',
  'configMap',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'storageos',
  'projected',
  'scaleIO',
  'csi',
  'ephemeral',
  'image',
] as const;

export const Volume = obj(
  {
    name: str(),
    hostPath: HostPathVolumeSource,
    emptyDir: EmptyDirVolumeSource,
    secret: SecretVolumeSource,
    configMap: ConfigMapVolumeSource,
    persistentVolumeClaim: PersistentVolumeClaimVolumeSource,
    downwardAPI: DownwardAPIVolumeSource,
    projected: ProjectedVolumeSource,
    nfs: NFSVolumeSource,
    csi: CSIVolumeSource,
    ephemeral: EphemeralVolumeSource,
    image: ImageVolumeSource,
    ...legacySources,
  },
  { name: `${CORE}.Volume`, required: ['name'] },
);

export const volumeList = () => keyedList(Volume, 'name', { patchStrategy: 'merge,retainKeys' });

