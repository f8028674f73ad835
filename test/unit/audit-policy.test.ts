import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AuditPolicyError, auditLevel, parseAuditPolicy, type AuditAttributes, type AuditPolicy, type PolicyRule } from '../../src/audit/policy.ts';
import { auditedPipeline } from '../../src/audit/audited-pipeline.ts';
import type { AuditEvent } from '../../src/audit/event.ts';
import type { ApiReply } from '../../src/apiserver/request.ts';

/** The rules operators write at scale: node heartbeats and events are not worth a record. */
const POLICY = parseAuditPolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    userGroups: ["system:nodes"]
    verbs: ["update", "patch"]
    resources:
      - group: coordination.k8s.io
        resources: ["leases"]
      - group: ""
        resources: ["nodes/status", "pods/status"]
  - level: None
    resources: [{ group: "", resources: ["events"] }]
  - level: None
    nonResourceURLs: ["/healthz*"]
  - level: Metadata
    namespaces: ["kube-system"]
    resources: [{ group: "", resources: ["configmaps"], resourceNames: ["cluster-info"] }]
  - level: None
    namespaces: ["kube-system"]
  - level: Metadata
`);

const kubelet = { user: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const alice = { user: 'alice', groups: ['system:authenticated'] };

function write(who: { user: string; groups: string[] }, verb: string, apiGroup: string, resource: string, more: Partial<AuditAttributes> = {}): AuditAttributes {
  return { ...who, verb, apiGroup, resource, namespace: 'default', ...more };
}

describe('audit policy: first matching rule', () => {
  it('drops a kubelet renewing its Lease, and records anyone else writing one', () => {
    assert.equal(auditLevel(POLICY, write(kubelet, 'update', 'coordination.k8s.io', 'leases', { namespace: 'kube-node-lease', name: 'n1' })), 'None');
    assert.equal(auditLevel(POLICY, write(alice, 'update', 'coordination.k8s.io', 'leases', { namespace: 'team', name: 'l' })), 'Metadata');
    assert.equal(auditLevel(POLICY, write(kubelet, 'create', 'coordination.k8s.io', 'leases')), 'Metadata', 'verbs narrow the rule');
  });

  it('matches resource/subresource exactly: pods/status is dropped for nodes, pods themselves are not', () => {
    assert.equal(auditLevel(POLICY, write(kubelet, 'patch', '', 'pods', { subresource: 'status' })), 'None');
    assert.equal(auditLevel(POLICY, write(kubelet, 'patch', '', 'pods')), 'Metadata');
    assert.equal(auditLevel(POLICY, write(kubelet, 'update', '', 'nodes', { subresource: 'status', namespace: '' })), 'None');
  });

  it('takes the group into account ("" is the core group)', () => {
    assert.equal(auditLevel(POLICY, write(alice, 'create', '', 'events')), 'None');
    assert.equal(auditLevel(POLICY, write(alice, 'create', 'events.k8s.io', 'events')), 'Metadata');
  });

  it('narrows by namespace and resourceName, and never matches a write by nonResourceURLs', () => {
    assert.equal(auditLevel(POLICY, write(alice, 'update', '', 'configmaps', { namespace: 'kube-system', name: 'cluster-info' })), 'Metadata');
    assert.equal(auditLevel(POLICY, write(alice, 'update', '', 'configmaps', { namespace: 'kube-system', name: 'other' })), 'None');
    assert.equal(auditLevel(POLICY, write(alice, 'create', '', 'configmaps', { namespace: 'kube-system' })), 'None', 'a create has no name to match');
  });

  it('knows the wildcard forms: *, */sub and res/*', () => {
    const policy = (resources: string[]): AuditPolicy => ({ rules: [{ level: 'Metadata', resources: [{ group: 'apps', resources }] }], omitStages: [] });
    const scale = write(alice, 'update', 'apps', 'deployments', { subresource: 'scale' });
    assert.equal(auditLevel(policy(['*/scale']), scale), 'Metadata');
    assert.equal(auditLevel(policy(['deployments/*']), scale), 'Metadata');
    assert.equal(auditLevel(policy(['*']), scale), 'Metadata');
    assert.equal(auditLevel(policy(['deployments']), scale), 'None', 'the resource alone is not its subresources');
    assert.equal(auditLevel(policy(['deployments/*']), write(alice, 'update', 'apps', 'deployments')), 'None');
  });

  it('records nothing that no rule matches, and nothing when ResponseComplete is omitted', () => {
    assert.equal(auditLevel({ rules: [{ level: 'Metadata', users: ['bob'] }], omitStages: [] }, write(alice, 'create', '', 'pods')), 'None');
    assert.equal(auditLevel({ rules: [{ level: 'Metadata' }], omitStages: ['ResponseComplete'] }, write(alice, 'create', '', 'pods')), 'None');
    assert.equal(auditLevel({ rules: [{ level: 'Metadata', omitStages: ['ResponseComplete'] }], omitStages: [] }, write(alice, 'create', '', 'pods')), 'None');
  });

  const attributes = fc.record({
    user: fc.constantFrom('alice', 'bob', 'system:node:n1'),
    groups: fc.subarray(['system:nodes', 'system:authenticated', 'ops']),
    verb: fc.constantFrom('create', 'update', 'patch', 'delete', 'deletecollection'),
    apiGroup: fc.constantFrom('', 'apps', 'coordination.k8s.io'),
    resource: fc.constantFrom('pods', 'leases', 'deployments', 'events'),
    subresource: fc.option(fc.constantFrom('status', 'scale'), { nil: undefined }),
    namespace: fc.constantFrom('', 'default', 'kube-system'),
    name: fc.option(fc.constantFrom('a', 'cluster-info'), { nil: undefined }),
  }).map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as unknown as AuditAttributes);
  const rule: fc.Arbitrary<PolicyRule> = fc.record(
    {
      level: fc.constantFrom('None' as const, 'Metadata' as const),
      users: fc.subarray(['alice', 'bob']),
      verbs: fc.subarray(['create', 'update']),
      namespaces: fc.subarray(['', 'default']),
      resources: fc.array(fc.record({ group: fc.constantFrom('', 'apps'), resources: fc.subarray(['pods', '*/status', 'deployments/*', '*']) }), { maxLength: 2 }),
    },
    { requiredKeys: ['level'] },
  );

  it('property: the level is the first matching rule\'s; rules after it never change it', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 5 }), fc.array(rule, { maxLength: 5 }), attributes, (head, tail, a) => {
        const headLevel = auditLevel({ rules: head, omitStages: [] }, a);
        const matched = head.some((r) => auditLevel({ rules: [{ ...r, level: 'Metadata' }], omitStages: [] }, a) === 'Metadata');
        const whole = auditLevel({ rules: [...head, ...tail], omitStages: [] }, a);
        if (matched) assert.equal(whole, headLevel);
        else assert.equal(whole, auditLevel({ rules: tail, omitStages: [] }, a));
      }),
    );
  });
});

describe('parseAuditPolicy', () => {
  const refused = (text: string, pattern: RegExp) => assert.throws(() => parseAuditPolicy(text, 'policy.yaml'), (e: unknown) => e instanceof AuditPolicyError && pattern.test(e.message));

  it('refuses levels that would record bodies, rather than record less than asked', () => {
    refused('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: RequestResponse }]', /rules\[0\]: level RequestResponse is not supported.*Metadata/);
    refused('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: Request }]', /level Request is not supported/);
  });

  it('names what is wrong and where', () => {
    refused('rules: [', /policy.yaml is not YAML/);
    refused('apiVersion: v1\nkind: ConfigMap', /expected apiVersion audit.k8s.io\/v1 and kind Policy/);
    refused('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []', /rules must be a non-empty list/);
    refused('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: Loud }]', /rules\[0\]\.level: expected None or Metadata/);
    refused('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: None, users: alice }]', /rules\[0\]\.users: expected a list of strings/);
    refused('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: None, resources: [{ group: 1 }] }]', /rules\[0\]\.resources\[0\]\.group: expected a string/);
  });
});

describe('auditedPipeline with a policy', () => {
  it('records only what the policy keeps, and answers every request alike', async () => {
    const ok: ApiReply = { ok: true, code: 200, body: { apiVersion: 'v1', kind: 'X', metadata: { name: 'n1' } } };
    const events: AuditEvent[] = [];
    const pipeline = auditedPipeline({ handle: async () => ok, watch: async () => ({ stop() {} }) }, { record: (event) => void events.push(event) }, { policy: POLICY });
    const node = { name: kubelet.user, groups: kubelet.groups };
    assert.equal(await pipeline.handle({ verb: 'update', resource: 'leases.coordination.k8s.io', namespace: 'kube-node-lease', name: 'n1', user: node, body: {} }), ok);
    assert.equal(events.length, 0, 'the renewal is not recorded');
    await pipeline.handle({ verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'p', user: node, body: {} });
    assert.equal(events.length, 0);
    await pipeline.handle({ verb: 'update', resource: 'leases.coordination.k8s.io', namespace: 'team', name: 'l', user: { name: 'alice', groups: [] }, body: {} });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.user.username, 'alice');
  });
});
