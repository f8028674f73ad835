import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import {
  aggregateMessage,
  applyLimitRangeDefaults,
  claimLimitViolations,
  LIMIT_RANGER_ANNOTATION,
  podLimitViolations,
} from '../../src/admission/limit-ranger.ts';

interface Resources { requests?: Record<string, string>; limits?: Record<string, string> }
const container = (name: string, resources?: Resources, extra: Record<string, unknown> = {}) => ({ name, image: 'i', ...(resources ? { resources } : {}), ...extra });
const pod = (containers: unknown[], initContainers?: unknown[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers, ...(initContainers ? { initContainers } : {}) },
});
const range = (...limits: Record<string, unknown>[]): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'ns' }, spec: { limits } });
const claim = (storage?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'c', namespace: 'ns' },
  spec: { accessModes: ['ReadWriteOnce'], resources: storage ? { requests: { storage } } : {} },
});
const resourcesOf = (p: KubeObject, i = 0, list = 'containers') => ((p.spec as Record<string, { resources?: Resources }[]>)[list]![i]!.resources);

describe('LimitRanger defaults', () => {
  const defaults = range({ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } });

  it('given containers without resources, then both get requests and limits and the annotation says so', () => {
    const input = pod([container('a'), container('b')]);
    const out = applyLimitRangeDefaults(input, defaults);
    assert.deepEqual(resourcesOf(out, 0), { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    assert.deepEqual(resourcesOf(out, 1), resourcesOf(out, 0));
    assert.equal(
      out.metadata.annotations?.[LIMIT_RANGER_ANNOTATION],
      'LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; cpu, memory request for container b; cpu, memory limit for container b',
    );
    assert.equal(resourcesOf(input), undefined, 'the input is not mutated');
  });

  it('keeps what a container states and names only what it set, init containers as "init container"', () => {
    const out = applyLimitRangeDefaults(pod([container('app', { requests: { cpu: '1' }, limits: { cpu: '2', memory: '1Gi' } })], [container('init')]), defaults);
    assert.deepEqual(resourcesOf(out), { requests: { cpu: '1', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } });
    assert.equal(
      out.metadata.annotations?.[LIMIT_RANGER_ANNOTATION],
      'LimitRanger plugin set: memory request for container app; cpu, memory request for init container init; cpu, memory limit for init container init',
    );
  });

  it('a pod that states everything, or a range without Container defaults, is returned as is', () => {
    const full = pod([container('a', { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })]);
    assert.equal(applyLimitRangeDefaults(full, defaults), full);
    const bare = pod([container('a')]);
    assert.equal(applyLimitRangeDefaults(bare, range({ type: 'Pod', max: { cpu: '2' } })), bare);
  });
});

describe('LimitRanger pod constraints', () => {
  const cases: { name: string; range: KubeObject; pod: KubeObject; errors: string[] }[] = [
    {
      name: 'a request under the Container min and a limit over the max',
      range: range({ type: 'Container', min: { cpu: '100m', memory: '64Mi' }, max: { cpu: '2', memory: '1Gi' } }),
      pod: pod([container('a', { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '1', memory: '2Gi' } })]),
      errors: ['minimum cpu usage per Container is 100m, but request is 50m', 'maximum memory usage per Container is 1Gi, but limit is 2Gi'],
    },
    {
      name: 'no request under a min, no limit under a max',
      range: range({ type: 'Container', min: { cpu: '100m' }, max: { memory: '1Gi' } }),
      pod: pod([container('a')]),
      errors: ['minimum cpu usage per Container is 100m.  No request is specified', 'maximum memory usage per Container is 1Gi.  No limit is specified'],
    },
    {
      name: 'a limit under the min, a request over the max',
      range: range({ type: 'Container', min: { cpu: '500m' }, max: { cpu: '1' } }),
      pod: pod([container('a', { requests: { cpu: '2' }, limits: { cpu: '0.1' } })]),
      errors: ['minimum cpu usage per Container is 500m, but limit is 100m', 'maximum cpu usage per Container is 1, but request is 2'],
    },
    {
      name: 'maxLimitRequestRatio exceeded',
      range: range({ type: 'Container', maxLimitRequestRatio: { memory: '2' } }),
      pod: pod([container('a', { requests: { memory: '100Mi' }, limits: { memory: '400Mi' } })]),
      errors: ['memory max limit to request ratio per Container is 2, but provided ratio is 4.000000'],
    },
    {
      name: 'maxLimitRequestRatio without a request',
      range: range({ type: 'Container', maxLimitRequestRatio: { cpu: '3' } }),
      pod: pod([container('a', { limits: { cpu: '1' } })]),
      errors: ['cpu max limit to request ratio per Container is 3, but no request is specified or request is 0'],
    },
    {
      name: 'the Pod max on the sum of the containers',
      range: range({ type: 'Pod', max: { cpu: '1' } }),
      pod: pod([container('a', { requests: { cpu: '600m' }, limits: { cpu: '600m' } }), container('b', { requests: { cpu: '600m' }, limits: { cpu: '600m' } })]),
      errors: ['maximum cpu usage per Pod is 1, but limit is 1200m'],
    },
    {
      name: 'the Pod min counts the largest init container',
      range: range({ type: 'Pod', min: { cpu: '1' } }),
      pod: pod([container('a', { requests: { cpu: '100m' } })], [container('i', { requests: { cpu: '2' } })]),
      errors: [],
    },
    {
      name: 'init containers are held to the Container rules',
      range: range({ type: 'Container', max: { cpu: '1' } }),
      pod: pod([container('a', { limits: { cpu: '1' } })], [container('i', { limits: { cpu: '3' } })]),
      errors: ['maximum cpu usage per Container is 1, but limit is 3'],
    },
    {
      name: 'within every bound',
      range: range({ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' }, maxLimitRequestRatio: { cpu: '4' } }),
      pod: pod([container('a', { requests: { cpu: '250m' }, limits: { cpu: '1' } })]),
      errors: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(podLimitViolations(c.pod, c.range), c.errors));
  }

  it('aggregates as Kubernetes does: one alone, several in brackets, duplicates once', () => {
    assert.equal(aggregateMessage(['a']), 'a');
    assert.equal(aggregateMessage(['a', 'b', 'a']), '[a, b]');
  });
});

describe('LimitRanger claim constraints', () => {
  const bounds = range({ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } });
  const cases: [string, KubeObject, string[]][] = [
    ['under the min', claim('500Mi'), ['minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi']],
    ['over the max', claim('20Gi'), ['maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi']],
    ['no request', claim(), ['minimum storage usage per PersistentVolumeClaim is 1Gi.  No request is specified', 'maximum storage usage per PersistentVolumeClaim is 10Gi.  No request is specified']],
    ['within', claim('5Gi'), []],
  ];
  for (const [name, c, errors] of cases) it(name, () => assert.deepEqual(claimLimitViolations(c, bounds), errors));

  it('pod rules do not apply to claims, claim rules not to pods', () => {
    assert.deepEqual(claimLimitViolations(claim('1Ti'), range({ type: 'Container', max: { storage: '1Gi' } })), []);
    assert.deepEqual(podLimitViolations(pod([container('a')]), bounds), []);
  });
});
