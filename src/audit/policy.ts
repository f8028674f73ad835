/**
 * The audit policy (kube-apiserver's --audit-policy-file, audit.k8s.io/v1 Policy): which
 * writes are recorded. Rules are tried in order and the first that matches gives the
 * level; a write no rule matches is not recorded, as in Kubernetes.
 *
 * jetkube records at level Metadata only (no request or response bodies), so a rule may
 * say None or Metadata; Request and RequestResponse are refused when the file is read
 * rather than quietly recorded as less than they ask. Only writes reach the policy (reads
 * are never recorded), so a rule of nonResourceURLs alone never matches.
 *
 * Without a policy file every write is recorded at Metadata (jetkube's default; Kubernetes
 * records nothing without one).
 */
import { parse } from 'yaml';

export type AuditLevel = 'None' | 'Metadata';

export interface GroupResources {
  /** "" is the core group. */
  group?: string;
  /** "pods", "pods/status", "*\/scale", "pods/*", "*"; empty: every resource of the group. */
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: string[];
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages: string[];
}

/** What the policy is asked about one write. */
export interface AuditAttributes {
  user: string;
  groups: readonly string[];
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  /** "" for a cluster-scoped object. */
  namespace: string;
  name?: string;
}

/** Every write at Metadata: the policy in force when no file is given. */
export const RECORD_EVERY_WRITE: AuditPolicy = { rules: [{ level: 'Metadata' }], omitStages: [] };

/** The only stage jetkube records. */
const RECORDED_STAGE = 'ResponseComplete';

export class AuditPolicyError extends Error {}

export function auditLevel(policy: AuditPolicy, attributes: AuditAttributes): AuditLevel {
  if (policy.omitStages.includes(RECORDED_STAGE)) return 'None';
  for (const rule of policy.rules) {
    if (!ruleMatches(rule, attributes)) continue;
    return rule.omitStages?.includes(RECORDED_STAGE) ? 'None' : rule.level;
  }
  return 'None';
}

function ruleMatches(rule: PolicyRule, a: AuditAttributes): boolean {
  if (rule.users?.length && !rule.users.includes(a.user)) return false;
  if (rule.userGroups?.length && !a.groups.some((g) => rule.userGroups!.includes(g))) return false;
  if (rule.verbs?.length && !rule.verbs.includes(a.verb)) return false;
  // A write is a resource request: a rule about non-resource URLs is about something else.
  if (rule.nonResourceURLs?.length) return false;
  if (rule.namespaces?.length && !rule.namespaces.includes(a.namespace)) return false;
  if (rule.resources?.length && !rule.resources.some((gr) => groupResourcesMatch(gr, a))) return false;
  return true;
}

function groupResourcesMatch(gr: GroupResources, a: AuditAttributes): boolean {
  if ((gr.group ?? '') !== a.apiGroup) return false;
  if (gr.resources?.length) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const matches = gr.resources.some(
      (r) => r === '*' || r === combined || (a.subresource !== undefined && (r === `*/${a.subresource}` || r === `${a.resource}/*`)),
    );
    if (!matches) return false;
  }
  if (gr.resourceNames?.length && (a.name === undefined || !gr.resourceNames.includes(a.name))) return false;
  return true;
}

/** Reads a Policy from YAML or JSON; says which rule and field is wrong. */
export function parseAuditPolicy(text: string, source = 'the audit policy'): AuditPolicy {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new AuditPolicyError(`${source} is not YAML: ${(error as Error).message}`);
  }
  const policy = doc as { apiVersion?: unknown; kind?: unknown; rules?: unknown; omitStages?: unknown } | null;
  if (!policy || typeof policy !== 'object') throw new AuditPolicyError(`${source}: expected a Policy object`);
  if (policy.kind !== 'Policy' || policy.apiVersion !== 'audit.k8s.io/v1') {
    throw new AuditPolicyError(`${source}: expected apiVersion audit.k8s.io/v1 and kind Policy, got ${String(policy.apiVersion)} ${String(policy.kind)}`);
  }
  if (!Array.isArray(policy.rules) || policy.rules.length === 0) throw new AuditPolicyError(`${source}: rules must be a non-empty list`);
  const rules = policy.rules.map((rule, i) => parseRule(rule, `${source}: rules[${i}]`));
  return { rules, omitStages: stringList(policy.omitStages, `${source}: omitStages`) ?? [] };
}

function parseRule(raw: unknown, where: string): PolicyRule {
  if (!raw || typeof raw !== 'object') throw new AuditPolicyError(`${where}: expected an object`);
  const r = raw as Record<string, unknown>;
  if (r.level === 'Request' || r.level === 'RequestResponse') {
    throw new AuditPolicyError(`${where}: level ${r.level} is not supported: jetkube records Metadata only (who wrote what, and how it ended), without bodies; use Metadata or None`);
  }
  if (r.level !== 'None' && r.level !== 'Metadata') throw new AuditPolicyError(`${where}.level: expected None or Metadata, got ${JSON.stringify(r.level)}`);
  const rule: PolicyRule = { level: r.level };
  for (const field of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs', 'omitStages'] as const) {
    const list = stringList(r[field], `${where}.${field}`);
    if (list) rule[field] = list;
  }
  if (r.resources !== undefined) {
    if (!Array.isArray(r.resources)) throw new AuditPolicyError(`${where}.resources: expected a list`);
    rule.resources = r.resources.map((gr, j) => {
      if (!gr || typeof gr !== 'object') throw new AuditPolicyError(`${where}.resources[${j}]: expected an object`);
      const g = gr as Record<string, unknown>;
      if (g.group !== undefined && typeof g.group !== 'string') throw new AuditPolicyError(`${where}.resources[${j}].group: expected a string`);
      const resources = stringList(g.resources, `${where}.resources[${j}].resources`);
      const resourceNames = stringList(g.resourceNames, `${where}.resources[${j}].resourceNames`);
      return { ...(g.group !== undefined ? { group: g.group as string } : {}), ...(resources ? { resources } : {}), ...(resourceNames ? { resourceNames } : {}) };
    });
  }
  return rule;
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new AuditPolicyError(`${where}: expected a list of strings`);
  return value as string[];
}
