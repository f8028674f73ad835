import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { alwaysPullImages, alwaysPullImagesPlugin, isUpdateWithNoNewImages, pullPolicyViolations } from '../../src/admission/always-pull-images.ts';
import { resourceByKey } from '../../src/api/registry.ts';
import { StatusError } from '../../src/api/errors.ts';
import type { AdmissionAttributes, AdmissionContext } from '../../src/admission/plugin.ts';

type Json = Record<string, any>;
const pod = (spec: Json): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'ns' }, spec });
const attributes = (object: KubeObject, operation: 'CREATE' | 'UPDATE' = 'CREATE', oldObject?: KubeObject): AdmissionAttributes => ({
  operation,
  resource: resourceByKey('pods')!,
  namespace: 'ns',
  name: 'web',
  object,
  ...(oldObject ? { oldObject } : {}),
  dryRun: false,
});
const context = {} as AdmissionContext;

describe('alwaysPullImages', () => {
  it('sets Always on every container, init container and ephemeral container without mutating the input', () => {
    const input = pod({
      initContainers: [{ name: 'i', image: 'a', imagePullPolicy: 'IfNotPresent' }],
      containers: [{ name: 'c', image: 'b', imagePullPolicy: 'Never' }, { name: 'd', image: 'c' }],
      ephemeralContainers: [{ name: 'e', image: 'd' }],
    });
    const out = alwaysPullImages(input).spec as Json;
    for (const list of ['initContainers', 'containers', 'ephemeralContainers']) for (const c of out[list]) assert.equal(c.imagePullPolicy, 'Always', `${list}/${c.name}`);
    assert.equal((input.spec as Json).containers[0].imagePullPolicy, 'Never');
    assert.deepEqual(pullPolicyViolations(alwaysPullImages(input)), []);
  });

  it('names every container whose policy is not Always, with its path', () => {
    const violations = pullPolicyViolations(pod({ initContainers: [{ name: 'i', image: 'a', imagePullPolicy: 'IfNotPresent' }], containers: [{ name: 'c', image: 'b', imagePullPolicy: 'Always' }, { name: 'd', image: 'b', imagePullPolicy: 'Never' }] }));
    assert.deepEqual(violations, [
      'spec.initContainers[0].imagePullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"',
      'spec.containers[1].imagePullPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });

  it('validate refuses a pod whose policy is not Always with a 403 in Kubernetes words', () => {
    const a = attributes(pod({ containers: [{ name: 'c', image: 'b', imagePullPolicy: 'IfNotPresent' }] }));
    assert.throws(
      () => alwaysPullImagesPlugin.validate!(a, context),
      (e: unknown) => e instanceof StatusError && e.code === 403 && e.message === 'pods "web" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"',
    );
    assert.doesNotThrow(() => alwaysPullImagesPlugin.validate!(attributes(pod({ containers: [{ name: 'c', image: 'b', imagePullPolicy: 'Always' }] })), context));
  });

  it('leaves an update that brings no new image alone, and handles one that does', () => {
    const old = pod({ containers: [{ name: 'c', image: 'b', imagePullPolicy: 'IfNotPresent' }] });
    const same = pod({ containers: [{ name: 'c', image: 'b', imagePullPolicy: 'IfNotPresent' }], activeDeadlineSeconds: 5 });
    assert.equal(isUpdateWithNoNewImages(attributes(same, 'UPDATE', old)), true);
    assert.equal(alwaysPullImagesPlugin.admit!(attributes(same, 'UPDATE', old), context), same);
    const changed = pod({ containers: [{ name: 'c', image: 'new', imagePullPolicy: 'IfNotPresent' }] });
    assert.equal(isUpdateWithNoNewImages(attributes(changed, 'UPDATE', old)), false);
    const admitted = alwaysPullImagesPlugin.admit!(attributes(changed, 'UPDATE', old), context) as KubeObject;
    assert.equal((admitted.spec as Json).containers[0].imagePullPolicy, 'Always');
  });

  it('handles pod creates and updates only, not subresources or other kinds', () => {
    assert.equal(alwaysPullImagesPlugin.handles(attributes(pod({}))), true);
    assert.equal(alwaysPullImagesPlugin.handles({ ...attributes(pod({})), subresource: 'status' }), false);
    assert.equal(alwaysPullImagesPlugin.handles({ ...attributes(pod({})), operation: 'DELETE' }), false);
    assert.equal(alwaysPullImagesPlugin.handles({ ...attributes(pod({})), resource: resourceByKey('deployments.apps')! }), false);
  });
});
