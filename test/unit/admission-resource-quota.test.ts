import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { checkRequest } from '../../src/admission/resource-quota/check.ts';
import { evaluatorFor, persistentVolumeClaimEvaluator, serviceEvaluator } from '../../src/admission/resource-quota/evaluators.ts';
import { podEvaluator } from '../../src/admission/resource-quota/pod-evaluator.ts';
import { toStored } from '../../src/admission/resource-quota/resource-list.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
interface Resources { requests?: Record<string, string>; limits?: Record<string, string> }
const pod = (resources: Resources[] = [{}], extra: Record<string, unknown> = {}, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: resources.map((r, i) => ({ name: `c${i}`, image: 'i', resources: r })), ...extra },
  ...(status ? { status } : {}),
});
const quota = (name: string, hard: Record<string, string>, used?: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name, namespace: 'ns', resourceVersion: '7' },
  spec: { hard, ...spec },
  status: { hard, ...(used ? { used } : {}) },
});
const usageOf = (o: KubeObject, resource = 'pods') => toStored(evaluatorFor(resource).usage(o, NOW));

describe('quota usage per kind', () => {
  it('a pod counts itself, its requests (also as cpu/memory) and its limits', () => {
    const p = pod([{ requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } }, { requests: { cpu: '250m' } }]);
    assert.deepEqual(usageOf(p), {
      'count/pods': '1',
      pods: '1',
      cpu: '500m',
      'requests.cpu': '500m',
      memory: '64Mi',
      'requests.memory': '64Mi',
      'limits.cpu': '500m',
      'limits.memory': '128Mi',
    });
  });

  it('a terminal pod, or one past its deletion grace, counts only as an object', () => {
    assert.deepEqual(usageOf(pod([{ requests: { cpu: '1' } }], {}, { phase: 'Succeeded' })), { 'count/pods': '1' });
    const stuck: KubeObject = { ...pod([{ requests: { cpu: '1' } }]), metadata: { name: 'p', namespace: 'ns', deletionTimestamp: '2025-12-31T23:00:00Z', deletionGracePeriodSeconds: 30 } };
    assert.deepEqual(usageOf(stuck), { 'count/pods': '1' });
  });

  it('pod overhead and hugepages and extended requests', () => {
    const p = pod([{ requests: { cpu: '1', 'hugepages-2Mi': '4Mi', 'example.com/gpu': '2' } }], { overhead: { cpu: '100m' } });
    const usage = usageOf(p);
    assert.equal(usage['requests.cpu'], '1100m');
    assert.equal(usage['requests.hugepages-2Mi'], '4Mi');
    assert.equal(usage['requests.example.com/gpu'], '2');
  });

  it('services: node ports for NodePort, one load balancer and its ports for LoadBalancer', () => {
    const svc = (type: string, ports = 2): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) } });
    assert.deepEqual(toStored(serviceEvaluator.usage(svc('ClusterIP'), NOW)), { 'count/services': '1', services: '1', 'services.loadbalancers': '0', 'services.nodeports': '0' });
    assert.deepEqual(toStored(serviceEvaluator.usage(svc('NodePort'), NOW))['services.nodeports'], '2');
    assert.deepEqual(toStored(serviceEvaluator.usage(svc('LoadBalancer', 3), NOW)), { 'count/services': '1', services: '1', 'services.loadbalancers': '1', 'services.nodeports': '3' });
  });

  it('claims: storage in whole bytes, also per storage class', () => {
    const pvc: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'ns' }, spec: { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } };
    assert.deepEqual(toStored(persistentVolumeClaimEvaluator.usage(pvc, NOW)), {
      'count/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/requests.storage': '1Gi',
      persistentvolumeclaims: '1',
      'requests.storage': '1Gi',
    });
  });

  it('other kinds count as objects, with the legacy name where there is one', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } };
    assert.deepEqual(usageOf(cm, 'configmaps'), { 'count/configmaps': '1', configmaps: '1' });
    assert.deepEqual(usageOf(cm, 'deployments.apps'), { 'count/deployments.apps': '1' });
    assert.equal(evaluatorFor('deployments.apps').handles('UPDATE'), false);
  });
});

