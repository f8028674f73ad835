/** The RBAC objects as the API server's store holds them, read at each decision (the store is in memory). */
import type { ObjectStore } from '../store/object-store.ts';
import type { BindingLike, PolicySource, RoleLike } from './rbac.ts';

const ROLES = 'roles.rbac.authorization.k8s.io';
const CLUSTER_ROLES = 'clusterroles.rbac.authorization.k8s.io';
const ROLE_BINDINGS = 'rolebindings.rbac.authorization.k8s.io';
const CLUSTER_ROLE_BINDINGS = 'clusterrolebindings.rbac.authorization.k8s.io';

export function storePolicy(store: Pick<ObjectStore, 'get' | 'list'>): PolicySource {
  return {
    role: (namespace, name) => store.get(ROLES, namespace, name) as RoleLike | undefined,
    clusterRole: (name) => store.get(CLUSTER_ROLES, '', name) as RoleLike | undefined,
    roleBindings: (namespace) => store.list(ROLE_BINDINGS, namespace).items as unknown as BindingLike[],
    clusterRoleBindings: () => store.list(CLUSTER_ROLE_BINDINGS).items as unknown as BindingLike[],
  };
}
