/**
 * The garbage collector's wiring: one informer per collected resource, keys
 * `<resource>|<namespace>/<name>`. Any change enqueues the object itself; a delete also
 * enqueues its dependents (their owner may be gone) and its owners (a foreground owner
 * may be done waiting), as does an update that drops an ownerRef (an orphaning owner).
 * An owner the cache misses is looked up live before a dependent is deleted, since the
 * owner's informer may simply lag the dependent's.
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { RESOURCES, resourceForKind } from '../../api/registry.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { OWNER_UID_INDEX, objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import type { SharedInformer } from '../../informer/shared-informer.ts';
import { Controller, type ControllerOptions } from '../runtime/controller.ts';
import { decideDependent, decideOwner, FINALIZER_FOREGROUND, type GcAction, type ObjectRef, type OwnerView } from './decide.ts';

/** Every resource that can be listed, watched and deleted, except Events (they expire on their own). */
export function collectableResources(): string[] {
  return RESOURCES.filter((rt) => ['list', 'watch', 'delete'].every((v) => rt.verbs.includes(v)) && rt.key !== 'events' && rt.key !== 'events.events.k8s.io').map(
    (rt) => rt.key,
  );
}

export interface GarbageCollectorOptions extends ControllerOptions {
  /** Registry keys to collect (default: collectableResources()). */
  resources?: string[];
}

export function newGarbageCollector(client: ApiClient, factory: SharedInformerFactory, options: GarbageCollectorOptions = {}): Controller {
  const controller = new Controller('garbage-collector', options);
  const informers = new Map<string, SharedInformer>();
  for (const resource of options.resources ?? collectableResources()) informers.set(resource, factory.informerFor(resource));

  const keyOf = (resource: string, o: KubeObject) => `${resource}|${objectKey(o)}`;
  const dependentsOf = (owner: KubeObject): Array<[string, KubeObject]> => {
    const found: Array<[string, KubeObject]> = [];
    for (const [resource, informer] of informers) {
      for (const d of informer.indexer.byIndex(OWNER_UID_INDEX, owner.metadata.uid ?? '')) {
        if (!owner.metadata.namespace || d.metadata.namespace === owner.metadata.namespace) found.push([resource, d]);
      }
    }
    return found;
  };
  const ownerKeys = (o: KubeObject) =>
    (o.metadata.ownerReferences ?? []).flatMap((ref) => {
      const rt = resourceForKind(ref.apiVersion, ref.kind);
      if (!rt || !informers.has(rt.key)) return [];
      return [`${rt.key}|${rt.namespaced && o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${ref.name}`];
    });

  for (const [resource, informer] of informers) {
    controller.watch(informer, {
      onAdd: (o) => controller.enqueue(keyOf(resource, o)),
      onUpdate: (old, o) => {
        controller.enqueue(keyOf(resource, o));
        // An owner this object no longer names may be waiting (orphan) for exactly that.
        const now = new Set(ownerKeys(o));
        for (const key of ownerKeys(old)) if (!now.has(key)) controller.enqueue(key);
      },
      onDelete: (value) => {
        const o = deletedObject(value);
        for (const [r, d] of dependentsOf(o)) controller.enqueue(keyOf(r, d));
        for (const key of ownerKeys(o)) controller.enqueue(key);
      },
    });
  }

  const ownerView = async (dependent: KubeObject, ref: OwnerReference): Promise<OwnerView> => {
    const rt = resourceForKind(ref.apiVersion, ref.kind);
    const informer = rt && informers.get(rt.key);
    if (!rt || !informer) return { ref, state: 'unknown' };
    const namespace = rt.namespaced ? dependent.metadata.namespace : undefined;
    let owner = informer.indexer.getBy(namespace, ref.name);
    if (!owner || owner.metadata.uid !== ref.uid) owner = await client.get(rt.key, namespace, ref.name).catch(notFoundAsUndefined);
    if (!owner || owner.metadata.uid !== ref.uid) return { ref, state: 'absent' };
    const waiting = owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FINALIZER_FOREGROUND);
    return { ref, state: waiting ? 'deletingForeground' : 'present' };
  };

  controller.reconcileWith(async (key) => {
    const bar = key.indexOf('|');
    const resource = key.slice(0, bar);
    const object = informers.get(resource)?.indexer.get(key.slice(bar + 1));
    if (!object) return;
    const dependents = dependentsOf(object).map(([, d]) => d);
    const owners = await Promise.all((object.metadata.ownerReferences ?? []).map((ref) => ownerView(object, ref)));
    const actions = [...decideOwner(object, dependents), ...decideDependent(object, owners, dependents.length > 0)];
    for (const action of actions) await carryOut(client, action);
  });
  return controller;
}

async function carryOut(client: ApiClient, action: GcAction): Promise<void> {
  const resource = resourceOf(action.target);
  const { namespace, name, uid } = action.target;
  switch (action.type) {
    case 'deleteObject':
      await client.delete(resource, namespace, name, { propagationPolicy: action.propagationPolicy, preconditions: { uid } }).catch(notFoundAsUndefined);
      return;
    case 'removeOwnerRefs': {
      const patch = { metadata: { ownerReferences: action.keep.length > 0 ? action.keep : null, resourceVersion: action.resourceVersion } };
      await client.patch(resource, namespace, name, patch, 'merge').catch(notFoundAsUndefined);
      return;
    }
    case 'removeFinalizer': {
      const patch = { metadata: { finalizers: action.remaining.length > 0 ? action.remaining : null, resourceVersion: action.resourceVersion } };
      await client.patch(resource, namespace, name, patch, 'merge').catch(notFoundAsUndefined);
      return;
    }
    default: {
      const never: never = action;
      throw new Error(`unknown action ${JSON.stringify(never)}`);
    }
  }
}

function resourceOf(target: ObjectRef): string {
  const rt = resourceForKind(target.apiVersion, target.kind);
  if (!rt) throw new Error(`no resource for ${target.apiVersion} ${target.kind}`);
  return rt.key;
}

function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof StatusError && error.code === 404) return undefined;
  throw error;
}

