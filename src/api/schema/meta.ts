/**
 * Schemas of apimachinery's meta/v1 types that every kind shares: ObjectMeta,
 * OwnerReference, LabelSelector, Condition, and the small core references.
 */
import { any, bool, int64, keyedList, kindSchema, listOf, obj, str, strList, strMap, time, type Properties } from './dsl.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const OwnerReference = obj(
  {
    apiVersion: str(),
    kind: str(),
    name: str(),
    uid: str(),
    controller: bool(),
    blockOwnerDeletion: bool(),
  },
  { name: `${META}.OwnerReference`, required: ['apiVersion', 'kind', 'name', 'uid'] },
);

export const ManagedFieldsEntry = obj(
  {
    apiVersion: str(),
    fieldsType: str(),
    fieldsV1: any(),
    manager: str(),
    operation: str(),
    subresource: str(),
    time: time(),
  },
  { name: `${META}.ManagedFieldsEntry` },
);

export const ObjectMeta = obj(
  {
    name: str(),
    generateName: str(),
    namespace: str(),
    selfLink: str(),
    uid: str(),
    resourceVersion: str(),
    generation: int64(),
    creationTimestamp: time(),
    deletionTimestamp: time(),
    deletionGracePeriodSeconds: int64(),
    labels: strMap(),
    annotations: strMap(),
    ownerReferences: keyedList(OwnerReference, 'uid'),
    finalizers: listOf(str(), { listType: 'set', patchStrategy: 'merge' }),
    managedFields: listOf(ManagedFieldsEntry),
  },
  { name: `${META}.ObjectMeta` },
);

export const LabelSelectorRequirement = obj(
  {
    key: str(),
    operator: str({ enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'], enforceEnum: false }),
    values: strList(),
  },
  { name: `${META}.LabelSelectorRequirement`, required: ['key', 'operator'] },
);

export const LabelSelector = obj(
  { matchLabels: strMap(), matchExpressions: listOf(LabelSelectorRequirement) },
  { name: `${META}.LabelSelector` },
);

export const Condition = obj(
  {
    type: str(),
    status: str({ enum: ['True', 'False', 'Unknown'] }),
    observedGeneration: int64(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  },
  { name: `${META}.Condition`, required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
);

export const conditionList = () => keyedList(Condition, 'type');

/** Conditions of the older core/apps style: a type, a status and free-form timestamps. */
export function conditionsOf(extraTimes: readonly string[] = []) {
  const times: Properties = Object.fromEntries(['lastTransitionTime', ...extraTimes].map((t) => [t, time()]));
  return keyedList(obj({ type: str(), status: str(), reason: str(), message: str(), observedGeneration: int64(), ...times }), 'type');
}

export const LocalObjectReference = obj({ name: str() }, { name: 'io.k8s.api.core.v1.LocalObjectReference' });

export const ObjectReference = obj(
  {
    apiVersion: str(),
    kind: str(),
    name: str(),
    namespace: str(),
    uid: str(),
    resourceVersion: str(),
    fieldPath: str(),
  },
  { name: 'io.k8s.api.core.v1.ObjectReference' },
);

export const TypedLocalObjectReference = obj(
  { apiGroup: str(), kind: str(), name: str() },
  { name: 'io.k8s.api.core.v1.TypedLocalObjectReference', required: ['kind', 'name'] },
);

/** The whole-object schema of a kind, with ObjectMeta. */
export const kind = <P extends Properties>(name: string, properties: P) => kindSchema(name, ObjectMeta, properties);
