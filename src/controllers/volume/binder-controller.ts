/**
 * The persistent volume binder's wiring (kube-controller-manager's persistent volume
 * controller): keys are `claim:<ns>/<name>` and `volume:<name>` on one queue; reconcile
 * reads the caches, asks decide-claim.ts or decide-volume.ts, and carries the actions
 * out in order, each write pinned to the resourceVersion it was decided on and the next
 * one built on what the last one returned.
 *
 * No volume is ever bound to two claims: a volume's claimRef is only set by an update
 * pinned to the revision at which the binder saw it free (or already naming that claim),
 * and the log's compare-and-set (expected last subject sequence) lets exactly one of two
 * such writes through, whether they come from two workers or from an old and a new
 * leader; the loser gets a 409, is retried, and then sees the volume taken. The claim
 * side is written only after the volume side succeeded, so a half-done binding always
 * has the volume naming the claim, which the claim's next sync finishes. The assume
 * cache only spares the lost races.
 *
 * A claim's sync is triggered by the claim, by any volume becoming free (every unbound
 * claim is looked at again), by its StorageClass, and by a scheduled pod that uses it
 * (WaitForFirstConsumer); a volume's sync by the volume and by its claim going away.
 * Before releasing a volume whose claim the cache lacks, the claim is read live: the
 * cache may simply be behind.
 */
import { StatusError } from '../../api/errors.ts';
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX, objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { claimNamesOf } from '../../runtime/volumes.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { ApiEventRecorder, type EventRecorder } from '../runtime/events.ts';
import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES } from './annotations.ts';
import { AssumeCache } from './assume-cache.ts';
import { carryOutClaimActions, carryOutVolumeActions, type BinderEffects } from './carry-out.ts';
import { decideClaim, isDelayBinding } from './decide-claim.ts';
import { decideVolume } from './decide-volume.ts';
import { claimClass, claimSpec, volumeSpec } from './match.ts';

export const BINDER_COMPONENT = 'persistentvolume-controller';
const CLAIM = 'claim:';
const VOLUME = 'volume:';

export interface PersistentVolumeBinderOptions extends ControllerOptions {
  recorder?: EventRecorder;
}

