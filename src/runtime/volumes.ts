/**
 * A pod's volumes as directories on the host, laid out as kubelet lays them out:
 * `<podDir>/volumes/<plugin>/<volume>` with plugin kubernetes.io~empty-dir,
 * ~configmap, ~secret, ~downward-api or ~projected; a hostPath volume is the host path
 * itself, and so is a persistentVolumeClaim volume: the hostPath or local directory of
 * the PersistentVolume its claim is bound to (the claim must exist and be Bound, and the
 * volume's claimRef must name it; otherwise the volume is not ready and kubelet
 * retries). API-data volumes (configMap, secret, downwardAPI, projected) are written with
 * the atomic writer, so calling prepareVolumes again refreshes them in place (kubelet
 * resyncs them when the objects change) and leaves emptyDir contents alone.
 *
 * mountsFor turns a container's volumeMounts into runtime Mounts. How a runtime makes a
 * Mount visible is its own affair (the process runtime links it under the container's
 * root dir; see process-runtime.ts).
 */
import { mkdir, stat, writeFile, chmod } from 'node:fs/promises';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { writeAtomically, type FileProjection } from './atomic-writer.ts';
import { configMapData, secretData } from './env.ts';
import { fieldRefValue, resourceFieldRefValue, type NodeAllocatable } from './downward-api.ts';
import { expandVariables } from './expansion.ts';
import { ContainerStartError, type Mount } from './runtime.ts';

export interface VolumeSources {
  configMaps: Map<string, KubeObject>;
  secrets: Map<string, KubeObject>;
  /** Issues the token of a projected serviceAccountToken source; without it (or when it answers undefined: no signer) that file is not written. */
  serviceAccountToken?: (request: { audience?: string; expirationSeconds: number }) => Promise<string | undefined>;
  /** Node allocatable, for downwardAPI resourceFieldRef of unset limits. */
  allocatable?: NodeAllocatable;
  /** The pod's PersistentVolumeClaims by name (those that exist). */
  persistentVolumeClaims?: Map<string, KubeObject>;
  /** The PersistentVolumes those claims are bound to, by name (those that exist). */
  persistentVolumes?: Map<string, KubeObject>;
}

