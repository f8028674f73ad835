/**
 * core/v1 volume messages: Volume with its inlined VolumeSource and the sources a pod on
 * this cluster can use (host path, emptyDir, secret, configMap, downward API, projected,
 * persistent volume claim, ephemeral, NFS, CSI, image). A cloud-provider volume arrives
 * as a field without a schema, and the decoder refuses it rather than dropping it.
 */
import { bool, i32, i64, inline, KEEP, LIST, MAP, metadata, msg, quantity, str, type MessageSpec } from '../dsl.ts';

export const VOLUME: Record<string, MessageSpec> = {
  Volume: { 1: str('name', KEEP), 2: inline('VolumeSource') },
  VolumeSource: {
    1: msg('hostPath', 'HostPathVolumeSource'),
    2: msg('emptyDir', 'EmptyDirVolumeSource'),
    6: msg('secret', 'SecretVolumeSource'),
    7: msg('nfs', 'NFSVolumeSource'),
    10: msg('persistentVolumeClaim', 'PersistentVolumeClaimVolumeSource'),
    16: msg('downwardAPI', 'DownwardAPIVolumeSource'),
    19: msg('configMap', 'ConfigMapVolumeSource'),
    26: msg('projected', 'ProjectedVolumeSource'),
    28: msg('csi', 'CSIVolumeSource'),
    29: msg('ephemeral', 'EphemeralVolumeSource'),
    30: msg('image', 'ImageVolumeSource'),
  },
  HostPathVolumeSource: { 1: str('path', KEEP), 2: str('type', KEEP) },
  EmptyDirVolumeSource: { 1: str('medium'), 2: quantity('sizeLimit', KEEP) },
  SecretVolumeSource: {
    1: str('secretName'),
    2: msg('items', 'KeyToPath', LIST),
    3: i32('defaultMode', KEEP),
    4: bool('optional', KEEP),
  },
  ConfigMapVolumeSource: {
    1: inline('LocalObjectReference'),
    2: msg('items', 'KeyToPath', LIST),
    3: i32('defaultMode', KEEP),
    4: bool('optional', KEEP),
  },
  KeyToPath: { 1: str('key', KEEP), 2: str('path', KEEP), 3: i32('mode', KEEP) },
  NFSVolumeSource: { 1: str('server', KEEP), 2: str('path', KEEP), 3: bool('readOnly') },
  PersistentVolumeClaimVolumeSource: { 1: str('claimName', KEEP), 2: bool('readOnly') },
  DownwardAPIVolumeSource: { 1: msg('items', 'DownwardAPIVolumeFile', LIST), 2: i32('defaultMode', KEEP) },
  DownwardAPIVolumeFile: {
    1: str('path', KEEP),
    2: msg('fieldRef', 'ObjectFieldSelector'),
    3: msg('resourceFieldRef', 'ResourceFieldSelector'),
    4: i32('mode', KEEP),
  },
  ProjectedVolumeSource: { 1: msg('sources', 'VolumeProjection', LIST), 2: i32('defaultMode', KEEP) },
  VolumeProjection: {
    1: msg('secret', 'SecretProjection'),
    2: msg('downwardAPI', 'DownwardAPIProjection'),
    3: msg('configMap', 'ConfigMapProjection'),
    4: msg('serviceAccountToken', 'ServiceAccountTokenProjection'),
  },
  SecretProjection: { 1: inline('LocalObjectReference'), 2: msg('items', 'KeyToPath', LIST), 4: bool('optional', KEEP) },
  ConfigMapProjection: { 1: inline('LocalObjectReference'), 2: msg('items', 'KeyToPath', LIST), 4: bool('optional', KEEP) },
  DownwardAPIProjection: { 1: msg('items', 'DownwardAPIVolumeFile', LIST) },
  ServiceAccountTokenProjection: { 1: str('audience'), 2: i64('expirationSeconds', KEEP), 3: str('path', KEEP) },
  CSIVolumeSource: {
    1: str('driver', KEEP),
    2: bool('readOnly', KEEP),
    3: str('fsType', KEEP),
    4: str('volumeAttributes', MAP),
    5: msg('nodePublishSecretRef', 'LocalObjectReference'),
  },
  EphemeralVolumeSource: { 1: msg('volumeClaimTemplate', 'PersistentVolumeClaimTemplate') },
  PersistentVolumeClaimTemplate: { 1: metadata, 2: msg('spec', 'PersistentVolumeClaimSpec') },
  PersistentVolumeClaimSpec: {
    1: str('accessModes', LIST),
    4: msg('selector', 'LabelSelector'),
    2: msg('resources', 'VolumeResourceRequirements'),
    3: str('volumeName'),
    5: str('storageClassName', KEEP),
    6: str('volumeMode', KEEP),
    7: msg('dataSource', 'TypedLocalObjectReference'),
    8: msg('dataSourceRef', 'TypedObjectReference'),
    9: str('volumeAttributesClassName', KEEP),
  },
  VolumeResourceRequirements: { 1: quantity('limits', MAP), 2: quantity('requests', MAP) },
  ImageVolumeSource: { 1: str('reference'), 2: str('pullPolicy') },
};
