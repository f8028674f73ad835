/**
 * Who asks to do what, as Kubernetes' authorizer.Attributes: a resource request (verb,
 * API group, resource, subresource, namespace, name) or a non-resource one (a URL path
 * and an HTTP verb), with the user's name and groups.
 */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  /** ServiceAccount tokens carry the pod they are bound to, as Kubernetes' extra. */
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  user: UserInfo;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface NonResourceAttributes {
  user: UserInfo;
  verb: string;
  path: string;
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

export const isResourceRequest = (a: Attributes): a is ResourceAttributes => 'resource' in a;

export const SYSTEM_MASTERS = 'system:masters';
export const AUTHENTICATED = 'system:authenticated';
export const UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

/** A ServiceAccount's user name and groups, as Kubernetes derives them. */
export function serviceAccountUser(namespace: string, name: string, uid?: string, extra?: Record<string, string[]>): UserInfo {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    ...(uid ? { uid } : {}),
    groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`, AUTHENTICATED],
    ...(extra ? { extra } : {}),
  };
}

/** An authenticated user's groups: system:authenticated added once, as the union authenticator does. */
export function withAuthenticated(groups: readonly string[]): string[] {
  return groups.includes(AUTHENTICATED) ? [...groups] : [...groups, AUTHENTICATED];
}