/** A volume that could not be set up: kubelet reports it as a FailedMount event and keeps the pod in ContainerCreating. */
export class VolumeSetupError extends Error {
  readonly reason = 'FailedMount';
  constructor(
    readonly volume: string,
    readonly detail: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${detail}`);
    this.name = 'VolumeSetupError';
  }
}

/** The plugin directories that hold API data, which Kubernetes always mounts read-only. */
const READ_ONLY_PLUGINS = ['kubernetes.io~configmap', 'kubernetes.io~secret', 'kubernetes.io~downward-api', 'kubernetes.io~projected'];
const DEFAULT_MODE = 0o644;

export async function prepareVolumes(pod: KubeObject, podDir: string, sources: VolumeSources): Promise<Map<string, string>> {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const paths = new Map<string, string>();
  for (const volume of arrayOf(spec.volumes)) {
    const name = String(volume.name ?? '');
    try {
      paths.set(name, await prepareVolume(pod, podDir, volume, sources));
    } catch (error) {
      if (error instanceof VolumeSetupError) throw error;
      throw new VolumeSetupError(name, error instanceof Error ? error.message : String(error));
    }
  }
  return paths;
}

async function prepareVolume(pod: KubeObject, podDir: string, volume: Record<string, unknown>, sources: VolumeSources): Promise<string> {
  const name = String(volume.name ?? '');
  const pluginDir = (plugin: string) => join(podDir, 'volumes', plugin, name);

  if (isPlainObject(volume.emptyDir)) {
    // medium: Memory would be a tmpfs; a plain directory behaves the same for a process.
    const dir = pluginDir('kubernetes.io~empty-dir');
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o777);
    return dir;
  }
  if (isPlainObject(volume.hostPath)) {
    return prepareHostPath(String(volume.hostPath.path ?? ''), String(volume.hostPath.type ?? ''));
  }
  if (isPlainObject(volume.persistentVolumeClaim)) {
    return prepareClaimVolume(volume.persistentVolumeClaim, sources);
  }
  if (isPlainObject(volume.configMap)) {
    const source = volume.configMap;
    const dir = pluginDir('kubernetes.io~configmap');
    const payload = configMapPayload(source, modeOf(source.defaultMode), sources);
    await writeAtomically(dir, payload ?? new Map());
    return dir;
  }
  if (isPlainObject(volume.secret)) {
    const source = volume.secret;
    const dir = pluginDir('kubernetes.io~secret');
    const payload = secretPayload({ ...source, name: source.secretName }, modeOf(source.defaultMode), sources);
    await writeAtomically(dir, payload ?? new Map());
    return dir;
  }
  if (isPlainObject(volume.downwardAPI)) {
    const source = volume.downwardAPI;
    const dir = pluginDir('kubernetes.io~downward-api');
    await writeAtomically(dir, downwardPayload(pod, arrayOf(source.items), modeOf(source.defaultMode), sources.allocatable));
    return dir;
  }
  if (isPlainObject(volume.projected)) {
    const dir = pluginDir('kubernetes.io~projected');
    await writeAtomically(dir, await projectedPayload(pod, volume.projected, sources));
    return dir;
  }
  const type = Object.keys(volume).find((key) => key !== 'name') ?? 'unknown';
  throw new VolumeSetupError(name, `volume type ${type} is not supported by jetkube's process runtime`);
}

async function prepareHostPath(path: string, type: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  const fail = (what: string) => {
    throw new Error(`hostPath type check failed: ${path} is not ${what}`);
  };
  switch (type) {
    case 'DirectoryOrCreate':
      if (!info) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!info.isDirectory()) fail('a directory');
      break;
    case 'Directory':
      if (!info?.isDirectory()) fail('a directory');
      break;
    case 'FileOrCreate':
      if (!info) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, '', { mode: 0o644 });
      } else if (!info.isFile()) fail('a file');
      break;
    case 'File':
      if (!info?.isFile()) fail('a file');
      break;
    case 'Socket':
      if (!info?.isSocket()) fail('a socket file');
      break;
    case 'CharDevice':
      if (!info?.isCharacterDevice()) fail('a character device');
      break;
    case 'BlockDevice':
      if (!info?.isBlockDevice()) fail('a block device');
      break;
  }
  return path;
}

/** The claims a pod's volumes name, in order. */
export function claimNamesOf(pod: KubeObject): string[] {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  return arrayOf(spec.volumes).flatMap((volume) => {
    const source = isPlainObject(volume.persistentVolumeClaim) ? volume.persistentVolumeClaim : undefined;
    return typeof source?.claimName === 'string' ? [source.claimName] : [];
  });
}

/** The volumes a pod asks to mount read-only as a whole (persistentVolumeClaim.readOnly). */
export function readOnlyVolumeNames(pod: KubeObject): Set<string> {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const names = arrayOf(spec.volumes)
    .filter((volume) => isPlainObject(volume.persistentVolumeClaim) && volume.persistentVolumeClaim.readOnly === true)
    .map((volume) => String(volume.name ?? ''));
  return new Set(names);
}

