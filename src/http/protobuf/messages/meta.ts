/**
 * apimachinery meta/v1 messages: ObjectMeta, the selector and condition types objects
 * embed, and DeleteOptions (the body client-go's typed clients send with a DELETE, and
 * inside an Eviction).
 */
import { bool, i64, KEEP, LIST, MAP, msg, str, time, type MessageSpec } from '../dsl.ts';

export const META: Record<string, MessageSpec> = {
  ObjectMeta: {
    1: str('name'),
    2: str('generateName'),
    3: str('namespace'),
    4: str('selfLink'),
    5: str('uid'),
    6: str('resourceVersion'),
    7: i64('generation'),
    8: time('creationTimestamp'),
    9: time('deletionTimestamp', KEEP),
    10: i64('deletionGracePeriodSeconds', KEEP),
    11: str('labels', MAP),
    12: str('annotations', MAP),
    13: msg('ownerReferences', 'OwnerReference', LIST),
    14: str('finalizers', LIST),
  },
  OwnerReference: {
    5: str('apiVersion', KEEP),
    1: str('kind', KEEP),
    3: str('name', KEEP),
    4: str('uid', KEEP),
    6: bool('controller', KEEP),
    7: bool('blockOwnerDeletion', KEEP),
  },
  LabelSelector: {
    1: str('matchLabels', MAP),
    2: msg('matchExpressions', 'LabelSelectorRequirement', LIST),
  },
  LabelSelectorRequirement: {
    1: str('key', KEEP),
    2: str('operator', KEEP),
    3: str('values', LIST),
  },
  DeleteOptions: {
    1: i64('gracePeriodSeconds', KEEP),
    2: msg('preconditions', 'Preconditions'),
    3: bool('orphanDependents', KEEP),
    4: str('propagationPolicy', KEEP),
    5: str('dryRun', LIST),
  },
  Preconditions: { 1: str('uid', KEEP), 2: str('resourceVersion', KEEP) },
  Condition: {
    1: str('type', KEEP),
    2: str('status', KEEP),
    3: i64('observedGeneration'),
    4: time('lastTransitionTime', KEEP),
    5: str('reason', KEEP),
    6: str('message', KEEP),
  },
};
