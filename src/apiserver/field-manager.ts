/**
 * The field manager of the write verbs: every create, update and patch records its
 * manager's changed fields in managedFields (Operation Update); server-side apply records
 * its own (verbs/apply.ts). A write that clears managedFields (`[{}]` or `[]`) leaves them
 * cleared. A write through a subresource (status, finalize) records its own entry with
 * `subresource` set, as Kubernetes does since 1.22 (so the kubelet's status writes are
 * `manager: kubelet, subresource: status`, apart from its writes of the pod itself).
 */
import type { KubeObject } from '../api/object.ts';
import { recordUpdate, withManagedFields } from '../api/managed-fields.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { schemaFor } from '../api/schema/index.ts';
import type { ApiRequest } from './request.ts';

/** Without a fieldManager, writes are recorded under this name (the HTTP face passes the user agent's). */
export const DEFAULT_FIELD_MANAGER = 'unknown';

export const fieldManagerOf = (request: ApiRequest) => request.options?.fieldManager || DEFAULT_FIELD_MANAGER;

export function recordWrite(rt: ResourceType, before: KubeObject | undefined, after: KubeObject, request: ApiRequest, now: string): KubeObject {
  if (before?.metadata.managedFields !== undefined && after.metadata.managedFields === undefined) return after;
  const subresource = writtenSubresource(request);
  const entries = recordUpdate(before, after, schemaFor(rt), {
    manager: fieldManagerOf(request),
    now,
    apiVersion: rt.apiVersion,
    ...(subresource ? { subresource } : {}),
  });
  return entries ? withManagedFields(after, entries) : after;
}

/** The subresource a write records in its managedFields entry (binding, eviction and token are creates of other kinds). */
function writtenSubresource(request: ApiRequest): string | undefined {
  return request.subresource === 'status' || request.subresource === 'finalize' ? request.subresource : undefined;
}
