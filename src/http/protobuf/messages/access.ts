/**
 * Review and token kinds kubectl posts as protobuf: authorization.k8s.io/v1 access and
 * rules reviews (`kubectl auth can-i`, `can-i --list`), authentication.k8s.io/v1
 * SelfSubjectReview (`auth whoami`), TokenRequest (`create token`) and TokenReview.
 * `extra` maps (map<string, ExtraValue>) are left out: a body carrying one is refused.
 */
import { bool, i64, KEEP, LIST, metadata, msg, str, time, type MessageSpec } from '../dsl.ts';

const authorization: Record<string, MessageSpec> = {
  SelfSubjectAccessReview: { 1: metadata, 2: msg('spec', 'SelfSubjectAccessReviewSpec'), 3: msg('status', 'SubjectAccessReviewStatus') },
  SelfSubjectAccessReviewSpec: { 1: msg('resourceAttributes', 'ResourceAttributes'), 2: msg('nonResourceAttributes', 'NonResourceAttributes') },
  SubjectAccessReview: { 1: metadata, 2: msg('spec', 'SubjectAccessReviewSpec'), 3: msg('status', 'SubjectAccessReviewStatus') },
  SubjectAccessReviewSpec: {
    1: msg('resourceAttributes', 'ResourceAttributes'),
    2: msg('nonResourceAttributes', 'NonResourceAttributes'),
    3: str('user'),
    4: str('groups', LIST),
    6: str('uid'),
  },
  ResourceAttributes: {
    1: str('namespace'),
    2: str('verb'),
    3: str('group'),
    4: str('version'),
    5: str('resource'),
    6: str('subresource'),
    7: str('name'),
    8: msg('fieldSelector', 'FieldSelectorAttributes'),
    9: msg('labelSelector', 'LabelSelectorAttributes'),
  },
  FieldSelectorAttributes: { 1: str('rawSelector'), 2: msg('requirements', 'FieldSelectorRequirement', LIST) },
  FieldSelectorRequirement: { 1: str('key', KEEP), 2: str('operator', KEEP), 3: str('values', LIST) },
  LabelSelectorAttributes: { 1: str('rawSelector'), 2: msg('requirements', 'LabelSelectorRequirement', LIST) },
  NonResourceAttributes: { 1: str('path'), 2: str('verb') },
  SubjectAccessReviewStatus: { 1: bool('allowed', KEEP), 4: bool('denied'), 2: str('reason'), 3: str('evaluationError') },
  SelfSubjectRulesReview: { 1: metadata, 2: msg('spec', 'SelfSubjectRulesReviewSpec'), 3: msg('status', 'SubjectRulesReviewStatus') },
  SelfSubjectRulesReviewSpec: { 1: str('namespace') },
  SubjectRulesReviewStatus: {
    1: msg('resourceRules', 'ResourceRule', LIST),
    2: msg('nonResourceRules', 'NonResourceRule', LIST),
    3: bool('incomplete', KEEP),
    4: str('evaluationError'),
  },
  ResourceRule: { 1: str('verbs', LIST), 2: str('apiGroups', LIST), 3: str('resources', LIST), 4: str('resourceNames', LIST) },
  NonResourceRule: { 1: str('verbs', LIST), 2: str('nonResourceURLs', LIST) },
};

const authentication: Record<string, MessageSpec> = {
  SelfSubjectReview: { 1: metadata, 2: msg('status', 'SelfSubjectReviewStatus') },
  SelfSubjectReviewStatus: { 1: msg('userInfo', 'UserInfo') },
  UserInfo: { 1: str('username'), 2: str('uid'), 3: str('groups', LIST) },
  TokenRequest: { 1: metadata, 2: msg('spec', 'TokenRequestSpec'), 3: msg('status', 'TokenRequestStatus') },
  TokenRequestSpec: { 1: str('audiences', LIST), 4: i64('expirationSeconds', KEEP), 3: msg('boundObjectRef', 'BoundObjectReference') },
  BoundObjectReference: { 1: str('kind'), 2: str('apiVersion'), 3: str('name'), 4: str('uid') },
  TokenRequestStatus: { 1: str('token', KEEP), 2: time('expirationTimestamp', KEEP) },
  TokenReview: { 1: metadata, 2: msg('spec', 'TokenReviewSpec'), 3: msg('status', 'TokenReviewStatus') },
  TokenReviewSpec: { 1: str('token') },
  TokenReviewStatus: { 1: bool('authenticated'), 2: msg('user', 'UserInfo'), 3: str('error') },
};

export const ACCESS: Record<string, MessageSpec> = { ...authorization, ...authentication };
