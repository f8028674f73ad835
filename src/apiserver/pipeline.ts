/**
 * The request pipeline: one entry for every face. Each verb lives in its own file under
 * verbs/; this file only routes, after authorization: a request carrying a user must be
 * allowed by RBAC over the store's Roles and bindings. The HTTP face sets the user it
 * authenticated; the NATS face the one its subject names (each component's own NATS user,
 * which nats-server vouches for: src/auth/nats-identity.ts). Only the API server's own
 * loopback requests and an open (test) NATS server's anonymous ones come without a user,
 * and are trusted. Admission plugins slot in after. The log's timeouts and outages leave
 * as 504 and 503 (log-failures.ts), which clients retry, never as a 500.
 */
import { badRequest } from '../api/errors.ts';
import { checkAuthorized } from '../auth/authorize-request.ts';
import { storePolicy } from '../auth/store-policy.ts';
import { createTokenRequest } from '../auth/token-request.ts';
import type { ServiceAccountTokenIssuer } from '../auth/service-account-token.ts';
import { serveReview, REVIEW_RESOURCES } from '../auth/reviews.ts';
import type { ApiDeps } from './deps.ts';
import type { ApiReply, ApiRequest, WatchEvent, WatchSession } from './request.ts';
import { bind } from './verbs/binding.ts';
import { create } from './verbs/create.ts';
import { evict } from './verbs/eviction.ts';
import { remove, removeCollection } from './verbs/delete.ts';
import { get } from './verbs/get.ts';
import { list } from './verbs/list.ts';
import { patch } from './verbs/patch.ts';
import { update } from './verbs/update.ts';
import { watch } from './verbs/watch.ts';
import { resolveResource } from './resolve.ts';
import { statusOfLogFailure } from './log-failures.ts';
import { serveVirtual, VIRTUAL_RESOURCES, type VirtualSources } from './virtual/serve.ts';

export interface Pipeline {
  handle(request: ApiRequest): Promise<ApiReply>;
  /** send may answer with a promise while the client cannot take more (a full socket): events then queue, boundedly. */
  watch(request: ApiRequest, send: (event: WatchEvent) => void | Promise<void>, ended: () => void): Promise<WatchSession>;
}

export interface SecuritySources {
  /** Signs ServiceAccount tokens for serviceaccounts/token; without it that subresource is a 404. */
  tokenIssuer?: ServiceAccountTokenIssuer;
}

export function createPipeline(deps: ApiDeps, virtual?: VirtualSources, security: SecuritySources = {}): Pipeline {
  const policy = storePolicy(deps.store);
  const route = async (request: ApiRequest): Promise<ApiReply> => {
    // Reviews answer about the caller itself: every authenticated user may ask (system:basic-user).
    if (REVIEW_RESOURCES.has(request.resource)) return serveReview(policy, request);
    checkAuthorized(policy, request);
    if (request.subresource === 'token' && request.resource === 'serviceaccounts' && request.verb === 'create') {
      return createTokenRequest(deps, security.tokenIssuer, request);
    }
    // Computed kinds: the registry allows them get and list only (resolveResource refuses the rest).
    if (virtual && VIRTUAL_RESOURCES.has(request.resource) && (request.verb === 'get' || request.verb === 'list')) {
      resolveResource(request);
      return serveVirtual(request, virtual);
    }
    switch (request.verb) {
      case 'get':
        return get(deps, request);
      case 'list':
        return list(deps, request);
      case 'create':
        if (request.subresource === 'binding') return bind(deps, request);
        if (request.subresource === 'eviction') return evict(deps, request);
        return create(deps, request);
      case 'update':
        return update(deps, request);
      case 'patch':
        return patch(deps, request);
      case 'delete':
        return remove(deps, request);
      case 'deletecollection':
        return removeCollection(deps, request);
      case 'watch':
        throw badRequest('a watch is opened with watch(), not handle()');
      default: {
        const unknown: never = request.verb;
        throw badRequest(`unknown verb ${String(unknown)}`);
      }
    }
  };
  return {
    handle: (request) =>
      route(request).catch((error: unknown) => {
        throw statusOfLogFailure(error);
      }),
    watch: async (request, send, ended) => {
      checkAuthorized(policy, request);
      return watch(deps, request, send, ended).catch((error: unknown) => {
        throw statusOfLogFailure(error);
      });
    },
  };
}
