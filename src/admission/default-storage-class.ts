/**
 * The DefaultStorageClass admission plugin, pure: a PersistentVolumeClaim created
 * without a class (spec.storageClassName unset, and no beta class annotation) gets the
 * default StorageClass's name. The default is the class annotated
 * storageclass.kubernetes.io/is-default-class "true" (or the beta annotation); with
 * several, the newest by creationTimestamp wins, then the first by name, as in
 * Kubernetes 1.28+. With none, the claim is left alone. An explicit "" means "no class"
 * and is kept. The StorageClasses are an argument (the caller looks them up), so this
 * stays a function of its inputs. Only claims are touched (an object whose kind is set and
 * is not PersistentVolumeClaim is returned as is); the input is never mutated.
 * Kubernetes runs it on claim create only.
 */
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { ANN_BETA_DEFAULT_CLASS, ANN_BETA_STORAGE_CLASS, ANN_DEFAULT_CLASS } from '../controllers/volume/annotations.ts';
import type { AdmissionPlugin } from './plugin.ts';

export function isDefaultStorageClass(storageClass: KubeObject): boolean {
  const annotations = storageClass.metadata.annotations ?? {};
  return annotations[ANN_DEFAULT_CLASS] === 'true' || annotations[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/** GetDefaultClass: the newest default class, ties broken by name. */
export function defaultStorageClassOf(storageClasses: readonly KubeObject[]): KubeObject | undefined {
  const created = (sc: KubeObject) => Date.parse(sc.metadata.creationTimestamp ?? '') || 0;
  return storageClasses
    .filter(isDefaultStorageClass)
    .sort((a, b) => created(b) - created(a) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))[0];
}

export function defaultStorageClass(claim: KubeObject, storageClasses: readonly KubeObject[]): KubeObject {
  if (claim.kind && claim.kind !== 'PersistentVolumeClaim') return claim;
  const spec = isPlainObject(claim.spec) ? claim.spec : {};
  if ((spec.storageClassName !== undefined && spec.storageClassName !== null) || claim.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined) return claim;
  const chosen = defaultStorageClassOf(storageClasses);
  if (!chosen?.metadata.name) return claim;
  return { ...claim, spec: { ...spec, storageClassName: chosen.metadata.name } };
}

export const defaultStorageClassPlugin: AdmissionPlugin = {
  name: 'DefaultStorageClass',
  handles: (a) => a.operation === 'CREATE' && a.resource.key === 'persistentvolumeclaims' && a.subresource === undefined,
  admit: (a, context) => defaultStorageClass(a.object, context.store.list('storageclasses.storage.k8s.io').items),
};
