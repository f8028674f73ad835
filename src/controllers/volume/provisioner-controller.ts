/**
 * The local-path provisioner's wiring: keys are `claim:<ns>/<name>`, `volume:<name>` and
 * one `default-class` key queued at start. A claim the binder handed to this provisioner
 * gets its directory made (mode 0777, so any container user can write, as rancher's) and
 * its volume created pre-bound to it; the binder then binds the claim to it. A Released
 * volume of its own with reclaim policy Delete loses its directory, then its object
 * (uid-pinned). The default StorageClass is created when the cache has none of that
 * name, once per start (kube-addon-manager's EnsureExists). The volume's name is fixed by
 * the claim's uid, so a create that finds it already there (a previous attempt, or
 * another provisioner) is success.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { componentLogger } from '../../log.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES } from './annotations.ts';
import { decideProvisioning, defaultStorageClass, DEFAULT_STORAGE_CLASS_NAME, LOCAL_PATH_PROVISIONER, shouldDeleteVolume, volumeDirectory } from './local-path.ts';
import { claimClass, claimSpec } from './match.ts';

const log = componentLogger('local-path-provisioner');
const CLAIM = 'claim:';
const VOLUME = 'volume:';
const DEFAULT_CLASS = 'default-class';

/** Where volumes live when no root is given: <data-dir>/volumes of `jetkube up`'s default data dir. */
export const DEFAULT_LOCAL_PATH_ROOT = resolve('data', 'volumes');

export interface LocalPathProvisionerOptions extends ControllerOptions {
  /** The directory under which each volume gets its own directory (default ./data/volumes). */
  root?: string;
  /** Create the default StorageClass `standard` when missing (default true). */
  ensureDefaultClass?: boolean;
  recorder?: EventRecorder;
}

export function newLocalPathProvisioner(client: ApiClient, factory: SharedInformerFactory, options: LocalPathProvisionerOptions = {}): Controller {
  const clock: Clock = options.clock ?? realClock;
  const root = resolve(options.root ?? DEFAULT_LOCAL_PATH_ROOT);
  const recorder = options.recorder ?? new ApiEventRecorder(client, LOCAL_PATH_PROVISIONER, clock);
  const controller = new Controller('local-path-provisioner', options);
  const claimInformer = factory.informerFor(PERSISTENT_VOLUME_CLAIMS);
  const volumeInformer = factory.informerFor(PERSISTENT_VOLUMES);
  const classInformer = factory.informerFor(STORAGE_CLASSES);
  /** Volumes this provisioner created that its cache may not show yet: no second Provisioning event for them. */
  const created = new Set<string>();

  controller.watch(claimInformer, {
    onAdd: (claim) => controller.enqueue(CLAIM + objectKey(claim)),
    onUpdate: (_old, claim) => controller.enqueue(CLAIM + objectKey(claim)),
  });
  controller.watch(volumeInformer, {
    onAdd: (pv) => controller.enqueue(VOLUME + pv.metadata.name),
    onUpdate: (_old, pv) => controller.enqueue(VOLUME + pv.metadata.name),
    onDelete: (o) => created.delete(deletedObject(o).metadata.name ?? ''),
  });
  const onClass = (sc: KubeObject) => {
    for (const claim of claimInformer.indexer.list()) {
      if (!claimSpec(claim).volumeName && claimClass(claim) === sc.metadata.name) controller.enqueue(CLAIM + objectKey(claim));
    }
  };
  controller.watch(classInformer, { onAdd: onClass, onUpdate: (_old, sc) => onClass(sc) });
  if (options.ensureDefaultClass !== false) controller.enqueue(DEFAULT_CLASS);

  const provision = async (key: string) => {
    const claim = claimInformer.indexer.get(key);
    if (!claim) return;
    const className = claimClass(claim);
    const storageClass = className ? classInformer.indexer.get(className) : undefined;
    const decision = decideProvisioning(claim, storageClass, root);
    if (decision.type === 'none') return;
    if (decision.type === 'fail') {
      recorder.record(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${decision.message}`);
      return;
    }
    const volume = decision.volume;
    const name = volume.metadata.name!;
    if (volumeInformer.indexer.get(name) || created.has(name)) return;
    recorder.record(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
    try {
      const dir = volumeDirectory(volume)!;
      await mkdir(dir, { recursive: true, mode: 0o777 });
      await chmod(dir, 0o777);
      await client.create(PERSISTENT_VOLUMES, volume);
      created.add(name);
      log.info({ claim: key, volume: name, dir }, 'provisioned a volume');
      recorder.record(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
    } catch (error) {
      if (error instanceof StatusError && error.code === 409) {
        created.add(name);
        return;
      }
      recorder.record(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${errorMessage(error)}`);
      throw error;
    }
  };

  const reclaim = async (name: string) => {
    const pv = volumeInformer.indexer.get(name);
    if (!pv || !shouldDeleteVolume(pv)) return;
    const dir = volumeDirectory(pv)!;
    try {
      await rm(dir, { recursive: true, force: true });
      await client.delete(PERSISTENT_VOLUMES, undefined, name, { preconditions: { uid: pv.metadata.uid } });
      log.info({ volume: name, dir }, 'deleted a released volume and its directory');
    } catch (error) {
      if (error instanceof StatusError && (error.code === 404 || error.code === 409)) return;
      recorder.record(pv, 'Warning', 'VolumeFailedDelete', errorMessage(error));
      throw error;
    }
  };

  const ensureDefaultClass = async () => {
    if (classInformer.indexer.get(DEFAULT_STORAGE_CLASS_NAME)) return;
    try {
      await client.create(STORAGE_CLASSES, defaultStorageClass());
      log.info({ storageClass: DEFAULT_STORAGE_CLASS_NAME }, 'created the default StorageClass');
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 409)) throw error;
    }
  };

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    if (key === DEFAULT_CLASS) await ensureDefaultClass();
    else if (key.startsWith(CLAIM)) await provision(key.slice(CLAIM.length));
    else if (key.startsWith(VOLUME)) await reclaim(key.slice(VOLUME.length));
    return {};
  });
  return controller;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
