/**
 * The mutating admission plugins a create passes through, after defaulting and before
 * validation, in Kubernetes' order. Each plugin is a pure function of the object; the
 * security issue adds ServiceAccount, LimitRanger and the validating half.
 */
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { defaultTolerationSeconds } from './default-toleration-seconds.ts';

export function admitCreate(rt: ResourceType, object: KubeObject): KubeObject {
  return rt.key === 'pods' ? defaultTolerationSeconds(object) : object;
}
