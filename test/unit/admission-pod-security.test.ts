import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { evaluatePod, forbiddenDetail } from '../../src/admission/pod-security/checks.ts';
import { labelErrors, policyFromLabels, levelVersionString } from '../../src/admission/pod-security/policy.ts';
import { decidePodSecurity, isSignificantPodUpdate, podTemplateOf } from '../../src/admission/pod-security/plugin.ts';
import { existingPodWarnings } from '../../src/admission/pod-security/existing-pods.ts';

type Json = Record<string, any>;
const input = (spec: Json, annotations?: Record<string, string>) => ({
  metadata: { name: 'p', ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'c', image: 'i' }], ...spec },
});
const c = (name: string, extra: Json = {}) => ({ name, image: 'i', ...extra });
const baseline = (spec: Json, annotations?: Record<string, string>) => forbiddenDetail(evaluatePod('baseline', input(spec, annotations)));

describe('baseline checks', () => {
  const table: Array<[string, Json, string, Record<string, string>?]> = [
    ['a plain pod', {}, ''],
    ['hostNetwork', { hostNetwork: true }, 'host namespaces (hostNetwork=true)'],
    ['all host namespaces', { hostNetwork: true, hostPID: true, hostIPC: true }, 'host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)'],
    ['privileged', { containers: [c('c', { securityContext: { privileged: true } })] }, 'privileged (container "c" must not set securityContext.privileged=true)'],
    [
      'privileged init and regular containers',
      { initContainers: [c('init', { securityContext: { privileged: true } })], containers: [c('web', { securityContext: { privileged: true } })] },
      'privileged (containers "init", "web" must not set securityContext.privileged=true)',
    ],
    ['privileged false', { containers: [c('c', { securityContext: { privileged: false } })] }, ''],
    ['default capabilities', { containers: [c('c', { securityContext: { capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE'] } } })] }, ''],
    [
      'non-default capabilities',
      { containers: [c('c', { securityContext: { capabilities: { add: ['SYS_ADMIN', 'NET_ADMIN', 'CHOWN'] } } })] },
      'non-default capabilities (container "c" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)',
    ],
    ['hostPath', { volumes: [{ name: 'host', hostPath: { path: '/' } }, { name: 'e', emptyDir: {} }] }, 'hostPath volumes (volume "host")'],
    ['two hostPaths', { volumes: [{ name: 'a', hostPath: { path: '/' } }, { name: 'b', hostPath: { path: '/x' } }] }, 'hostPath volumes (volumes "a", "b")'],
    ['hostPort', { containers: [c('c', { ports: [{ containerPort: 80, hostPort: 8080 }] })] }, 'hostPort (container "c" uses hostPort 8080)'],
    [
      'hostPorts',
      { containers: [c('a', { ports: [{ containerPort: 80, hostPort: 80 }] }), c('b', { ports: [{ containerPort: 443, hostPort: 443 }] })] },
      'hostPort (containers "a", "b" use hostPorts 80, 443)',
    ],
    ['containerPort only', { containers: [c('c', { ports: [{ containerPort: 80 }] })] }, ''],
    ['AppArmor unconfined annotation', {}, 'forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/c="unconfined")', { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' }],
    ['AppArmor runtime/default annotation', {}, '', { 'container.apparmor.security.beta.kubernetes.io/c': 'runtime/default' }],
    ['AppArmor Unconfined field', { containers: [c('c', { securityContext: { appArmorProfile: { type: 'Unconfined' } } })] }, 'forbidden AppArmor profile (container "c" must not set AppArmor profile type to "Unconfined")'],
    ['SELinux type', { securityContext: { seLinuxOptions: { type: 'spc_t' } } }, 'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t")'],
    ['SELinux container_t', { securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c1' } } }, ''],
    [
      'SELinux user and role',
      { containers: [c('c', { securityContext: { seLinuxOptions: { user: 'u', role: 'r' } } })] },
      'seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: user may not be set; role may not be set)',
    ],
    ['procMount', { containers: [c('c', { securityContext: { procMount: 'Unmasked' } })] }, 'procMount (container "c" must not set securityContext.procMount to "Unmasked")'],
    ['procMount Default', { containers: [c('c', { securityContext: { procMount: 'Default' } })] }, ''],
    ['seccomp Unconfined pod', { securityContext: { seccompProfile: { type: 'Unconfined' } } }, 'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")'],
    [
      'seccomp Unconfined pod and container',
      { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [c('c', { securityContext: { seccompProfile: { type: 'Unconfined' } } })] },
      'seccompProfile (pod and container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    ['seccomp RuntimeDefault', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, ''],
    ['safe sysctls', { securityContext: { sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }] } }, ''],
    ['unsafe sysctls', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }, { name: 'net.core.somaxconn', value: '1' }] } }, 'forbidden sysctls (kernel.msgmax, net.core.somaxconn)'],
    ['hostProcess', { securityContext: { windowsOptions: { hostProcess: true } } }, 'hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)'],
    [
      'several at once, in check order',
      { hostNetwork: true, containers: [c('c', { securityContext: { privileged: true }, ports: [{ containerPort: 80, hostPort: 80 }] })], volumes: [{ name: 'h', hostPath: { path: '/' } }] },
      'host namespaces (hostNetwork=true), hostPath volumes (volume "h"), hostPort (container "c" uses hostPort 80), privileged (container "c" must not set securityContext.privileged=true)',
    ],
  ];
  for (const [what, spec, expected, annotations] of table) {
    it(`${what}: ${expected || 'allowed'}`, () => assert.equal(baseline(spec, annotations), expected));
  }

  it('the privileged level allows anything', () => {
    assert.deepEqual(evaluatePod('privileged', input({ hostNetwork: true, containers: [c('c', { securityContext: { privileged: true } })] })), []);
  });
});

describe('restricted checks', () => {
  const hardened = c('c', { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
  it('a hardened pod passes', () => {
    assert.deepEqual(evaluatePod('restricted', input({ containers: [hardened] })), []);
  });
  it('a plain pod fails with the restricted reasons after the baseline ones', () => {
    const detail = forbiddenDetail(evaluatePod('restricted', input({ hostNetwork: true })));
    assert.equal(
      detail,
      'host namespaces (hostNetwork=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });
  it('restricted volume types', () => {
    const detail = forbiddenDetail(evaluatePod('restricted', input({ containers: [hardened], volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }, { name: 'e', emptyDir: {} }] })));
    assert.equal(detail, 'restricted volume types (volume "n" uses restricted volume type "nfs")');
  });
});

describe('policyFromLabels', () => {
  it('defaults to privileged:latest everywhere', () => {
    const p = policyFromLabels({});
    assert.equal(levelVersionString(p.enforce), 'privileged:latest');
    assert.equal(levelVersionString(p.warn), 'privileged:latest');
  });
  it('reads levels and versions', () => {
    const p = policyFromLabels({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.30', 'pod-security.kubernetes.io/warn': 'restricted' });
    assert.equal(levelVersionString(p.enforce), 'baseline:v1.30');
    assert.equal(levelVersionString(p.warn), 'restricted:latest');
  });
  it('a warn level left unset follows a stricter enforce level', () => {
    const p = policyFromLabels({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.29' });
    assert.equal(levelVersionString(p.warn), 'baseline:v1.29');
  });
  it('an unparseable level evaluates as restricted, an unparseable version as latest', () => {
    assert.equal(levelVersionString(policyFromLabels({ 'pod-security.kubernetes.io/enforce': 'strict' }).enforce), 'restricted:latest');
    assert.equal(
      levelVersionString(policyFromLabels({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v2' }).enforce),
      'baseline:latest',
    );
  });
  it('labelErrors names each label that does not parse, in Kubernetes words', () => {
    assert.deepEqual(labelErrors({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn-version': 'v1.30' }), []);
    assert.deepEqual(
      labelErrors({ 'pod-security.kubernetes.io/enforce': 'strict', 'pod-security.kubernetes.io/audit-version': '1.30' }).map((e) => `${e.field}: ${e.message}`),
      [
        'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
        'metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "1.30": must be "latest" or "v1.x"',
      ],
    );
  });
});

describe('decidePodSecurity', () => {
  const privileged = input({ containers: [c('c', { securityContext: { privileged: true } })] });
  it('enforce refuses a pod with the Kubernetes message', () => {
    const d = decidePodSecurity(policyFromLabels({ 'pod-security.kubernetes.io/enforce': 'baseline' }), privileged, true);
    assert.equal(d.forbidden, 'violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
    assert.deepEqual(d.warnings, [], 'no warning on a refused request');
  });
  it('warn admits with a warning', () => {
    const d = decidePodSecurity(policyFromLabels({ 'pod-security.kubernetes.io/warn': 'baseline' }), privileged, true);
    assert.equal(d.forbidden, undefined);
    assert.deepEqual(d.warnings, ['would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)']);
  });
  it('a pod template is never refused, only warned about (the warn level follows enforce)', () => {
    const d = decidePodSecurity(policyFromLabels({ 'pod-security.kubernetes.io/enforce': 'baseline' }), privileged, false);
    assert.equal(d.forbidden, undefined);
    assert.equal(d.warnings.length, 1);
    assert.match(d.warnings[0]!, /^would violate PodSecurity "baseline:latest": privileged/);
  });
  it('a pod allowed at enforce baseline still warns at warn restricted', () => {
    const d = decidePodSecurity(policyFromLabels({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }), input({}), true);
    assert.equal(d.forbidden, undefined);
    assert.match(d.warnings[0]!, /^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  });
});

describe('pod templates and updates', () => {
  const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [c('c')], hostPID: true } };
  const obj = (spec: Json): KubeObject => ({ apiVersion: 'x', kind: 'X', metadata: { name: 'w' }, spec });
  it('finds the template of each workload kind', () => {
    assert.equal(podTemplateOf('deployments.apps', obj({ template }))?.spec.hostPID, true);
    assert.equal(podTemplateOf('cronjobs.batch', obj({ jobTemplate: { spec: { template } } }))?.spec.hostPID, true);
    assert.equal(podTemplateOf('podtemplates', { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 't' }, template } as KubeObject)?.spec.hostPID, true);
    assert.equal(podTemplateOf('services', obj({ template })), undefined);
  });
  it('a pod update counts only when images or AppArmor annotations change', () => {
    const pod = (image: string, annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(annotations ? { annotations } : {}) }, spec: { containers: [c('c', { image })] } });
    assert.equal(isSignificantPodUpdate(pod('a', { other: 'x' }), pod('a')), false);
    assert.equal(isSignificantPodUpdate(pod('b'), pod('a')), true);
    assert.equal(isSignificantPodUpdate(pod('a', { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' }), pod('a')), true);
  });
});

describe('existingPodWarnings (a namespace whose enforce level changes)', () => {
  const running = (name: string, spec: Json): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'dev' }, spec: { containers: [c('c')], ...spec } });
  it('groups the pods the new level would refuse by reasons, naming the first and counting the others', () => {
    const pods = [
      running('web-b', { hostNetwork: true }),
      running('web-a', { hostNetwork: true }),
      running('web-c', { hostNetwork: true }),
      running('agent', { hostPID: true, containers: [c('c', { securityContext: { privileged: true } })] }),
      running('plain', {}),
    ];
    assert.deepEqual(existingPodWarnings('dev', { level: 'baseline', version: 'latest' }, pods), [
      'existing pods in namespace "dev" violate the new PodSecurity enforce level "baseline:latest"',
      'agent: host namespaces, privileged',
      'web-a (and 2 other pods): host namespaces',
    ]);
  });
  it('says nothing when every pod passes, or for the privileged level', () => {
    assert.deepEqual(existingPodWarnings('dev', { level: 'baseline', version: 'latest' }, [running('plain', {})]), []);
    assert.deepEqual(existingPodWarnings('dev', { level: 'privileged', version: 'latest' }, [running('h', { hostNetwork: true })]), []);
  });
});