export function newPersistentVolumeBinder(client: ApiClient, factory: SharedInformerFactory, options: PersistentVolumeBinderOptions = {}): Controller {
  const clock: Clock = options.clock ?? realClock;
  const recorder = options.recorder ?? new ApiEventRecorder(client, BINDER_COMPONENT, clock);
  const controller = new Controller('persistentvolume-binder', options);
  const claimInformer = factory.informerFor(PERSISTENT_VOLUME_CLAIMS);
  const volumeInformer = factory.informerFor(PERSISTENT_VOLUMES);
  const classInformer = factory.informerFor(STORAGE_CLASSES);
  const podInformer = factory.informerFor('pods');
  const claims = new AssumeCache(claimInformer.indexer, objectKey);
  const volumes = new AssumeCache(volumeInformer.indexer, objectKey);

  const enqueueClaim = (namespace: string | undefined, name: string | undefined) => {
    if (namespace && name) controller.enqueue(`${CLAIM}${namespace}/${name}`);
  };
  const enqueueUnboundClaims = (className?: string) => {
    for (const claim of claimInformer.indexer.list()) {
      if (claim.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined) continue;
      if (className === undefined || claimClass(claim) === className) controller.enqueue(CLAIM + objectKey(claim));
    }
  };
  const onVolume = (pv: KubeObject) => {
    controller.enqueue(VOLUME + pv.metadata.name);
    const ref = volumeSpec(pv).claimRef;
    if (ref) enqueueClaim(ref.namespace, ref.name);
    else enqueueUnboundClaims();
  };

  controller.watch(claimInformer, {
    onAdd: (claim) => controller.enqueue(CLAIM + objectKey(claim)),
    onUpdate: (_old, claim) => controller.enqueue(CLAIM + objectKey(claim)),
    onDelete: (o) => {
      const claim = deletedObject(o);
      claims.restore(objectKey(claim));
      // Its volume (bound, or provisioned and not bound yet) is released.
      for (const pv of volumeInformer.indexer.list()) {
        const ref = volumeSpec(pv).claimRef;
        if (ref?.name === claim.metadata.name && ref?.namespace === claim.metadata.namespace) controller.enqueue(VOLUME + pv.metadata.name);
      }
    },
  });
  controller.watch(volumeInformer, {
    onAdd: onVolume,
    onUpdate: (_old, pv) => onVolume(pv),
    onDelete: (o) => {
      const pv = deletedObject(o);
      volumes.restore(objectKey(pv));
      const ref = volumeSpec(pv).claimRef;
      if (ref) enqueueClaim(ref.namespace, ref.name);
    },
  });
  controller.watch(classInformer, {
    onAdd: (sc) => enqueueUnboundClaims(sc.metadata.name),
    onUpdate: (_old, sc) => enqueueUnboundClaims(sc.metadata.name),
  });
  const onPod = (pod: KubeObject) => {
    if (!nodeNameOf(pod)) return;
    for (const claimName of claimNamesOf(pod)) {
      const claim = claimInformer.indexer.getBy(pod.metadata.namespace, claimName);
      if (claim && !claimSpec(claim).volumeName) enqueueClaim(pod.metadata.namespace, claimName);
    }
  };
  controller.watch(podInformer, { onAdd: onPod, onUpdate: (_old, pod) => onPod(pod) });

  const consumerNodeOf = (claim: KubeObject): string | undefined => {
    for (const pod of podInformer.indexer.byIndex(NAMESPACE_INDEX, claim.metadata.namespace ?? '')) {
      const node = nodeNameOf(pod);
      if (node && !pod.metadata.deletionTimestamp && claimNamesOf(pod).includes(claim.metadata.name ?? '')) return node;
    }
    return undefined;
  };

  const syncClaim = async (key: string) => {
    const claim = claims.get(key);
    if (!claim) return;
    const className = claimClass(claim);
    const storageClass = className ? classInformer.indexer.get(className) : undefined;
    const waiting = isDelayBinding(storageClass) && claim.metadata.annotations?.[ANN_SELECTED_NODE] === undefined;
    const consumerNode = waiting ? consumerNodeOf(claim) : undefined;
    const actions = decideClaim(claim, { volumes: volumes.list(), ...(storageClass ? { storageClass } : {}), ...(consumerNode ? { consumerNode } : {}) });
    await carryOutClaimActions(claim, actions, effects);
  };

  /** A pinned update, assumed before it leaves and restored if it fails. */
  const write = async (resource: string, object: KubeObject, subresource?: 'status'): Promise<KubeObject> => {
    const cache = resource === PERSISTENT_VOLUMES ? volumes : claims;
    const key = objectKey(object);
    cache.assume(object);
    try {
      const written = await client.update(resource, object, subresource ? { subresource } : {});
      cache.assume(written);
      return written;
    } catch (error) {
      cache.restore(key);
      throw error;
    }
  };

  const effects: BinderEffects = {
    now: () => clock.now(),
    write,
    record: (object, event) => recorder.record(object, event.type, event.reason, event.message),
    syncClaim: enqueueClaim,
  };

  const syncVolume = async (name: string) => {
    const pv = volumes.get(name);
    if (!pv) return;
    const ref = volumeSpec(pv).claimRef;
    let claim: KubeObject | undefined;
    if (ref?.uid && ref.name) {
      claim = claims.get(`${ref.namespace ?? ''}/${ref.name}`);
      if (!claim || claim.metadata.uid !== ref.uid) claim = await liveClaim(ref.namespace ?? '', ref.name);
    }
    await carryOutVolumeActions(pv, decideVolume(pv, claim), effects);
  };

  const liveClaim = async (namespace: string, name: string): Promise<KubeObject | undefined> => {
    try {
      return await client.get(PERSISTENT_VOLUME_CLAIMS, namespace, name);
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) return undefined;
      throw error;
    }
  };

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    try {
      if (key.startsWith(CLAIM)) await syncClaim(key.slice(CLAIM.length));
      else if (key.startsWith(VOLUME)) await syncVolume(key.slice(VOLUME.length));
    } catch (error) {
      // Gone meanwhile: its delete event brings whatever follows.
      if (error instanceof StatusError && error.code === 404) return {};
      throw error;
    }
    return {};
  });
  return controller;
}

function nodeNameOf(pod: KubeObject): string | undefined {
  const node = isPlainObject(pod.spec) ? pod.spec.nodeName : undefined;
  return typeof node === 'string' && node !== '' ? node : undefined;
}
