/**
 * Watch triggers, as kube-apiserver's cacher has them: a pods watch whose field selector
 * requires spec.nodeName=<node> (every kubelet's) can only see pods on that node, so the
 * watch cache indexes it by that value and offers it only those pods' changes.
 */
import { parseFieldSelector } from '../api/field-selectors.ts';
import { isPlainObject, type KubeObject } from '../api/object.ts';

export const TRIGGER_FIELD = 'spec.nodeName';

/**
 * A value the watch's filter requires of `field`: the filter must reject every object whose
 * field has another value, so changes of such objects need not be offered to it at all.
 */
export interface WatchTrigger {
  field: typeof TRIGGER_FIELD;
  value: string;
}

/**
 * The trigger of a watch of `resource` with `fieldSelector`: pods with an exact
 * `spec.nodeName=` (or `==`) requirement; otherwise undefined. The selector must already be
 * valid (objectFilter parsed it); an invalid one has no trigger.
 */
export function watchTriggerOf(resource: string, fieldSelector: string | undefined): WatchTrigger | undefined {
  if (resource !== 'pods' || !fieldSelector) return undefined;
  let requirements;
  try {
    requirements = parseFieldSelector({ key: resource }, fieldSelector);
  } catch {
    return undefined;
  }
  const exact = requirements.find((r) => r.field === TRIGGER_FIELD && r.operator !== '!=');
  return exact === undefined ? undefined : { field: TRIGGER_FIELD, value: exact.value };
}

/** An object's trigger field as a field selector reads it: missing is "". */
export function triggerFieldValue(object: KubeObject): string {
  const spec = (object as { spec?: unknown }).spec;
  const value = isPlainObject(spec) ? spec.nodeName : undefined;
  return value === undefined || value === null ? '' : String(value);
}
