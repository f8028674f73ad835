/**
 * The NamespaceLifecycle admission plugin (validating): every create of a namespaced
 * object needs its namespace to exist and not be terminating, and the namespaces the
 * cluster itself lives in (default, kube-system, kube-public) can never be deleted.
 *
 * The store may not yet hold a namespace whose create was acknowledged a moment ago (the
 * follower applies it just after), so a miss is checked again after a consistent read
 * before it becomes a 404: a client that creates a namespace and then an object in it
 * must never be refused. Hits, the common case, cost nothing extra.
 */
import { notFound } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import { admissionForbidden, type AdmissionAttributes, type AdmissionContext, type AdmissionPlugin } from './plugin.ts';

/** Kubernetes' immortal namespaces: the apiserver recreates them and refuses their deletion. */
export const IMMORTAL_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);

/** Review kinds answer about the caller and are never stored: a terminating namespace does not stop them. */
const ALWAYS_ALLOWED = new Set(['localsubjectaccessreviews.authorization.k8s.io']);

export function isTerminating(namespace: KubeObject): boolean {
  return !!namespace.metadata.deletionTimestamp || (namespace.status as { phase?: string } | undefined)?.phase === 'Terminating';
}

export const namespaceLifecycle: AdmissionPlugin = {
  name: 'NamespaceLifecycle',
  handles: (a) =>
    (a.operation === 'CREATE' && a.resource.namespaced && a.subresource === undefined && !ALWAYS_ALLOWED.has(a.resource.key)) ||
    (a.operation === 'DELETE' && a.resource.key === 'namespaces'),
  validate(a, context) {
    if (a.operation === 'DELETE') {
      if (IMMORTAL_NAMESPACES.has(a.name)) throw admissionForbidden(a, 'this namespace may not be deleted');
      return;
    }
    return admitNamespace(context, a);
  },
};

function admitNamespace(context: AdmissionContext, a: AdmissionAttributes): void | Promise<void> {
  const found = context.store.get('namespaces', '', a.namespace);
  if (found) return refuseTerminating(found, a);
  return context.reads.consistent().then(() => {
    const namespace = context.store.get('namespaces', '', a.namespace);
    if (!namespace) throw notFound('namespaces', '', a.namespace);
    refuseTerminating(namespace, a);
  });
}

function refuseTerminating(namespace: KubeObject, a: AdmissionAttributes): void {
  if (isTerminating(namespace)) throw admissionForbidden(a, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
}
