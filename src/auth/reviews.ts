/**
 * The self reviews, computed create-only kinds (nothing is stored): SelfSubjectAccessReview
 * (`kubectl auth can-i VERB RESOURCE`), SelfSubjectRulesReview (`kubectl auth can-i
 * --list`) and SelfSubjectReview (`kubectl auth whoami`), each answering about the
 * caller. Asking is itself authorized (system:basic-user grants it to every
 * authenticated user). A caller without a user (the trusted NATS face) is answered as
 * system:masters would be.
 */
import { badRequest, forbidden, methodNotAllowed } from '../api/errors.ts';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import type { ApiReply, ApiRequest } from '../apiserver/request.ts';
import { SYSTEM_MASTERS, type Attributes, type UserInfo } from './attributes.ts';
import { authorize, forbiddenMessage, rulesFor, type PolicyRule, type PolicySource } from './rbac.ts';

const ACCESS = 'selfsubjectaccessreviews.authorization.k8s.io';
const RULES = 'selfsubjectrulesreviews.authorization.k8s.io';
const WHOAMI = 'selfsubjectreviews.authentication.k8s.io';
/** About another user (spec.user, spec.groups): the HTTP face asks it for what the pipeline does not see (pods/log, /metrics). */
export const SUBJECT_ACCESS = 'subjectaccessreviews.authorization.k8s.io';

export const REVIEW_RESOURCES = new Set([ACCESS, RULES, WHOAMI, SUBJECT_ACCESS]);

const TRUSTED: UserInfo = { name: 'system:apiserver', groups: [SYSTEM_MASTERS, 'system:authenticated'] };

export function serveReview(policy: PolicySource, request: ApiRequest): ApiReply {
  if (request.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const user = request.user ?? TRUSTED;
  const [plural, group] = splitKey(request.resource);
  const asking: Attributes = { user, verb: 'create', apiGroup: group, resource: plural };
  if (!authorize(policy, asking).allowed) throw forbidden(forbiddenMessage(asking), { group, kind: plural });
  const body = isPlainObject(request.body) ? request.body : {};
  const spec = isPlainObject(body.spec) ? body.spec : {};
  const apiVersion = `${group}/v1`;
  const answer = (kind: string, status: unknown, echoedSpec: unknown = spec): ApiReply => ({
    ok: true,
    code: 201,
    body: { apiVersion, kind, metadata: { creationTimestamp: null }, spec: echoedSpec, status } as unknown as KubeObject,
  });
  switch (request.resource) {
    case ACCESS:
      return answer('SelfSubjectAccessReview', accessReview(policy, user, spec));
    case SUBJECT_ACCESS: {
      const subject: UserInfo = {
        name: typeof spec.user === 'string' ? spec.user : '',
        groups: Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [],
      };
      return answer('SubjectAccessReview', accessReview(policy, subject, spec));
    }
    case RULES: {
      const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
      return answer('SelfSubjectRulesReview', rulesReview(rulesFor(policy, user, namespace || undefined)));
    }
    default:
      return answer('SelfSubjectReview', { userInfo: userInfoOf(user) }, undefined);
  }
}

function accessReview(policy: PolicySource, user: UserInfo, spec: Record<string, unknown>): { allowed: boolean; reason?: string } {
  const resource = isPlainObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResource = isPlainObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  let attributes: Attributes;
  if (resource) {
    attributes = {
      user,
      verb: text(resource.verb),
      apiGroup: text(resource.group),
      resource: text(resource.resource),
      ...(text(resource.subresource) ? { subresource: text(resource.subresource) } : {}),
      ...(text(resource.namespace) ? { namespace: text(resource.namespace) } : {}),
      ...(text(resource.name) ? { name: text(resource.name) } : {}),
    };
  } else if (nonResource) {
    attributes = { user, verb: text(nonResource.verb), path: text(nonResource.path) };
  } else {
    throw badRequest('spec.resourceAttributes: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  const decision = authorize(policy, attributes);
  return decision.allowed ? { allowed: true, reason: decision.reason } : { allowed: false };
}

/** The rules as SubjectRulesReviewStatus lists them: resource rules and URL rules apart. */
export function rulesReview(rules: PolicyRule[]) {
  const resourceRules = rules
    .filter((r) => (r.resources?.length ?? 0) > 0)
    .map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
  const nonResourceRules = rules.filter((r) => (r.nonResourceURLs?.length ?? 0) > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] }));
  return { resourceRules, nonResourceRules, incomplete: false };
}

function userInfoOf(user: UserInfo) {
  return { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) };
}

function splitKey(key: string): [string, string] {
  const dot = key.indexOf('.');
  return dot < 0 ? [key, ''] : [key.slice(0, dot), key.slice(dot + 1)];
}
