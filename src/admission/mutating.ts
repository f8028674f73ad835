/**
 * The mutating admission plugins a create passes through, after defaulting and before
 * validation, in Kubernetes' order. Each plugin is a pure function of the object; the
 * security issue adds ServiceAccount, LimitRanger and the validating half.
 */
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { defaultStorageClass } from './default-storage-class.ts';
import { defaultTolerationSeconds } from './default-toleration-seconds.ts';

/** storageClasses: the StorageClasses as the API server's store has them (DefaultStorageClass reads them). */
export function admitCreate(rt: ResourceType, object: KubeObject, storageClasses: () => readonly KubeObject[] = () => []): KubeObject {
  if (rt.key === 'persistentvolumeclaims') return defaultStorageClass(object, storageClasses());
  return rt.key === 'pods' ? defaultTolerationSeconds(object) : object;
}