/** The directory of the volume a claim is bound to, checked as kubelet checks the claim and its volume. */
async function prepareClaimVolume(source: Record<string, unknown>, sources: VolumeSources): Promise<string> {
  const claimName = String(source.claimName ?? '');
  const claim = sources.persistentVolumeClaims?.get(claimName);
  if (!claim) throw new Error(`persistentvolumeclaim "${claimName}" not found`);
  if (claim.metadata.deletionTimestamp) throw new Error(`persistentvolumeclaim "${claimName}" is being deleted`);
  const volumeName = isPlainObject(claim.spec) && typeof claim.spec.volumeName === 'string' ? claim.spec.volumeName : '';
  const phase = isPlainObject(claim.status) ? claim.status.phase : undefined;
  if (phase !== 'Bound' || !volumeName) throw new Error(`persistentvolumeclaim "${claimName}" is not bound`);
  const pv = sources.persistentVolumes?.get(volumeName);
  if (!pv) throw new Error(`persistentvolume "${volumeName}" not found`);
  const spec = isPlainObject(pv.spec) ? pv.spec : {};
  const claimRef = isPlainObject(spec.claimRef) ? spec.claimRef : {};
  if (claimRef.uid !== claim.metadata.uid) {
    throw new Error(`persistentvolume "${volumeName}" is not bound to persistentvolumeclaim "${claimName}" (uid ${claim.metadata.uid ?? ''})`);
  }
  if (isPlainObject(spec.hostPath)) return prepareHostPath(String(spec.hostPath.path ?? ''), String(spec.hostPath.type ?? ''));
  if (isPlainObject(spec.local)) return prepareHostPath(String(spec.local.path ?? ''), 'Directory');
  const type = Object.keys(spec).find((key) => !NON_SOURCE_PV_FIELDS.has(key)) ?? 'unknown';
  throw new Error(`persistentvolume "${volumeName}" of type ${type} is not supported by jetkube's process runtime`);
}

const NON_SOURCE_PV_FIELDS = new Set([
  'capacity',
  'accessModes',
  'claimRef',
  'persistentVolumeReclaimPolicy',
  'storageClassName',
  'mountOptions',
  'volumeMode',
  'nodeAffinity',
  'volumeAttributesClassName',
]);

/** Files of a configMap source; undefined when an optional ConfigMap is missing. */
function configMapPayload(source: Record<string, unknown>, defaultMode: number, sources: VolumeSources): Map<string, FileProjection> | undefined {
  const name = String(source.name ?? '');
  const configMap = sources.configMaps.get(name);
  if (!configMap) {
    if (source.optional === true) return undefined;
    throw new Error(`configmap "${name}" not found`);
  }
  return keyPayload(configMapData(configMap), arrayOf(source.items), defaultMode, source.optional === true, 'configmap references non-existent config key');
}

function secretPayload(source: Record<string, unknown>, defaultMode: number, sources: VolumeSources): Map<string, FileProjection> | undefined {
  const name = String(source.name ?? '');
  const secret = sources.secrets.get(name);
  if (!secret) {
    if (source.optional === true) return undefined;
    throw new Error(`secret "${name}" not found`);
  }
  return keyPayload(secretData(secret), arrayOf(source.items), defaultMode, source.optional === true, 'references non-existent secret key');
}

