import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../../src/api/defaults.ts';
import type { FieldError } from '../../src/api/errors.ts';
import { prepareCreate, prepareUpdate } from '../../src/api/metadata.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';
import { validateObject } from '../../src/api/validation.ts';

const pods = resourceByKey('pods')!;
const CTX = { now: '2024-05-01T10:00:00Z', uid: 'uid-1', nameSuffix: 'abcde' };

/** Given a pod spec, when it goes through create (prepare, defaults, validation), then these errors. */
function createPod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): FieldError[] {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', ...metadata }, spec } as KubeObject;
  return validateObject(pods, applyDefaults(pods, prepareCreate(pods, pod, CTX)));
}

function expectError(errors: FieldError[], field: string, type: string, message: string): void {
  const found = errors.some((e) => e.field === field && e.type === type && e.message === message);
  assert.ok(found, `expected ${field}: ${message} (${type}), got ${JSON.stringify(errors, null, 2)}`);
}

const container = (extra: Record<string, unknown> = {}) => ({ name: 'web', image: 'nginx:1.25', ...extra });

describe('Pod validation', () => {
  it('accepts a minimal pod', () => {
    assert.deepEqual(createPod({ containers: [container()] }), []);
  });

  it('requires containers', () => {
    expectError(createPod({ containers: [] }), 'spec.containers', 'FieldValueRequired', 'Required value');
    expectError(createPod({}), 'spec.containers', 'FieldValueRequired', 'Required value');
  });

  it('requires unique DNS-label container names', () => {
    const errors = createPod({ containers: [container(), container()] });
    expectError(errors, 'spec.containers[1].name', 'FieldValueDuplicate', 'Duplicate value: "web"');
    const bad = createPod({ containers: [container({ name: 'Web_1' })] });
    assert.equal(bad[0]?.field, 'spec.containers[0].name');
    assert.match(bad[0]!.message, /^Invalid value: "Web_1": a lowercase RFC 1123 label must consist of/);
    expectError(createPod({ containers: [{ image: 'x' }] }), 'spec.containers[0].name', 'FieldValueRequired', 'Required value');
  });

  it('requires an image', () => {
    expectError(createPod({ containers: [{ name: 'web' }] }), 'spec.containers[0].image', 'FieldValueRequired', 'Required value');
  });

  it('requires ports in 1-65535 and a known protocol', () => {
    const errors = createPod({ containers: [container({ ports: [{ containerPort: 70000 }, { containerPort: 0 }, { containerPort: 80, protocol: 'ICMP' }] })] });
    expectError(errors, 'spec.containers[0].ports[0].containerPort', 'FieldValueInvalid', 'Invalid value: 70000: must be between 1 and 65535, inclusive');
    expectError(errors, 'spec.containers[0].ports[1].containerPort', 'FieldValueRequired', 'Required value');
    expectError(errors, 'spec.containers[0].ports[2].protocol', 'FieldValueNotSupported', 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"');
  });

  it('refuses duplicate port names', () => {
    const errors = createPod({ containers: [container({ ports: [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }] })] });
    expectError(errors, 'spec.containers[0].ports[1].name', 'FieldValueDuplicate', 'Duplicate value: "http"');
  });

  it('checks restartPolicy against Always, OnFailure, Never', () => {
    expectError(
      createPod({ containers: [container()], restartPolicy: 'Sometimes' }),
      'spec.restartPolicy',
      'FieldValueNotSupported',
      'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    );
  });

  it('requires unique volume names and mounts of existing volumes', () => {
    const errors = createPod({
      volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }],
      containers: [container({ volumeMounts: [{ name: 'cache', mountPath: '/cache' }, { name: 'data', mountPath: '/data' }, { name: 'data', mountPath: '/data' }] })],
    });
    expectError(errors, 'spec.volumes[1].name', 'FieldValueDuplicate', 'Duplicate value: "data"');
    expectError(errors, 'spec.containers[0].volumeMounts[0].name', 'FieldValueNotFound', 'Not found: "cache"');
    expectError(errors, 'spec.containers[0].volumeMounts[2].mountPath', 'FieldValueInvalid', 'Invalid value: "/data": must be unique');
  });

  it('wants exactly one volume source', () => {
    const errors = createPod({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/tmp' } }], containers: [container()] });
    expectError(errors, 'spec.volumes[0].hostPath', 'FieldValueForbidden', 'Forbidden: may not specify more than 1 volume type');
    const secretless = createPod({ volumes: [{ name: 'v', secret: {} }], containers: [container()] });
    expectError(secretless, 'spec.volumes[0].secret.secretName', 'FieldValueRequired', 'Required value');
  });

  it('keeps requests at or below limits', () => {
    const errors = createPod({ containers: [container({ resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } })] });
    expectError(errors, 'spec.containers[0].resources.requests', 'FieldValueInvalid', 'Invalid value: "2": must be less than or equal to cpu limit of 1');
  });

  it('refuses unknown resource names and malformed quantities', () => {
    const errors = createPod({ containers: [container({ resources: { limits: { gpu: '1', memory: '1Gb' } } })] });
    expectError(errors, 'spec.containers[0].resources.limits[gpu]', 'FieldValueInvalid', 'Invalid value: "gpu": must be a standard resource for containers');
    expectError(
      errors,
      'spec.containers[0].resources.limits[memory]',
      'FieldValueInvalid',
      "Invalid value: \"1Gb\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  it('checks probes: one handler, successThreshold 1 for liveness', () => {
    const errors = createPod({
      containers: [container({ livenessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 }, successThreshold: 2 }, readinessProbe: {} })],
    });
    expectError(errors, 'spec.containers[0].livenessProbe.tcpSocket', 'FieldValueForbidden', 'Forbidden: may not specify more than 1 handler type');
    expectError(errors, 'spec.containers[0].livenessProbe.successThreshold', 'FieldValueInvalid', 'Invalid value: 2: must be 1');
    expectError(errors, 'spec.containers[0].readinessProbe', 'FieldValueRequired', 'Required value: must specify a handler type');
  });

  it('refuses negative probe periods', () => {
    const errors = createPod({ containers: [container({ readinessProbe: { httpGet: { port: 8080 }, periodSeconds: -1 } })] });
    expectError(errors, 'spec.containers[0].readinessProbe.periodSeconds', 'FieldValueInvalid', 'Invalid value: -1: must be greater than or equal to 0');
  });

  it('checks environment variable names and sources', () => {
    const errors = createPod({ containers: [container({ env: [{ name: '1ABC', value: 'x' }, { name: 'B', valueFrom: {} }] })] });
    assert.ok(errors.some((e) => e.field === 'spec.containers[0].env[0].name' && e.message.startsWith('Invalid value: "1ABC": a valid environment variable name')));
    expectError(
      errors,
      'spec.containers[0].env[1].valueFrom',
      'FieldValueInvalid',
      'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    );
  });

  it('forbids probes on plain init containers', () => {
    const errors = createPod({ initContainers: [container({ name: 'init', readinessProbe: { exec: { command: ['x'] } } })], containers: [container()] });
    expectError(errors, 'spec.initContainers[0].readinessProbe', 'FieldValueForbidden', 'Forbidden: may not be set for init containers without restartPolicy=Always');
  });

  it('reports a value of the wrong JSON type and stops there', () => {
    const errors = createPod({ containers: [container()], terminationGracePeriodSeconds: 'thirty' });
    assert.deepEqual(errors, [
      {
        type: 'FieldValueTypeInvalid',
        field: 'spec.terminationGracePeriodSeconds',
        message: 'Invalid value: "string": spec.terminationGracePeriodSeconds in body must be of type integer: "string"',
      },
    ]);
  });

  it('checks tolerations', () => {
    const errors = createPod({ containers: [container()], tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', effect: 'Sometimes' }] });
    expectError(errors, 'spec.tolerations[0].operator', 'FieldValueInvalid', 'Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"');
    expectError(errors, 'spec.tolerations[1].effect', 'FieldValueNotSupported', 'Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"');
  });
});

describe('Pod update', () => {
  const created = applyDefaults(pods, prepareCreate(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [container()] } } as KubeObject, CTX));
  const update = (change: (pod: KubeObject) => void) => {
    const incoming = structuredClone(created);
    change(incoming);
    return validateObject(pods, applyDefaults(pods, prepareUpdate(pods, created, incoming)), created);
  };

  it('allows a new image', () => {
    assert.deepEqual(update((p) => ((p.spec as any).containers[0].image = 'nginx:1.26')), []);
  });

  it('forbids other spec changes', () => {
    const errors = update((p) => ((p.spec as any).containers[0].name = 'other'));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.field, 'spec');
    assert.equal(errors[0]!.type, 'FieldValueForbidden');
    assert.match(errors[0]!.message, /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
  });

  it('forbids removing a toleration', () => {
    const tolerated = structuredClone(created);
    (tolerated.spec as any).tolerations = [{ key: 'k', operator: 'Exists' }];
    const incoming = structuredClone(tolerated);
    (incoming.spec as any).tolerations = [];
    const errors = validateObject(pods, applyDefaults(pods, prepareUpdate(pods, tolerated, incoming)), tolerated);
    expectError(errors, 'spec.tolerations', 'FieldValueForbidden', 'Forbidden: existing toleration can not be modified except its tolerationSeconds');
  });
});
