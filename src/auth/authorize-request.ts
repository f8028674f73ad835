/**
 * The pipeline's authorization step: an ApiRequest made by a user -> RBAC's decision, or
 * Kubernetes' 403. Requests without a user are trusted: the API server's own loopback
 * requests and anonymous ones on an open (test) NATS server (src/auth/nats-identity.ts).
 */
import { forbidden } from '../api/errors.ts';
import { resourceByKey } from '../api/registry.ts';
import type { ApiRequest } from '../apiserver/request.ts';
import type { ResourceAttributes, UserInfo } from './attributes.ts';
import { authorize, forbiddenMessage, type PolicySource } from './rbac.ts';

export function requestAttributes(request: ApiRequest, user: UserInfo): ResourceAttributes {
  const rt = resourceByKey(request.resource);
  return {
    user,
    verb: request.verb,
    apiGroup: rt?.group ?? '',
    resource: rt?.plural ?? request.resource,
    ...(request.subresource ? { subresource: request.subresource } : {}),
    ...(request.namespace ? { namespace: request.namespace } : {}),
    ...(request.name !== undefined ? { name: request.name } : {}),
  };
}

/** Throws a 403 unless the request's user may make it. */
export function checkAuthorized(policy: PolicySource, request: ApiRequest): void {
  if (!request.user) return;
  const attributes = requestAttributes(request, request.user);
  if (authorize(policy, attributes).allowed) return;
  throw forbidden(forbiddenMessage(attributes), {
    ...(request.name !== undefined ? { name: request.name } : {}),
    group: attributes.apiGroup,
    kind: attributes.resource,
  });
}