/** Every key as a file, or only the listed items at their paths (a missing key fails unless the source is optional). */
function keyPayload(
  data: Record<string, string>,
  items: Array<Record<string, unknown>>,
  defaultMode: number,
  optional: boolean,
  missingKeyMessage: string,
): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  if (items.length === 0) {
    for (const [key, value] of Object.entries(data)) payload.set(key, { data: Buffer.from(value), mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const key = String(item.key ?? '');
    if (!Object.hasOwn(data, key)) {
      if (optional) continue;
      throw new Error(`${missingKeyMessage}: ${key}`);
    }
    payload.set(String(item.path ?? key), { data: Buffer.from(data[key]!), mode: modeOf(item.mode, defaultMode) });
  }
  return payload;
}

function downwardPayload(
  pod: KubeObject,
  items: Array<Record<string, unknown>>,
  defaultMode: number,
  allocatable: NodeAllocatable | undefined,
): Map<string, FileProjection> {
  const status = isPlainObject(pod.status) ? pod.status : {};
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const addresses = { podIP: String(status.podIP ?? ''), hostIP: String(status.hostIP ?? ''), nodeName: String(spec.nodeName ?? '') };
  const payload = new Map<string, FileProjection>();
  for (const item of items) {
    let value = '';
    if (isPlainObject(item.fieldRef)) {
      value = fieldRefValue(pod, String(item.fieldRef.fieldPath ?? ''), addresses);
    } else if (isPlainObject(item.resourceFieldRef)) {
      const ref = item.resourceFieldRef;
      const container = [...arrayOf(spec.containers), ...arrayOf(spec.initContainers)].find((c) => c.name === ref.containerName);
      if (!container) throw new Error(`cannot find container ${String(ref.containerName ?? '')} for resourceFieldRef ${String(ref.resource ?? '')}`);
      value = resourceFieldRefValue(ref, container, allocatable);
    }
    payload.set(String(item.path ?? ''), { data: Buffer.from(value), mode: modeOf(item.mode, defaultMode) });
  }
  return payload;
}

async function projectedPayload(pod: KubeObject, projected: Record<string, unknown>, sources: VolumeSources): Promise<Map<string, FileProjection>> {
  const defaultMode = modeOf(projected.defaultMode);
  const payload = new Map<string, FileProjection>();
  const add = (files: Map<string, FileProjection> | undefined) => {
    for (const [path, file] of files ?? []) payload.set(path, file);
  };
  for (const source of arrayOf(projected.sources)) {
    if (isPlainObject(source.configMap)) add(configMapPayload(source.configMap, defaultMode, sources));
    else if (isPlainObject(source.secret)) add(secretPayload(source.secret, defaultMode, sources));
    else if (isPlainObject(source.downwardAPI)) add(downwardPayload(pod, arrayOf(source.downwardAPI.items), defaultMode, sources.allocatable));
    else if (isPlainObject(source.serviceAccountToken) && sources.serviceAccountToken) {
      const request = source.serviceAccountToken;
      const token = await sources.serviceAccountToken({
        ...(typeof request.audience === 'string' ? { audience: request.audience } : {}),
        expirationSeconds: typeof request.expirationSeconds === 'number' ? request.expirationSeconds : 3600,
      });
      if (token !== undefined) payload.set(String(request.path ?? 'token'), { data: Buffer.from(token), mode: defaultMode });
    }
  }
  return payload;
}

/**
 * The Mounts of one container. env (the container's resolved env) serves subPathExpr;
 * without it only literal env values expand. A subPath that does not exist yet is
 * created as a directory, as kubelet does. readOnlyVolumes (readOnlyVolumeNames) are
 * mounted read-only whatever the volumeMount says.
 */
export function mountsFor(
  container: Record<string, unknown>,
  volumePaths: Map<string, string>,
  env?: Array<{ name: string; value: string }>,
  readOnlyVolumes: ReadonlySet<string> = new Set(),
): Mount[] {
  const containerName = String(container.name ?? '');
  const variables = new Map<string, string>();
  if (env) for (const { name, value } of env) variables.set(name, value);
  else for (const variable of arrayOf(container.env)) if (typeof variable.value === 'string') variables.set(String(variable.name), variable.value);

  return arrayOf(container.volumeMounts).map((volumeMount) => {
    const volumeName = String(volumeMount.name ?? '');
    const volumeDir = volumePaths.get(volumeName);
    if (volumeDir === undefined) {
      throw new ContainerStartError('CreateContainerConfigError', `cannot find volume "${volumeName}" to mount into container "${containerName}"`);
    }
    let subPath = typeof volumeMount.subPath === 'string' ? volumeMount.subPath : '';
    if (!subPath && typeof volumeMount.subPathExpr === 'string') {
      subPath = expandVariables(volumeMount.subPathExpr, (name) => variables.get(name));
    }
    let hostPath = volumeDir;
    if (subPath) {
      hostPath = resolve(volumeDir, subPath);
      if (subPath.startsWith('/') || (hostPath !== volumeDir && !hostPath.startsWith(volumeDir + sep))) {
        throw new ContainerStartError('CreateContainerConfigError', `failed to prepare subPath for volumeMount "${volumeName}" of container "${containerName}"`);
      }
      if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true, mode: 0o750 });
    }
    const readOnly = volumeMount.readOnly === true || readOnlyVolumes.has(volumeName) || READ_ONLY_PLUGINS.some((plugin) => volumeDir.includes(`${sep}${plugin}${sep}`));
    return { hostPath, containerPath: String(volumeMount.mountPath ?? ''), readOnly };
  });
}

function modeOf(value: unknown, fallback = DEFAULT_MODE): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0o777 ? value : fallback;
}

function arrayOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}
