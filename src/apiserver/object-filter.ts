/**
 * A list's or watch's selection as one predicate: namespace, label selector and field
 * selector, parsed once per request (a parse error is the request's 400).
 */
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { matchesLabels, parseLabelSelector } from '../api/selectors.ts';
import { matchesFields, parseFieldSelector } from '../api/field-selectors.ts';
import type { ApiRequest } from './request.ts';

export type ObjectFilter = (object: KubeObject) => boolean;

export function objectFilter(rt: ResourceType, request: ApiRequest): ObjectFilter {
  const labels = request.options?.labelSelector ? parseLabelSelector(request.options.labelSelector) : undefined;
  const fields = request.options?.fieldSelector ? parseFieldSelector(rt, request.options.fieldSelector) : undefined;
  const namespace = rt.namespaced && request.namespace ? request.namespace : undefined;
  return (object) =>
    (namespace === undefined || object.metadata.namespace === namespace) &&
    (labels === undefined || matchesLabels(labels, object.metadata.labels ?? {})) &&
    (fields === undefined || matchesFields(fields, rt, object));
}
