/**
 * Pod volumes and their mounts: each volume has one source and a unique DNS-label name;
 * a mount names a volume that exists, at a path no other mount of the container uses.
 */
import type { FieldError } from '../errors.ts';
import { child, index, type FieldPath } from '../field-path.ts';
import { duplicate, forbidden, invalidEach, invalidValue, notFound, required } from '../field-errors.ts';
import { isDNS1123Label } from '../names.ts';
import { VOLUME_SOURCES } from '../schema/core-volume.ts';
import type { Container, KeyToPath, Volume } from '../types.ts';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateFileMode(mode: number | undefined, path: FieldPath): FieldError[] {
  return mode !== undefined && (mode < 0 || mode > 0o777) ? [invalidValue(path, mode, FILE_MODE_ERROR)] : [];
}

/** validateLocalDescendingPath: relative, and never climbing out with "..". */
export function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (target.startsWith('/')) errors.push(invalidValue(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errors.push(invalidValue(path, target, "must not contain '..'"));
  return errors;
}

function validateKeyToPaths(items: KeyToPath[] | undefined, path: FieldPath): FieldError[] {
  return (items ?? []).flatMap((item, i) => {
    const at = index(path, i);
    const errors: FieldError[] = [];
    if (!item.key) errors.push(required(child(at, 'key')));
    if (!item.path) errors.push(required(child(at, 'path')));
    else errors.push(...validateLocalDescendingPath(item.path, child(at, 'path')));
    errors.push(...validateFileMode(item.mode, child(at, 'mode')));
    return errors;
  });
}

function validateVolumeSource(volume: Volume, path: FieldPath): FieldError[] {
  const present = VOLUME_SOURCES.filter((source) => volume[source] !== undefined);
  if (present.length === 0) return [required(path, 'must specify a volume type')];
  const errors = present.slice(1).map((source) => forbidden(child(path, source), 'may not specify more than 1 volume type'));
  const { hostPath, secret, configMap, persistentVolumeClaim, nfs, csi, downwardAPI, projected } = volume;
  if (hostPath && !hostPath.path) errors.push(required(child(path, 'hostPath', 'path')));
  if (secret) {
    if (!secret.secretName) errors.push(required(child(path, 'secret', 'secretName')));
    errors.push(...validateFileMode(secret.defaultMode, child(path, 'secret', 'defaultMode')));
    errors.push(...validateKeyToPaths(secret.items, child(path, 'secret', 'items')));
  }
  if (configMap) {
    if (!configMap.name) errors.push(required(child(path, 'configMap', 'name')));
    errors.push(...validateFileMode(configMap.defaultMode, child(path, 'configMap', 'defaultMode')));
    errors.push(...validateKeyToPaths(configMap.items, child(path, 'configMap', 'items')));
  }
  if (persistentVolumeClaim && !persistentVolumeClaim.claimName) errors.push(required(child(path, 'persistentVolumeClaim', 'claimName')));
  if (nfs) {
    if (!nfs.server) errors.push(required(child(path, 'nfs', 'server')));
    if (!nfs.path) errors.push(required(child(path, 'nfs', 'path')));
    else if (!nfs.path.startsWith('/')) errors.push(invalidValue(child(path, 'nfs', 'path'), nfs.path, 'must be an absolute path'));
  }
  if (csi && !csi.driver) errors.push(required(child(path, 'csi', 'driver')));
  if (downwardAPI) {
    errors.push(...validateFileMode(downwardAPI.defaultMode, child(path, 'downwardAPI', 'defaultMode')));
    (downwardAPI.items ?? []).forEach((item, i) => {
      const at = index(child(path, 'downwardAPI', 'items'), i);
      if (!item.path) errors.push(required(child(at, 'path')));
      else errors.push(...validateLocalDescendingPath(item.path, child(at, 'path')));
    });
  }
  if (projected) errors.push(...validateFileMode(projected.defaultMode, child(path, 'projected', 'defaultMode')));
  return errors;
}

/** Volumes, and the names of those that are valid (mounts may only refer to those). */
export function validateVolumes(volumes: Volume[] | undefined, path: FieldPath): { names: Set<string>; errors: FieldError[] } {
  const names = new Set<string>();
  const errors: FieldError[] = [];
  (volumes ?? []).forEach((volume, i) => {
    const at = index(path, i);
    const own = validateVolumeSource(volume, at);
    const name = volume.name ?? '';
    if (!name) own.push(required(child(at, 'name')));
    else own.push(...invalidEach(child(at, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) own.push(duplicate(child(at, 'name'), name));
    if (own.length === 0) names.add(name);
    errors.push(...own);
  });
  return { names, errors };
}

export function validateVolumeMounts(container: Container, volumeNames: ReadonlySet<string>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const mountPoints = new Set<string>();
  const mountsPath = child(path, 'volumeMounts');
  (container.volumeMounts ?? []).forEach((mount, i) => {
    const at = index(mountsPath, i);
    const name = mount.name ?? '';
    if (!name) errors.push(required(child(at, 'name')));
    if (!volumeNames.has(name)) errors.push(notFound(child(at, 'name'), name));
    const mountPath = mount.mountPath ?? '';
    if (!mountPath) errors.push(required(child(at, 'mountPath')));
    if (mountPoints.has(mountPath)) errors.push(invalidValue(child(at, 'mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    // Kubernetes reports subPath at the list's path, not the item's.
    if (mount.subPath) errors.push(...validateLocalDescendingPath(mount.subPath, child(mountsPath, 'subPath')));
  });
  return errors;
}

/** ValidateContainerResourceRequirements: names, quantities, and requests never above limits. */
