import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { referencedObjects, resolveEnv, type EnvContext } from '../../src/runtime/env.ts';
import { expandCommandAndArgs, expandVariables } from '../../src/runtime/expansion.ts';
import { ContainerStartError } from '../../src/runtime/runtime.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

const configMap = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data });
const secret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'shop' },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'a "quoted" value' } },
  spec: { nodeName: 'node-a', serviceAccountName: 'builder', containers: [] },
  status: { podIP: '127.1.0.5', podIPs: [{ ip: '127.1.0.5' }], hostIP: '127.0.0.1' },
};

function ctx(overrides: Partial<EnvContext> = {}): EnvContext {
  return {
    podIP: '127.1.0.5',
    hostIP: '127.0.0.1',
    nodeName: 'node-a',
    configMaps: new Map([['settings', configMap('settings', { LEVEL: 'debug', COLOR: 'blue', 'not-valid': 'x', '1BAD': 'y' })]]),
    secrets: new Map([['creds', secret('creds', { PASSWORD: 's3cr3t', USER: 'admin' })]]),
    allocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' },
    ...overrides,
  };
}

const asObject = (env: Array<{ name: string; value: string }>) => Object.fromEntries(env.map((e) => [e.name, e.value]));

function assertConfigError(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ContainerStartError);
    assert.equal(error.reason, 'CreateContainerConfigError');
    assert.equal(error.message, message);
    return true;
  });
}

describe('resolveEnv', () => {
  it('applies envFrom first (with prefix, decoding secrets, skipping invalid names), then env in order', () => {
    const env = resolveEnv(
      pod,
      {
        envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'creds' }, prefix: 'DB_' }],
        env: [
          { name: 'LEVEL', value: 'info' },
          { name: 'EXTRA', value: 'x' },
        ],
      },
      ctx(),
    );
    assert.deepEqual(env, [
      { name: 'LEVEL', value: 'info' },
      { name: 'COLOR', value: 'blue' },
      { name: 'DB_PASSWORD', value: 's3cr3t' },
      { name: 'DB_USER', value: 'admin' },
      { name: 'EXTRA', value: 'x' },
    ]);
  });

  it('expands $(VAR) from earlier variables, keeps unknown references and honours $$', () => {
    const env = resolveEnv(
      pod,
      {
        envFrom: [{ configMapRef: { name: 'settings' } }],
        env: [
          { name: 'HOST', value: 'db' },
          { name: 'URL', value: 'postgres://$(HOST):5432/$(LEVEL)' },
          { name: 'LATER', value: '$(NEXT)' },
          { name: 'NEXT', value: 'n' },
          { name: 'ESCAPED', value: '$$(HOST) costs $$5 or $5' },
        ],
      },
      ctx(),
    );
    const values = asObject(env);
    assert.equal(values.URL, 'postgres://db:5432/debug');
    assert.equal(values.LATER, '$(NEXT)', 'only variables defined before are expanded');
    assert.equal(values.ESCAPED, '$(HOST) costs $5 or $5');
  });

  it('reads ConfigMap and Secret keys, skipping optional ones that are missing', () => {
    const env = resolveEnv(
      pod,
      {
        env: [
          { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'LEVEL' } } },
          { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
          { name: 'GONE_KEY', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope', optional: true } } },
          { name: 'GONE_MAP', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k', optional: true } } },
          { name: 'GONE_SECRET', valueFrom: { secretKeyRef: { name: 'absent', key: 'k', optional: true } } },
          { name: 'EMPTY', value: '' },
        ],
        envFrom: [{ configMapRef: { name: 'absent', optional: true } }, { secretRef: { name: 'absent', optional: true } }],
      },
      ctx({ configMaps: new Map([['settings', configMap('settings', { LEVEL: 'warn' })]]) }),
    );
    assert.deepEqual(env, [
      { name: 'LEVEL', value: 'warn' },
      { name: 'PASS', value: 's3cr3t' },
      { name: 'EMPTY', value: '' },
    ]);
  });

  it('fails with kubelet messages when a required ConfigMap, Secret or key is missing', () => {
    assertConfigError(() => resolveEnv(pod, { envFrom: [{ configMapRef: { name: 'absent' } }] }, ctx()), 'configmap "absent" not found');
    assertConfigError(() => resolveEnv(pod, { envFrom: [{ secretRef: { name: 'absent' } }] }, ctx()), 'secret "absent" not found');
    assertConfigError(
      () => resolveEnv(pod, { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] }, ctx()),
      'configmap "absent" not found',
    );
    assertConfigError(
      () => resolveEnv(pod, { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'k' } } }] }, ctx()),
      "couldn't find key k in ConfigMap shop/settings",
    );
    assertConfigError(
      () => resolveEnv(pod, { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, ctx()),
      "couldn't find key k in Secret shop/creds",
    );
    assertConfigError(
      () => resolveEnv(pod, { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } }] }, ctx()),
      'secret "absent" not found',
    );
  });

  it('resolves every pod field the downward API offers', () => {
    const fields = [
      'metadata.name',
      'metadata.namespace',
      'metadata.uid',
      "metadata.labels['app']",
      "metadata.annotations['note']",
      "metadata.labels['missing']",
      'metadata.labels',
      'spec.nodeName',
      'spec.serviceAccountName',
      'status.podIP',
      'status.podIPs',
      'status.hostIP',
      'status.hostIPs',
    ];
    const env = resolveEnv(pod, { env: fields.map((fieldPath, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath } } })) }, ctx());
    assert.deepEqual(
      env.map((e) => e.value),
      ['web-1', 'shop', 'uid-1', 'web', 'a "quoted" value', '', 'app="web"\ntier="front"', 'node-a', 'builder', '127.1.0.5', '127.1.0.5', '127.0.0.1', '127.0.0.1'],
    );
    assertConfigError(() => resolveEnv(pod, { env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] }, ctx()), 'unsupported fieldPath: spec.bogus');
  });

  it('takes the addresses the kubelet passes over stale status', () => {
    const env = resolveEnv(pod, { env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }, ctx({ podIP: '127.1.0.9' }));
    assert.equal(env[0]!.value, '127.1.0.9');
  });

  it('reports container resources rounded up to the divisor, and allocatable for unset limits', () => {
    const container = {
      name: 'app',
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m', memory: '128Mi' } },
      env: [
        ['LIMIT_CPU', 'limits.cpu', undefined],
        ['LIMIT_CPU_M', 'limits.cpu', '1m'],
        ['REQ_CPU', 'requests.cpu', undefined],
        ['REQ_MEM_MI', 'requests.memory', '1Mi'],
        ['LIMIT_MEM', 'limits.memory', undefined],
        ['STORAGE_GI', 'limits.ephemeral-storage', '1Gi'],
        ['REQ_STORAGE', 'requests.ephemeral-storage', undefined],
      ].map(([name, resource, divisor]) => ({ name, valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } } })),
    };
    assert.deepEqual(asObject(resolveEnv(pod, container, ctx())), {
      LIMIT_CPU: '2',
      LIMIT_CPU_M: '1500',
      REQ_CPU: '1',
      REQ_MEM_MI: '64',
      LIMIT_MEM: String(128 * 1024 * 1024),
      STORAGE_GI: '100',
      REQ_STORAGE: '0',
    });
    const unlimited = { name: 'app', env: [{ name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] };
    assert.equal(resolveEnv(pod, unlimited, ctx())[0]!.value, '4');
  });
});

