/**
 * The NamespaceLifecycle rule every write of a namespaced object passes: its namespace
 * must exist and must not be terminating. (The admission chain of the security issue
 * will host this as a plugin; the rule itself stays here.)
 */
import { forbidden, notFound } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import type { ObjectStore } from '../store/object-store.ts';

export function admitNamespace(store: Pick<ObjectStore, 'get'>, rt: ResourceType, object: KubeObject): void {
  if (!rt.namespaced) return;
  const namespace = object.metadata.namespace ?? '';
  const ns = store.get('namespaces', '', namespace);
  if (!ns) throw notFound('namespaces', '', namespace);
  if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
    throw forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}
