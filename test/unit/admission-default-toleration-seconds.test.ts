import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { defaultTolerationSeconds } from '../../src/admission/default-toleration-seconds.ts';

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const pod = (tolerations?: unknown[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'i' }], ...(tolerations ? { tolerations } : {}) },
});
const tolerationsOf = (p: KubeObject) => (p.spec as { tolerations?: unknown[] }).tolerations;
const defaults = (notReady = 300, unreachable = 300) => [
  { key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReady },
  { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachable },
];

describe('defaultTolerationSeconds', () => {
  it('given a pod without tolerations, then it tolerates not-ready and unreachable for 300 s', () => {
    const input = pod();
    const out = defaultTolerationSeconds(input);
    assert.deepEqual(tolerationsOf(out), defaults());
    assert.equal(tolerationsOf(input), undefined, 'the input is not mutated');
  });

  it('takes the seconds from the options', () => {
    assert.deepEqual(tolerationsOf(defaultTolerationSeconds(pod(), { notReadySeconds: 10, unreachableSeconds: 20 })), defaults(10, 20));
  });

  it('keeps other tolerations and appends after them', () => {
    const other = { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' };
    assert.deepEqual(tolerationsOf(defaultTolerationSeconds(pod([other]))), [other, ...defaults()]);
  });

  it('given a pod that already tolerates unreachable, then only not-ready is added, and its own is untouched', () => {
    const own = { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 };
    assert.deepEqual(tolerationsOf(defaultTolerationSeconds(pod([own]))), [own, defaults()[0]]);
  });

  it('counts a toleration with an empty effect, or an empty key, as tolerating', () => {
    const emptyEffect = [{ key: NOT_READY, operator: 'Exists' }, { key: UNREACHABLE, operator: 'Exists' }];
    const p1 = pod(emptyEffect);
    assert.equal(defaultTolerationSeconds(p1), p1, 'nothing added: the same object comes back');
    const everything = [{ operator: 'Exists' }];
    const p2 = pod(everything);
    assert.equal(defaultTolerationSeconds(p2), p2);
    const allNoExecute = [{ operator: 'Exists', effect: 'NoExecute' }];
    assert.deepEqual(tolerationsOf(defaultTolerationSeconds(pod(allNoExecute))), allNoExecute);
  });

  it('does not count a toleration of another effect, and ignores operator and value as the plugin does', () => {
    const noSchedule = { key: NOT_READY, operator: 'Exists', effect: 'NoSchedule' };
    assert.deepEqual(tolerationsOf(defaultTolerationSeconds(pod([noSchedule]))), [noSchedule, ...defaults()]);
    const equalWithValue = { key: NOT_READY, operator: 'Equal', value: 'whatever', effect: 'NoExecute' };
    assert.deepEqual(tolerationsOf(defaultTolerationSeconds(pod([equalWithValue]))), [equalWithValue, defaults()[1]]);
  });

  it('leaves objects of other kinds alone', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    assert.equal(defaultTolerationSeconds(cm), cm);
  });
});
