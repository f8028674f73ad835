/**
 * The garbage collector's decision, pure (Kubernetes' attemptToDeleteItem,
 * orphanDependents and processDeletingDependentsItem). For one object, given what is
 * known of its owners and which objects name it as owner:
 *  - as an owner being deleted with the `orphan` finalizer: remove its ownerRef from
 *    every dependent, then remove the finalizer;
 *  - as an owner being deleted with `foregroundDeletion`: delete its dependents
 *    (blockOwnerDeletion ones first); once no blocking dependent is left, remove the
 *    finalizer (non-blocking ones then go as dangling dependents);
 *  - as a dependent: if no owner is left (gone, or its uid differs), delete it
 *    (foreground when an owner waits for it and it has dependents of its own); if some
 *    owner remains, drop the references to the missing ones.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** What the collector knows of one owner reference. */
export type OwnerState = 'present' | 'absent' | 'deletingForeground' | 'unknown';

export interface OwnerView {
  ref: OwnerReference;
  state: OwnerState;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
}

export type GcAction =
  | { type: 'deleteObject'; target: ObjectRef; propagationPolicy: 'Background' | 'Foreground' }
  | { type: 'removeOwnerRefs'; target: ObjectRef; resourceVersion?: string; ownerUids: string[]; keep: OwnerReference[] }
  | { type: 'removeFinalizer'; target: ObjectRef; resourceVersion?: string; finalizer: string; remaining: string[] };

export function refTo(o: KubeObject): ObjectRef {
  const { namespace, name, uid } = o.metadata;
  return { apiVersion: o.apiVersion, kind: o.kind, ...(namespace ? { namespace } : {}), name: name!, uid: uid! };
}

const has = (o: KubeObject, finalizer: string) => (o.metadata.finalizers ?? []).includes(finalizer);
const refsTo = (dependent: KubeObject, ownerUid: string) => (dependent.metadata.ownerReferences ?? []).filter((r) => r.uid === ownerUid);

function removeFinalizer(o: KubeObject, finalizer: string): GcAction {
  const remaining = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return { type: 'removeFinalizer', target: refTo(o), resourceVersion: o.metadata.resourceVersion, finalizer, remaining };
}

/** The owner side: what an object being deleted owes its dependents. */
export function decideOwner(owner: KubeObject, dependents: readonly KubeObject[]): GcAction[] {
  if (!owner.metadata.deletionTimestamp) return [];
  const uid = owner.metadata.uid!;
  if (has(owner, FINALIZER_ORPHAN)) {
    const actions: GcAction[] = dependents
      .filter((d) => refsTo(d, uid).length > 0)
      .map((d) => ({
        type: 'removeOwnerRefs',
        target: refTo(d),
        resourceVersion: d.metadata.resourceVersion,
        ownerUids: [uid],
        keep: (d.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
      }));
    return actions.length > 0 ? actions : [removeFinalizer(owner, FINALIZER_ORPHAN)];
  }
  if (has(owner, FINALIZER_FOREGROUND)) {
    const mine = dependents.filter((d) => refsTo(d, uid).length > 0);
    const blocking = mine.filter((d) => refsTo(d, uid).some((r) => r.blockOwnerDeletion === true));
    if (blocking.length === 0) {
      const rest = mine.filter((d) => !d.metadata.deletionTimestamp);
      return [
        ...rest.map((d): GcAction => ({ type: 'deleteObject', target: refTo(d), propagationPolicy: 'Background' })),
        removeFinalizer(owner, FINALIZER_FOREGROUND),
      ];
    }
    const nonBlocking = mine.filter((d) => !blocking.includes(d));
    return [...blocking, ...nonBlocking]
      .filter((d) => !d.metadata.deletionTimestamp)
      .map((d) => ({ type: 'deleteObject', target: refTo(d), propagationPolicy: 'Background' }));
  }
  return [];
}

/** The dependent side: whether an object outlived all its owners. */
export function decideDependent(object: KubeObject, owners: readonly OwnerView[], hasDependents = false): GcAction[] {
  if (owners.length === 0 || object.metadata.deletionTimestamp) return [];
  const solid = owners.filter((o) => o.state === 'present' || o.state === 'unknown');
  const dangling = owners.filter((o) => o.state === 'absent');
  const waiting = owners.filter((o) => o.state === 'deletingForeground');
  if (dangling.length === 0 && waiting.length === 0) return [];
  if (solid.length > 0) {
    const gone = new Set([...dangling, ...waiting].map((o) => o.ref.uid));
    return [
      {
        type: 'removeOwnerRefs',
        target: refTo(object),
        resourceVersion: object.metadata.resourceVersion,
        ownerUids: [...gone],
        keep: (object.metadata.ownerReferences ?? []).filter((r) => !gone.has(r.uid)),
      },
    ];
  }
  const foreground = waiting.length > 0 && hasDependents;
  return [{ type: 'deleteObject', target: refTo(object), propagationPolicy: foreground ? 'Foreground' : 'Background' }];
}
