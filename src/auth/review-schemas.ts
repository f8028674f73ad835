/**
 * Schemas of the computed review kinds (authorization.k8s.io/v1 SelfSubjectAccessReview
 * and SelfSubjectRulesReview, authentication.k8s.io/v1 SelfSubjectReview): they serve
 * OpenAPI and keep the registry's rule that every kind has one. Nothing of them is stored.
 */
import { any, bool, listOf, mapOf, obj, str, strList } from '../api/schema/dsl.ts';
import { kind } from '../api/schema/meta.ts';

const AUTHZ = 'io.k8s.api.authorization.v1';
const AUTHN = 'io.k8s.api.authentication.v1';

const ResourceAttributes = obj(
  { namespace: str(), verb: str(), group: str(), version: str(), resource: str(), subresource: str(), name: str() },
  { name: `${AUTHZ}.ResourceAttributes` },
);
const NonResourceAttributes = obj({ path: str(), verb: str() }, { name: `${AUTHZ}.NonResourceAttributes` });

export const SelfSubjectAccessReview = kind(`${AUTHZ}.SelfSubjectAccessReview`, {
  spec: obj({ resourceAttributes: ResourceAttributes, nonResourceAttributes: NonResourceAttributes }, { name: `${AUTHZ}.SelfSubjectAccessReviewSpec` }),
  status: obj({ allowed: bool(), denied: bool(), reason: str(), evaluationError: str() }, { name: `${AUTHZ}.SubjectAccessReviewStatus`, required: ['allowed'] }),
});

export const SelfSubjectRulesReview = kind(`${AUTHZ}.SelfSubjectRulesReview`, {
  spec: obj({ namespace: str() }, { name: `${AUTHZ}.SelfSubjectRulesReviewSpec` }),
  status: obj(
    {
      resourceRules: listOf(obj({ verbs: strList(), apiGroups: strList(), resources: strList(), resourceNames: strList() }, { name: `${AUTHZ}.ResourceRule`, required: ['verbs'] })),
      nonResourceRules: listOf(obj({ verbs: strList(), nonResourceURLs: strList() }, { name: `${AUTHZ}.NonResourceRule`, required: ['verbs'] })),
      incomplete: bool(),
      evaluationError: str(),
    },
    { name: `${AUTHZ}.SubjectRulesReviewStatus`, required: ['resourceRules', 'nonResourceRules', 'incomplete'] },
  ),
});

export const SelfSubjectReview = kind(`${AUTHN}.SelfSubjectReview`, {
  status: obj(
    { userInfo: obj({ username: str(), uid: str(), groups: strList(), extra: mapOf(any()) }, { name: `${AUTHN}.UserInfo` }) },
    { name: `${AUTHN}.SelfSubjectReviewStatus` },
  ),
});