describe('quota scopes (pods)', () => {
  const scope = (scopeName: string, operator = 'Exists', values?: string[]) => ({ scopeName, operator, ...(values ? { values } : {}) });
  const bestEffort = pod([{}]);
  const burstable = pod([{ requests: { cpu: '100m' } }]);
  const terminating = pod([{}], { activeDeadlineSeconds: 30 });
  const withClass = pod([{}], { priorityClassName: 'high' });
  const cases: [string, ReturnType<typeof scope>, KubeObject, boolean][] = [
    ['BestEffort takes a pod without requests or limits', scope('BestEffort'), bestEffort, true],
    ['BestEffort leaves a pod with requests', scope('BestEffort'), burstable, false],
    ['NotBestEffort takes a pod with requests', scope('NotBestEffort'), burstable, true],
    ['Terminating takes a pod with activeDeadlineSeconds', scope('Terminating'), terminating, true],
    ['NotTerminating leaves it', scope('NotTerminating'), terminating, false],
    ['PriorityClass In', scope('PriorityClass', 'In', ['high']), withClass, true],
    ['PriorityClass In, other class', scope('PriorityClass', 'In', ['low']), withClass, false],
    ['PriorityClass NotIn, no class', scope('PriorityClass', 'NotIn', ['high']), bestEffort, true],
    ['PriorityClass Exists, no class', scope('PriorityClass'), bestEffort, false],
    ['PriorityClass DoesNotExist, no class', scope('PriorityClass', 'DoesNotExist'), bestEffort, true],
  ];
  for (const [name, s, p, expected] of cases) it(name, () => assert.equal(podEvaluator.matchesScope(s, p, NOW), expected));
});

describe('checkRequest', () => {
  const create = (object: KubeObject) => ({ operation: 'CREATE' as const, object, now: NOW });

  it('charges every matching quota and refuses past hard with Kubernetes words', () => {
    const ok = checkRequest([quota('q', { pods: '3' }, { pods: '2' })], podEvaluator, create(pod()));
    assert.ok(ok.ok);
    assert.deepEqual(ok.charges.map((c) => [c.quota.metadata.name, toStored(c.used)]), [['q', { pods: '3' }]]);
    const refused = checkRequest([quota('q', { pods: '3' }, { pods: '3' })], podEvaluator, create(pod()));
    assert.deepEqual(refused, { ok: false, reason: 'exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3' });
  });

  it('names only the exceeded resources', () => {
    const q = quota('compute', { pods: '10', 'requests.cpu': '1' }, { pods: '1', 'requests.cpu': '800m' });
    assert.deepEqual(checkRequest([q], podEvaluator, create(pod([{ requests: { cpu: '300m' } }]))), {
      ok: false,
      reason: 'exceeded quota: compute, requested: requests.cpu=300m, used: requests.cpu=800m, limited: requests.cpu=1',
    });
  });

  it('a cpu quota makes every container state a cpu request', () => {
    const q = quota('compute', { 'requests.cpu': '1', 'limits.memory': '1Gi' }, { 'requests.cpu': '0', 'limits.memory': '0' });
    assert.deepEqual(checkRequest([q], podEvaluator, create(pod([{}]))), { ok: false, reason: 'failed quota: compute: must specify limits.memory,requests.cpu' });
  });

  it('a quota the controller has not initialised limits nothing; one without used for a tracked resource refuses', () => {
    const fresh: KubeObject = { ...quota('q', { pods: '1' }), status: {} };
    assert.deepEqual(checkRequest([fresh], podEvaluator, create(pod())), { ok: true, charges: [] });
    assert.deepEqual(checkRequest([quota('q', { pods: '1', cpu: '1' }, { pods: '0' })], podEvaluator, create(pod([{ requests: { cpu: '1' } }]))), {
      ok: false,
      reason: 'status unknown for quota: q, resources: cpu,pods',
    });
  });

  it('a scoped quota charges only the pods its scopes take', () => {
    const q = quota('be', { pods: '1' }, { pods: '1' }, { scopes: ['BestEffort'] });
    assert.deepEqual(checkRequest([q], podEvaluator, create(pod([{ requests: { cpu: '1' } }]))), { ok: true, charges: [] });
    assert.equal(checkRequest([q], podEvaluator, create(pod())).ok, false);
  });

  it('an update is charged its growth only; a shrink charges nothing', () => {
    const claim = (storage: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'ns', resourceVersion: '3' }, spec: { resources: { requests: { storage } } } });
    const q = quota('storage', { 'requests.storage': '10Gi', persistentvolumeclaims: '5' }, { 'requests.storage': '8Gi', persistentvolumeclaims: '2' });
    const grow = checkRequest([q], persistentVolumeClaimEvaluator, { operation: 'UPDATE', object: claim('3Gi'), oldObject: claim('1Gi'), now: NOW });
    assert.ok(grow.ok);
    assert.deepEqual(toStored(grow.charges[0]!.used), { persistentvolumeclaims: '2', 'requests.storage': '10Gi' });
    assert.deepEqual(checkRequest([q], persistentVolumeClaimEvaluator, { operation: 'UPDATE', object: claim('1Gi'), oldObject: claim('3Gi'), now: NOW }), { ok: true, charges: [] });
    assert.equal(checkRequest([q], persistentVolumeClaimEvaluator, { operation: 'UPDATE', object: claim('4Gi'), oldObject: claim('1Gi'), now: NOW }).ok, false);
  });

  it('pods are charged on create only', () => {
    assert.deepEqual(checkRequest([quota('q', { pods: '0' }, { pods: '0' })], podEvaluator, { operation: 'UPDATE', object: pod(), oldObject: pod(), now: NOW }), { ok: true, charges: [] });
  });
});
