/**
 * The NamespaceLifecycle rule every create of a namespaced object passes: its namespace
 * must exist and must not be terminating. (The admission chain of the security issue
 * will host this as a plugin; the rule itself stays here.)
 *
 * The store may not yet hold a namespace whose create was acknowledged a moment ago (the
 * follower applies it just after), so a miss is checked again after a consistent read
 * before it becomes a 404: a client that creates a namespace and then an object in it
 * must never be refused. Hits, the common case, cost nothing extra.
 */
import { forbidden, notFound } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import type { ApiDeps } from './deps.ts';

export async function admitNamespace(deps: Pick<ApiDeps, 'store' | 'reads'>, rt: ResourceType, object: KubeObject): Promise<void> {
  if (!rt.namespaced) return;
  const namespace = object.metadata.namespace ?? '';
  let ns = deps.store.get('namespaces', '', namespace);
  if (!ns) {
    await deps.reads.consistent();
    ns = deps.store.get('namespaces', '', namespace);
  }
  if (!ns) throw notFound('namespaces', '', namespace);
  if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
    throw forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}
