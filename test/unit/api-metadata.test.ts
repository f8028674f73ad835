import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isReadyToRemove, prepareCreate, prepareDelete, prepareUpdate, randomNameSuffix } from '../../src/api/metadata.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';

const rt = (key: string) => resourceByKey(key)!;
const NOW = '2024-05-01T10:00:00Z';
const CTX = { now: NOW, uid: 'uid-1', nameSuffix: 'x7k2q' };

const deploymentBody = (): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  }) as KubeObject;

describe('prepareCreate', () => {
  it('generates the name, uid, timestamp and generation, and drops what the server owns', () => {
    const body = deploymentBody();
    body.metadata = { generateName: 'web-', namespace: 'default', resourceVersion: '7', uid: 'client', deletionTimestamp: NOW, managedFields: [] };
    body.status = { replicas: 9 };
    const out = prepareCreate(rt('deployments.apps'), body, CTX);
    assert.deepEqual(out.metadata, { generateName: 'web-', namespace: 'default', name: 'web-x7k2q', uid: 'uid-1', creationTimestamp: NOW, generation: 1 });
    assert.deepEqual(out.status, {});
    assert.equal(body.metadata.name, undefined, 'the input is not mutated');
  });

  it('keeps a given name and truncates long generateName prefixes to 58 characters', () => {
    assert.equal(prepareCreate(rt('pods'), { ...deploymentBody(), metadata: { name: 'given', generateName: 'x-' } }, CTX).metadata.name, 'given');
    const long = prepareCreate(rt('pods'), { ...deploymentBody(), metadata: { generateName: 'a'.repeat(70) } }, CTX).metadata.name!;
    assert.equal(long, `${'a'.repeat(58)}x7k2q`);
  });

  it('normalizes apiVersion and kind and clears the namespace of cluster-scoped kinds', () => {
    const out = prepareCreate(rt('nodes'), { apiVersion: 'x', kind: 'y', metadata: { name: 'n', namespace: 'default' } }, CTX);
    assert.equal(out.apiVersion, 'v1');
    assert.equal(out.kind, 'Node');
    assert.equal(out.metadata.namespace, undefined);
    assert.equal(out.metadata.generation, undefined, 'Node keeps no generation');
  });

  it('starts a Pod Pending with its QoS class', () => {
    const pod = (resources: unknown) =>
      prepareCreate(rt('pods'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', resources }] } }, CTX);
    assert.deepEqual(pod({}).status, { phase: 'Pending', qosClass: 'BestEffort' });
    assert.deepEqual(pod({ limits: { cpu: '1', memory: '1Gi' } }).status, { phase: 'Pending', qosClass: 'Guaranteed' });
    assert.deepEqual(pod({ requests: { cpu: '100m' } }).status, { phase: 'Pending', qosClass: 'Burstable' });
  });

  it('starts a Namespace Active with the kubernetes finalizer and its name label', () => {
    const out = prepareCreate(rt('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, spec: { finalizers: ['example.com/x'] } }, CTX);
    assert.deepEqual(out.status, { phase: 'Active' });
    assert.deepEqual((out.spec as any).finalizers, ['example.com/x', 'kubernetes']);
    assert.equal(out.metadata.labels?.['kubernetes.io/metadata.name'], 'team');
  });

  it('starts PV and PVC Pending, keeps a registering Node status', () => {
    assert.deepEqual(prepareCreate(rt('persistentvolumeclaims'), { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' } }, CTX).status, { phase: 'Pending' });
    assert.deepEqual(prepareCreate(rt('persistentvolumes'), { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' } }, CTX).status, { phase: 'Pending' });
    assert.deepEqual(prepareCreate(rt('nodes'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '2' } } }, CTX).status, { capacity: { cpu: '2' } });
  });

  it('generates a Job selector from its uid', () => {
    const job = prepareCreate(rt('jobs.batch'), { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' }, spec: { template: { spec: {} } } }, CTX) as any;
    assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
    assert.deepEqual(job.spec.template.metadata.labels, {
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'uid-1',
      'batch.kubernetes.io/controller-uid': 'uid-1',
    });
  });
});

describe('randomNameSuffix', () => {
  it('draws five characters from the Kubernetes alphabet', () => {
    let i = 0;
    const values = [0, 0.999999, 0.5, 0.04, 0.2];
    assert.equal(randomNameSuffix(() => values[i++]!), 'b9rch');
    assert.match(randomNameSuffix(Math.random), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('prepareUpdate', () => {
  const stored = { ...prepareCreate(rt('deployments.apps'), deploymentBody(), CTX), status: { replicas: 1 } } as KubeObject;
  stored.metadata.resourceVersion = '10';

  it('bumps generation when the spec changes and keeps identity fields', () => {
    const incoming = structuredClone(stored);
    (incoming.spec as any).replicas = 3;
    incoming.metadata.creationTimestamp = '2000-01-01T00:00:00Z';
    incoming.metadata.generation = 99;
    delete incoming.metadata.uid;
    const out = prepareUpdate(rt('deployments.apps'), stored, incoming);
    assert.equal(out.metadata.generation, 2);
    assert.equal(out.metadata.uid, 'uid-1');
    assert.equal(out.metadata.creationTimestamp, NOW);
  });

  it('does not bump generation for metadata-only changes or for leaving defaults out', () => {
    const labelled = structuredClone(stored);
    labelled.metadata.labels = { team: 'a' };
    assert.equal(prepareUpdate(rt('deployments.apps'), stored, labelled).metadata.generation, 1);
  });

  it('bumps a Deployment generation on annotation changes', () => {
    const annotated = structuredClone(stored);
    annotated.metadata.annotations = { note: 'x' };
    assert.equal(prepareUpdate(rt('deployments.apps'), stored, annotated).metadata.generation, 2);
  });

  it('ignores status on the main resource and everything but status on the status subresource', () => {
    const incoming = structuredClone(stored);
    incoming.status = { replicas: 5 };
    (incoming.spec as any).replicas = 7;
    assert.deepEqual(prepareUpdate(rt('deployments.apps'), stored, incoming).status, { replicas: 1 });
    const status = prepareUpdate(rt('deployments.apps'), stored, incoming, { subresource: 'status' });
    assert.deepEqual(status.status, { replicas: 5 });
    assert.equal((status.spec as any).replicas, 1);
    assert.equal(status.metadata.generation, 1);
  });

  it('keeps a deletionTimestamp once set', () => {
    const deleting = { ...stored, metadata: { ...stored.metadata, deletionTimestamp: NOW, deletionGracePeriodSeconds: 0 } };
    const incoming = structuredClone(stored);
    assert.equal(prepareUpdate(rt('deployments.apps'), deleting, incoming).metadata.deletionTimestamp, NOW);
  });

  it('keeps namespace spec.finalizers except through finalize', () => {
    const ns = prepareCreate(rt('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, CTX);
    const emptied = { ...structuredClone(ns), spec: { finalizers: [] } };
    assert.deepEqual((prepareUpdate(rt('namespaces'), ns, emptied).spec as any).finalizers, ['kubernetes']);
    assert.deepEqual((prepareUpdate(rt('namespaces'), ns, emptied, { subresource: 'finalize' }).spec as any).finalizers, []);
  });
});

describe('prepareDelete and isReadyToRemove', () => {
  const configMap = (metadata: Record<string, unknown> = {}) =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', uid: 'u', ...metadata } }) as KubeObject;

  it('removes an object without finalizers', () => {
    assert.deepEqual(prepareDelete(rt('configmaps'), configMap(), { now: NOW }), { action: 'remove' });
  });

  it('marks an object with finalizers', () => {
    const decision = prepareDelete(rt('configmaps'), configMap({ finalizers: ['example.com/keep'] }), { now: NOW });
    assert.equal(decision.action, 'mark');
    if (decision.action !== 'mark') return;
    assert.equal(decision.object.metadata.deletionTimestamp, NOW);
    assert.equal(decision.object.metadata.deletionGracePeriodSeconds, 0);
    assert.ok(!isReadyToRemove(rt('configmaps'), decision.object));
    const emptied = { ...decision.object, metadata: { ...decision.object.metadata, finalizers: [] } };
    assert.ok(isReadyToRemove(rt('configmaps'), emptied));
  });

  it('adds the orphan or foregroundDeletion finalizer and bumps generation', () => {
    const deployment = { ...deploymentBody(), metadata: { name: 'web', namespace: 'd', generation: 4 } } as KubeObject;
    const orphan = prepareDelete(rt('deployments.apps'), deployment, { now: NOW, propagationPolicy: 'Orphan' });
    assert.equal(orphan.action, 'mark');
    if (orphan.action === 'mark') {
      assert.deepEqual(orphan.object.metadata.finalizers, ['orphan']);
      assert.equal(orphan.object.metadata.generation, 5);
    }
    const foreground = prepareDelete(rt('deployments.apps'), deployment, { now: NOW, propagationPolicy: 'Foreground' });
    assert.ok(foreground.action === 'mark' && foreground.object.metadata.finalizers?.[0] === 'foregroundDeletion');
    assert.deepEqual(prepareDelete(rt('deployments.apps'), deployment, { now: NOW, propagationPolicy: 'Background' }), { action: 'remove' });
  });

  it('orphans a Job’s pods when no policy is given, as batch/v1 does', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'd' } } as KubeObject;
    const decision = prepareDelete(rt('jobs.batch'), job, { now: NOW });
    assert.ok(decision.action === 'mark' && decision.object.metadata.finalizers?.includes('orphan'));
  });

  it('leaves an already-marked object as it is', () => {
    const marked = configMap({ finalizers: ['example.com/keep'], deletionTimestamp: NOW, deletionGracePeriodSeconds: 0 });
    const decision = prepareDelete(rt('configmaps'), marked, { now: '2024-05-01T11:00:00Z' });
    assert.ok(decision.action === 'mark' && decision.object === marked);
  });

  it('turns a Namespace Terminating while spec.finalizers remain', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } as KubeObject;
    const decision = prepareDelete(rt('namespaces'), ns, { now: NOW });
    assert.equal(decision.action, 'mark');
    if (decision.action !== 'mark') return;
    assert.equal(decision.object.metadata.deletionTimestamp, NOW);
    assert.deepEqual(decision.object.status, { phase: 'Terminating' });
    assert.ok(!isReadyToRemove(rt('namespaces'), decision.object));
    assert.ok(isReadyToRemove(rt('namespaces'), { ...decision.object, spec: { finalizers: [] } }));
    const empty = { ...ns, spec: { finalizers: [] } };
    assert.deepEqual(prepareDelete(rt('namespaces'), empty, { now: NOW }), { action: 'remove' });
  });

  it('deletes a running Pod gracefully and removes it when its kubelet confirms with grace 0', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' }, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30 }, status: { phase: 'Running' } } as KubeObject;
    const first = prepareDelete(rt('pods'), pod, { now: NOW });
    assert.equal(first.action, 'mark');
    if (first.action !== 'mark') return;
    assert.equal(first.object.metadata.deletionTimestamp, '2024-05-01T10:00:30Z');
    assert.equal(first.object.metadata.deletionGracePeriodSeconds, 30);
    assert.ok(!isReadyToRemove(rt('pods'), first.object), 'a status update during the grace period does not remove it');
    assert.deepEqual(prepareDelete(rt('pods'), first.object, { now: NOW, gracePeriodSeconds: 0 }), { action: 'remove' });
    const unscheduled = { ...pod, spec: {} };
    assert.deepEqual(prepareDelete(rt('pods'), unscheduled, { now: NOW }), { action: 'remove' });
  });

  it('is not ready to remove without a deletionTimestamp', () => {
    assert.ok(!isReadyToRemove(rt('configmaps'), configMap()));
  });
});
