/**
 * Who a request over the NATS face comes from. The request subject names the caller's
 * NATS user (`api.<user>.<verb>.<resource>`, streams/api-transport.ts), and on a secured
 * nats-server each user may publish only under its own token (src/natsd/users.ts): the
 * server, not the request body, vouches for the name. This maps that name to the
 * Kubernetes user RBAC then judges, as Kubernetes' components authenticate with their
 * own client certificates.
 *
 * Two callers stay trusted (no user, so no RBAC check), as every NATS request was before:
 * the API server's own loopback requests (bootstrap policy, the kubernetes Service), and
 * connections without a user, which only an open (test) server admits.
 */
import { AUTHENTICATED, SYSTEM_MASTERS, UNAUTHENTICATED, ANONYMOUS_USER, type UserInfo } from './attributes.ts';

/** The subject token of a connection without a NATS user (an open server). */
export const OPEN_CALLER = '_';

export const NODES_GROUP = 'system:nodes';

/** The Kubernetes users of jetkube's components; RBAC bindings (src/auth/bootstrap-policy.ts) name these. */
export const COMPONENT_USERS = {
  admin: 'jetkube:admin',
  scheduler: 'system:kube-scheduler',
  controllerManager: 'system:kube-controller-manager',
  /** Every kubelet shares one NATS user, so one node identity (see the system:node role). */
  kubelet: 'system:node:kubelet',
  kubeProxy: 'system:kube-proxy',
  dns: 'system:kube-dns',
  ingress: 'system:jetkube-ingress',
} as const;

const user = (name: string, ...groups: string[]): UserInfo => ({ name, groups: [...groups, AUTHENTICATED] });

/** The caller's Kubernetes identity, or undefined for a trusted caller (the API server itself, an open server). */
export function identityOfNatsCaller(caller: string): UserInfo | undefined {
  switch (caller) {
    case OPEN_CALLER:
    case 'apiserver':
      return undefined;
    case 'admin':
      // The jetkube CLI is the cluster's operator, as the admin kubeconfig is.
      return user(COMPONENT_USERS.admin, SYSTEM_MASTERS);
    case 'scheduler':
      return user(COMPONENT_USERS.scheduler);
    case 'controller-manager':
      return user(COMPONENT_USERS.controllerManager);
    case 'kubelet':
      return user(COMPONENT_USERS.kubelet, NODES_GROUP);
    case 'kube-proxy':
      return user(COMPONENT_USERS.kubeProxy);
    case 'dns':
      return user(COMPONENT_USERS.dns);
    case 'ingress':
      return user(COMPONENT_USERS.ingress);
    default:
      // A name no jetkube user has (only an open server lets one through): anonymous, so RBAC refuses nearly everything.
      return { name: ANONYMOUS_USER, groups: [UNAUTHENTICATED] };
  }
}