describe('expandVariables', () => {
  const lookup = (name: string) => ({ A: 'a', EMPTY: '' })[name];
  for (const [input, expected] of [
    ['$(A)', 'a'],
    ['x$(A)y$(A)z', 'xayaz'],
    ['$(EMPTY)|', '|'],
    ['$(B)', '$(B)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$a'],
    ['$(A', '$(A'],
    ['$A', '$A'],
    ['cost: $', 'cost: $'],
    ['', ''],
  ] as const) {
    it(`expands ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => assert.equal(expandVariables(input, lookup), expected));
  }
});

describe('referencedObjects', () => {
  it('lists the ConfigMaps and Secrets named by env, envFrom and volumes of every container', () => {
    const refs = referencedObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'shop' },
      spec: {
        initContainers: [{ name: 'init', envFrom: [{ configMapRef: { name: 'init-cm' } }] }],
        containers: [
          {
            name: 'c',
            envFrom: [{ secretRef: { name: 's-from' } }],
            env: [
              { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm-key', key: 'k' } } },
              { name: 'B', valueFrom: { secretKeyRef: { name: 's-key', key: 'k' } } },
              { name: 'C', value: 'plain' },
            ],
          },
        ],
        volumes: [
          { name: 'v1', configMap: { name: 'cm-vol' } },
          { name: 'v2', secret: { secretName: 's-vol' } },
          { name: 'v3', projected: { sources: [{ configMap: { name: 'cm-proj' } }, { secret: { name: 's-proj' } }, { downwardAPI: { items: [] } }] } },
          { name: 'v4', emptyDir: {} },
        ],
      },
    });
    assert.deepEqual(refs, { configMaps: ['cm-key', 'cm-proj', 'cm-vol', 'init-cm'], secrets: ['s-from', 's-key', 's-proj', 's-vol'] });
  });
});

describe('expandCommandAndArgs', () => {
  it('expands $(VAR) in command and args from the resolved env, as kubelet does', () => {
    const env = [
      { name: 'POD_NAME', value: 'web-1' },
      { name: 'PORT', value: '8080' },
    ];
    assert.deepEqual(expandCommandAndArgs({ command: ['serve', '--name=$(POD_NAME)'], args: ['--port=$(PORT)', '$$(PORT)', '$(NOPE)'] }, env), {
      command: ['serve', '--name=web-1'],
      args: ['--port=8080', '$(PORT)', '$(NOPE)'],
    });
    assert.deepEqual(expandCommandAndArgs({}, env), {});
  });
});
