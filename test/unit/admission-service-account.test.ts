import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import {
  admitServiceAccount,
  mirrorPodRefusal,
  missingServiceAccountMessage,
  mountableSecretsRefusal,
  serviceAccountNameOf,
  shouldAutomount,
  tokenVolumeSource,
  TOKEN_MOUNT_PATH,
} from '../../src/admission/service-account.ts';

type Json = Record<string, any>;
const pod = (spec: Json = {}, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'c', image: 'i' }], ...spec },
});
const account = (extra: Json = {}, annotations?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'ns', ...(annotations ? { annotations } : {}) }, ...extra }) as KubeObject;
const specOf = (p: KubeObject) => p.spec as Json;

describe('admitServiceAccount', () => {
  it('given a pod without a service account, then it runs as default and mounts kube-api-access-<suffix> in every container', () => {
    const input = pod({ initContainers: [{ name: 'init', image: 'i' }] });
    const out = admitServiceAccount(input, account(), 'x7k2q');
    const spec = specOf(out);
    assert.equal(spec.serviceAccountName, 'default');
    assert.equal(spec.serviceAccount, 'default', 'the deprecated spelling is kept equal, as defaulting would');
    assert.deepEqual(spec.volumes, [{ name: 'kube-api-access-x7k2q', projected: tokenVolumeSource() }]);
    const mount = { name: 'kube-api-access-x7k2q', readOnly: true, mountPath: TOKEN_MOUNT_PATH };
    assert.deepEqual(spec.containers[0].volumeMounts, [mount]);
    assert.deepEqual(spec.initContainers[0].volumeMounts, [mount]);
    assert.equal(specOf(input).serviceAccountName, undefined, 'the input is not mutated');
    assert.equal(specOf(input).volumes, undefined);
  });

  it('projects a 3607 s bound token, the root CA and the namespace', () => {
    const sources = tokenVolumeSource().sources as Json[];
    assert.deepEqual(sources[0], { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } });
    assert.deepEqual(sources[1], { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    assert.deepEqual(sources[2], { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } });
    assert.equal(tokenVolumeSource().defaultMode, 0o644);
  });

  for (const [what, podChoice, accountChoice, mounted] of [
    ['pod says false', false, undefined, false],
    ['account says false', undefined, false, false],
    ['pod true wins over account false', true, false, true],
    ['pod false wins over account true', false, true, false],
    ['neither says', undefined, undefined, true],
  ] as const) {
    it(`automount: ${what}`, () => {
      const p = pod(podChoice === undefined ? {} : { automountServiceAccountToken: podChoice });
      const sa = account(accountChoice === undefined ? {} : { automountServiceAccountToken: accountChoice });
      assert.equal(shouldAutomount(sa, p), mounted);
      const out = admitServiceAccount(p, sa, 'aaaaa');
      assert.equal(specOf(out).volumes !== undefined, mounted);
      assert.equal(specOf(out).serviceAccountName, 'default', 'the account is named either way');
    });
  }

  it('keeps a named service account', () => {
    assert.equal(serviceAccountNameOf(pod({ serviceAccountName: 'builder' })), 'builder');
    assert.equal(specOf(admitServiceAccount(pod({ serviceAccountName: 'builder' }), account(), 'aaaaa')).serviceAccountName, 'builder');
  });

  it('leaves a container that already mounts something at the token path alone, and adds no volume when none needs it', () => {
    const p = pod({ volumes: [{ name: 'own', emptyDir: {} }], containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'own', mountPath: TOKEN_MOUNT_PATH }] }] });
    const out = admitServiceAccount(p, account(), 'aaaaa');
    assert.deepEqual(specOf(out).volumes, [{ name: 'own', emptyDir: {} }]);
    assert.deepEqual(specOf(out).containers[0].volumeMounts, [{ name: 'own', mountPath: TOKEN_MOUNT_PATH }]);
  });

  it('reuses an existing kube-api-access volume instead of adding a second', () => {
    const existing = { name: 'kube-api-access-old11', projected: tokenVolumeSource() };
    const out = admitServiceAccount(pod({ volumes: [existing] }), account(), 'new22');
    assert.deepEqual(specOf(out).volumes, [existing]);
    assert.equal(specOf(out).containers[0].volumeMounts[0].name, 'kube-api-access-old11');
  });

  it("copies the account's image pull secrets when the pod has none", () => {
    const sa = account({ imagePullSecrets: [{ name: 'registry' }] });
    assert.deepEqual(specOf(admitServiceAccount(pod(), sa, 'aaaaa')).imagePullSecrets, [{ name: 'registry' }]);
    assert.deepEqual(specOf(admitServiceAccount(pod({ imagePullSecrets: [{ name: 'mine' }] }), sa, 'aaaaa')).imagePullSecrets, [{ name: 'mine' }]);
  });

  it('returns a mirror pod untouched', () => {
    const mirror = pod({}, { 'kubernetes.io/config.mirror': 'abc' });
    assert.equal(admitServiceAccount(mirror, account(), 'aaaaa'), mirror);
  });
});

describe('mirrorPodRefusal', () => {
  const mirror = (spec: Json) => pod(spec, { 'kubernetes.io/config.mirror': 'abc' });
  it('allows a plain mirror pod', () => assert.equal(mirrorPodRefusal(mirror({})), undefined));
  it('refuses a service account', () => assert.equal(mirrorPodRefusal(mirror({ serviceAccountName: 'x' })), 'a mirror pod may not reference service accounts'));
  it('refuses secrets', () => assert.equal(mirrorPodRefusal(mirror({ volumes: [{ name: 'v', secret: { secretName: 's' } }] })), 'a mirror pod may not reference secrets'));
  it('refuses token projections', () =>
    assert.equal(mirrorPodRefusal(mirror({ volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }] })), 'a mirror pod may not use ServiceAccountToken volume projections'));
});

describe('mountableSecretsRefusal', () => {
  const sa = account({ secrets: [{ name: 'allowed' }], imagePullSecrets: [{ name: 'pull' }] });
  it('allows the listed secrets', () => {
    const p = pod({ volumes: [{ name: 'v', secret: { secretName: 'allowed' } }], imagePullSecrets: [{ name: 'pull' }] });
    assert.equal(mountableSecretsRefusal(sa, p), undefined);
  });
  it('refuses a secret volume the account does not list', () => {
    assert.equal(
      mountableSecretsRefusal(sa, pod({ volumes: [{ name: 'v', secret: { secretName: 'other' } }] })),
      'volume with secret.secretName="other" is not allowed because service account default does not reference that secret',
    );
  });
  it('refuses an env secret ref', () => {
    const p = pod({ containers: [{ name: 'c', image: 'i', env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 'other', key: 'k' } } }] }] });
    assert.equal(mountableSecretsRefusal(sa, p), 'container c with envVar E referencing secret.secretName="other" is not allowed because service account default does not reference that secret');
  });
  it('refuses an image pull secret', () => {
    assert.equal(
      mountableSecretsRefusal(sa, pod({ imagePullSecrets: [{ name: 'pull' }, { name: 'x' }] })),
      'imagePullSecrets[1].name="x" is not allowed because service account default does not reference that imagePullSecret',
    );
  });
});

it('words a missing account as Kubernetes does', () => {
  assert.equal(missingServiceAccountMessage('dev', 'builder'), 'error looking up service account dev/builder: serviceaccount "builder" not found');
});
