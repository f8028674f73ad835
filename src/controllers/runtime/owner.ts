/**
 * Owner references, as apimachinery's metav1 helpers read them: the controller reference
 * (at most one ownerRef with controller: true) and the key of the owner it names.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';

export function controllerRef(object: KubeObject): OwnerReference | undefined {
  return (object.metadata.ownerReferences ?? []).find((ref) => ref.controller === true);
}

/** The cache key of the owner an ownerRef names, in the dependent's namespace. */
export function ownerKey(dependent: KubeObject, ref: OwnerReference): string {
  const ns = dependent.metadata.namespace;
  return ns ? `${ns}/${ref.name}` : ref.name;
}

/** An owner reference that makes `owner` the controller of its dependents. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}
