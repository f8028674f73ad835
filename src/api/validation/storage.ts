/**
 * Storage: PersistentVolumes (one source, a storage capacity, access modes),
 * PersistentVolumeClaims (access modes and a storage request; a spec frozen after
 * creation except the request of a bound claim and binding to a volume), and
 * StorageClasses (a provisioner; parameters and policies fixed once created).
 */
import type { FieldError } from '../errors.ts';
import { child, key, type FieldPath } from '../field-path.ts';
import { forbidden, invalidEach, invalidValue, notSupported, required, tooLong } from '../field-errors.ts';
import { deepEqual } from '../json.ts';
import { byteLength, isDNS1123Subdomain, isQualifiedName } from '../names.ts';
import { compareQuantities, parseQuantity } from '../quantity.ts';
import { PERSISTENT_VOLUME_SOURCES } from '../schema/core-storage.ts';
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, StorageClass } from '../types.ts';
import { eachResource, validateImmutable, validateLabelSelector, validateResourceQuantity } from './common.ts';

function validateAccessModes(modes: string[] | undefined, path: FieldPath, detail: string): FieldError[] {
  const list = modes ?? [];
  if (list.length === 0) return [required(path, detail)];
  return list.includes('ReadWriteOncePod') && list.some((m) => m !== 'ReadWriteOncePod')
    ? [forbidden(path, 'may not use ReadWriteOncePod with other access modes')]
    : [];
}

function validateClassName(name: string | undefined, path: FieldPath): FieldError[] {
  return name ? invalidEach(path, name, isDNS1123Subdomain(name)) : [];
}

export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec, path: FieldPath): FieldError[] {
  const errors = validateAccessModes(spec.accessModes, child(path, 'accessModes'), 'at least 1 access mode is required');
  errors.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  const storagePath = key(child(path, 'resources'), 'storage');
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errors.push(required(storagePath));
  else {
    const nanos = parseQuantity(storage);
    if (nanos !== undefined && nanos <= 0n) errors.push(invalidValue(storagePath, String(storage), 'must be greater than zero'));
  }
  errors.push(...validateClassName(spec.storageClassName, child(path, 'storageClassName')));
  return errors;
}

export function validatePersistentVolumeClaim(claim: PersistentVolumeClaim): FieldError[] {
  return validatePersistentVolumeClaimSpec(claim.spec ?? {}, 'spec');
}

/** The part of a claim's spec an update must leave alone. */
function frozenClaimSpec(spec: PersistentVolumeClaimSpec, allow: { volumeName: boolean; storage: boolean }) {
  const { volumeName, resources, volumeAttributesClassName: _class, ...rest } = spec;
  const requests: Record<string, string | number> = { ...resources?.requests };
  if (allow.storage) delete requests.storage;
  return { ...rest, volumeName: allow.volumeName ? undefined : volumeName, resources: { ...resources, requests } };
}

export function validatePersistentVolumeClaimUpdate(claim: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const spec = claim.spec ?? {};
  const oldSpec = old.spec ?? {};
  // A claim binds to a volume once, and only a bound claim can be resized.
  const allow = { volumeName: !oldSpec.volumeName, storage: claim.status?.phase === 'Bound' };
  const errors: FieldError[] = [];
  if (!deepEqual(frozenClaimSpec(spec, allow), frozenClaimSpec(oldSpec, allow))) {
    errors.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const size = spec.resources?.requests?.storage;
  const oldSize = oldSpec.resources?.requests?.storage;
  if (size !== undefined && oldSize !== undefined && compareQuantities(size, oldSize) === -1) {
    errors.push(forbidden(child('spec', 'resources', 'requests', 'storage'), 'field can not be less than previous value'));
  }
  return errors;
}

export function validatePersistentVolume(volume: PersistentVolume): FieldError[] {
  const spec = volume.spec ?? {};
  const errors = validateAccessModes(spec.accessModes, child('spec', 'accessModes'), '');
  const capacity = spec.capacity ?? {};
  if (Object.keys(capacity).length === 0) errors.push(required(child('spec', 'capacity')));
  else if (!Object.hasOwn(capacity, 'storage') || Object.keys(capacity).length > 1) {
    errors.push(notSupported(child('spec', 'capacity'), capacity, ['storage']));
  }
  errors.push(...eachResource(capacity, child('spec', 'capacity'), (name, value, at) => validateResourceQuantity(name, value, at)));
  const sources = PERSISTENT_VOLUME_SOURCES.filter((source) => spec[source] !== undefined);
  if (sources.length === 0) errors.push(required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) errors.push(forbidden(child('spec', extra), 'may not specify more than 1 volume type'));
  if (spec.hostPath && !spec.hostPath.path) errors.push(required(child('spec', 'hostPath', 'path')));
  if (spec.local && !spec.local.path) errors.push(required(child('spec', 'local', 'path')));
  if (spec.nfs && !spec.nfs.server) errors.push(required(child('spec', 'nfs', 'server')));
  if (spec.csi) {
    if (!spec.csi.driver) errors.push(required(child('spec', 'csi', 'driver')));
    if (!spec.csi.volumeHandle) errors.push(required(child('spec', 'csi', 'volumeHandle')));
  }
  errors.push(...validateClassName(spec.storageClassName, child('spec', 'storageClassName')));
  return errors;
}

export function validatePersistentVolumeUpdate(volume: PersistentVolume, old: PersistentVolume): FieldError[] {
  const source = (pv: PersistentVolume) => Object.fromEntries(PERSISTENT_VOLUME_SOURCES.map((s) => [s, pv.spec?.[s]]));
  const errors = deepEqual(source(volume), source(old))
    ? []
    : [forbidden(child('spec', 'persistentvolumesource'), 'spec.persistentvolumesource is immutable after creation')];
  errors.push(...validateImmutable(volume.spec?.volumeMode, old.spec?.volumeMode, child('spec', 'volumeMode')));
  return errors;
}

const MAX_PARAMETERS_SIZE_BYTES = 256 * (1 << 10);

export function validateStorageClass(storageClass: StorageClass): FieldError[] {
  const errors: FieldError[] = [];
  const provisioner = storageClass.provisioner ?? '';
  if (!provisioner) errors.push(required('provisioner', provisioner));
  else errors.push(...invalidEach('provisioner', provisioner, isQualifiedName(provisioner.toLowerCase())));
  let size = 0;
  for (const [k, v] of Object.entries(storageClass.parameters ?? {})) {
    if (!k) errors.push(invalidValue('parameters', k, 'key cannot be empty'));
    size += byteLength(k) + byteLength(v);
  }
  if (size > MAX_PARAMETERS_SIZE_BYTES) errors.push(tooLong('parameters', MAX_PARAMETERS_SIZE_BYTES));
  return errors;
}

export function validateStorageClassUpdate(storageClass: StorageClass, old: StorageClass): FieldError[] {
  const errors: FieldError[] = [];
  if (!deepEqual(storageClass.parameters ?? {}, old.parameters ?? {})) errors.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if ((storageClass.provisioner ?? '') !== (old.provisioner ?? '')) errors.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((storageClass.reclaimPolicy ?? '') !== (old.reclaimPolicy ?? '')) errors.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errors.push(...validateImmutable(storageClass.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errors;
}
