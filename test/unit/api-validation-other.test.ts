import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';
import { validateObject } from '../../src/api/validation.ts';

import { CREATE_CONTEXT, create, created, expectError, update } from '../support/validation.ts';

describe('metadata', () => {
  const pods = resourceByKey('pods')!;
  const nodes = resourceByKey('nodes')!;
  const pod = (metadata: Record<string, unknown>) =>
    validateObject(pods, { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'c', image: 'x' }] } } as KubeObject);

  it('requires a name unless generateName is given', () => {
    expectError(pod({ namespace: 'default' }), 'metadata.name', 'FieldValueRequired', 'Required value: name or generateName is required');
  });

  it('checks generateName as a name prefix', () => {
    const errors = pod({ generateName: 'Web-', name: 'ok', namespace: 'default' });
    assert.equal(errors[0]?.field, 'metadata.generateName');
  });

  it('requires a namespace for namespaced kinds and forbids it for cluster kinds', () => {
    expectError(pod({ name: 'p' }), 'metadata.namespace', 'FieldValueRequired', 'Required value');
    const node = validateObject(nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', namespace: 'default' } } as KubeObject);
    expectError(node, 'metadata.namespace', 'FieldValueForbidden', 'Forbidden: not allowed on this type');
  });

  it('checks label keys and values at metadata.labels', () => {
    const errors = pod({ name: 'p', namespace: 'default', labels: { 'bad key': 'v', ok: 'bad value!' } });
    assert.ok(errors.some((e) => e.field === 'metadata.labels' && e.message.startsWith('Invalid value: "bad key": name part must consist of')));
    assert.ok(errors.some((e) => e.field === 'metadata.labels' && e.message.startsWith('Invalid value: "bad value!": a valid label must be')));
  });

  it('limits annotations to 256 KiB in total', () => {
    expectError(
      pod({ name: 'p', namespace: 'default', annotations: { big: 'x'.repeat(256 * 1024) } }),
      'metadata.annotations',
      'FieldValueTooLong',
      'Too long: must have at most 262144 bytes',
    );
  });

  it('refuses orphan and foregroundDeletion together', () => {
    expectError(
      pod({ name: 'p', namespace: 'default', finalizers: ['orphan', 'foregroundDeletion'] }),
      'metadata.finalizers',
      'FieldValueInvalid',
      'Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
    );
  });

  it('allows only one controller owner', () => {
    const ref = (name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: name, controller: true });
    const errors = pod({ name: 'p', namespace: 'default', ownerReferences: [ref('a'), ref('b')] });
    assert.ok(errors.some((e) => e.field === 'metadata.ownerReferences' && e.message.endsWith('Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b')));
  });

  it('formats a 422 as kubectl prints it', () => {
    const errors = pod({ namespace: 'default' });
    assert.equal(invalid('Pod', '', '', errors).message, 'Pod "" is invalid: metadata.name: Required value: name or generateName is required');
  });

  it('keeps name and uid immutable, and finalizers from growing during deletion', () => {
    const old = created('configmaps', { data: { a: 'b' } });
    expectError(update('configmaps', old, (c) => (c.metadata.name = 'other')), 'metadata.name', 'FieldValueInvalid', 'Invalid value: "other": field is immutable');
    expectError(update('configmaps', old, (c) => (c.metadata.uid = 'uid-2')), 'metadata.uid', 'FieldValueInvalid', 'Invalid value: "uid-2": field is immutable');
    const deleting = { ...old, metadata: { ...old.metadata, deletionTimestamp: CREATE_CONTEXT.now, finalizers: ['a.io/x'] } };
    expectError(
      update('configmaps', deleting, (c) => c.metadata.finalizers.push('b.io/y')),
      'metadata.finalizers',
      'FieldValueForbidden',
      'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
    );
  });
});

describe('Service validation', () => {
  const service = (spec: Record<string, unknown>) => ({ spec: { selector: { app: 'web' }, ...spec } });

  it('accepts a service with one port', () => assert.deepEqual(create('services', service({ ports: [{ port: 80 }] })), []));

  it('requires ports unless headless or ExternalName', () => {
    expectError(create('services', service({})), 'spec.ports', 'FieldValueRequired', 'Required value');
    assert.deepEqual(create('services', service({ clusterIP: 'None' })), []);
    assert.deepEqual(create('services', { spec: { type: 'ExternalName', externalName: 'db.example.com' } }), []);
  });

  it('checks port numbers, protocols and types', () => {
    const errors = create('services', service({ type: 'Magic', ports: [{ port: 0, protocol: 'ICMP' }] }));
    expectError(errors, 'spec.ports[0].port', 'FieldValueInvalid', 'Invalid value: 0: must be between 1 and 65535, inclusive');
    expectError(errors, 'spec.ports[0].protocol', 'FieldValueNotSupported', 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"');
    expectError(errors, 'spec.type', 'FieldValueNotSupported', 'Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"');
  });

  it('requires unique names when there are several ports', () => {
    const errors = create('services', service({ ports: [{ port: 80 }, { name: 'web', port: 81 }, { name: 'web', port: 82 }] }));
    expectError(errors, 'spec.ports[0].name', 'FieldValueRequired', 'Required value');
    expectError(errors, 'spec.ports[2].name', 'FieldValueDuplicate', 'Duplicate value: "web"');
  });

  it('allows clusterIP None only for ClusterIP services', () => {
    expectError(
      create('services', service({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] })),
      'spec.clusterIPs[0]',
      'FieldValueInvalid',
      "Invalid value: \"None\": may not be set to 'None' for NodePort services",
    );
  });

  it('requires an externalName for ExternalName services', () => {
    expectError(create('services', { spec: { type: 'ExternalName' } }), 'spec.externalName', 'FieldValueRequired', 'Required value');
  });

  it('forbids node ports on ClusterIP services', () => {
    expectError(create('services', service({ ports: [{ port: 80, nodePort: 30080 }] })), 'spec.ports[0].nodePort', 'FieldValueForbidden', "Forbidden: may not be used when `type` is 'ClusterIP'");
  });

  it('keeps an allocated cluster IP', () => {
    const old = created('services', service({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] }));
    expectError(
      update('services', old, (s) => {
        s.spec.clusterIP = '10.96.0.11';
        s.spec.clusterIPs = ['10.96.0.11'];
      }),
      'spec.clusterIPs[0]',
      'FieldValueInvalid',
      'Invalid value: ["10.96.0.11"]: may not change once set',
    );
    // Leaving it out of a PUT keeps it.
    assert.deepEqual(
      update('services', old, (s) => {
        delete s.spec.clusterIP;
        delete s.spec.clusterIPs;
      }),
      [],
    );
  });

  it('uses DNS-1035 labels for names', () => {
    const errors = validateObject(resourceByKey('services')!, { apiVersion: 'v1', kind: 'Service', metadata: { name: '1web', namespace: 'd' }, spec: { ports: [{ port: 80 }] } } as KubeObject);
    assert.ok(errors[0]?.message.startsWith('Invalid value: "1web": a DNS-1035 label must consist of'));
  });
});

describe('ConfigMap and Secret validation', () => {
  it('checks config keys', () => {
    const errors = create('configmaps', { data: { 'bad key': 'x' } });
    assert.equal(errors[0]?.field, 'data[bad key]');
    assert.match(errors[0]!.message, /^Invalid value: "bad key": a valid config key must consist of alphanumeric characters/);
  });

  it('refuses a key in both data and binaryData', () => {
    expectError(create('configmaps', { data: { a: 'x' }, binaryData: { a: 'eA==' } }), 'data[a]', 'FieldValueInvalid', 'Invalid value: "a": duplicate of key present in binaryData');
  });

  it('freezes immutable data', () => {
    const old = created('configmaps', { data: { a: 'x' }, immutable: true });
    expectError(update('configmaps', old, (c) => (c.data.a = 'y')), 'data', 'FieldValueForbidden', 'Forbidden: field is immutable when `immutable` is set');
    expectError(update('configmaps', old, (c) => (c.immutable = false)), 'immutable', 'FieldValueForbidden', 'Forbidden: field is immutable when `immutable` is set');
  });

  it('requires base64 secret data', () => {
    expectError(create('secrets', { data: { password: 'not base64!' } }), 'data[password]', 'FieldValueInvalid', 'Invalid value: "<secret contents redacted>": illegal base64 data');
  });

  it('folds stringData into data', () => {
    const secret = created('secrets', { stringData: { password: 'hunter2' } });
    assert.deepEqual(secret.data, { password: Buffer.from('hunter2').toString('base64') });
    assert.equal(secret.stringData, undefined);
  });

  it('requires the keys of a TLS secret and keeps the type immutable', () => {
    const errors = create('secrets', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } });
    expectError(errors, 'data[tls.key]', 'FieldValueRequired', 'Required value');
    const old = created('secrets', { data: { a: 'eA==' } });
    expectError(update('secrets', old, (s) => (s.type = 'kubernetes.io/basic-auth')), 'type', 'FieldValueInvalid', 'Invalid value: "kubernetes.io/basic-auth": field is immutable');
  });
});

describe('RBAC validation', () => {
  const binding = (roleRef: Record<string, unknown>, subjects: unknown[] = [{ kind: 'User', name: 'alice' }]) => ({ roleRef, subjects });

  it('accepts a binding to a ClusterRole with defaulted API groups', () => {
    assert.deepEqual(create('rolebindings.rbac.authorization.k8s.io', binding({ kind: 'ClusterRole', name: 'view' })), []);
  });

  it('requires roleRef name and a supported kind', () => {
    const errors = create('rolebindings.rbac.authorization.k8s.io', binding({ kind: 'Group' }));
    expectError(errors, 'roleRef.kind', 'FieldValueNotSupported', 'Unsupported value: "Group": supported values: "Role", "ClusterRole"');
    expectError(errors, 'roleRef.name', 'FieldValueRequired', 'Required value');
    expectError(
      create('clusterrolebindings.rbac.authorization.k8s.io', binding({ kind: 'Role', name: 'x' })),
      'roleRef.kind',
      'FieldValueNotSupported',
      'Unsupported value: "Role": supported values: "ClusterRole"',
    );
  });

  it('keeps roleRef immutable', () => {
    const old = created('rolebindings.rbac.authorization.k8s.io', binding({ kind: 'ClusterRole', name: 'view' }));
    expectError(
      update('rolebindings.rbac.authorization.k8s.io', old, (b) => (b.roleRef.name = 'admin')),
      'roleRef',
      'FieldValueInvalid',
      'Invalid value: {"kind":"ClusterRole","name":"admin","apiGroup":"rbac.authorization.k8s.io"}: cannot change roleRef',
    );
  });

  it('checks subjects and rules', () => {
    const errors = create('rolebindings.rbac.authorization.k8s.io', binding({ kind: 'Role', name: 'r' }, [{ kind: 'Robot', name: 'r2' }]));
    expectError(errors, 'subjects[0].kind', 'FieldValueNotSupported', 'Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"');
    const role = create('roles.rbac.authorization.k8s.io', { rules: [{ resources: ['pods'] }] });
    expectError(role, 'rules[0].verbs', 'FieldValueRequired', 'Required value: verbs must contain at least one value');
    expectError(role, 'rules[0].apiGroups', 'FieldValueRequired', 'Required value: resource rules must supply at least one api group');
  });

  it('names RBAC objects as path segments', () => {
    assert.deepEqual(create('clusterroles.rbac.authorization.k8s.io', { metadata: { name: 'system:controller:x' }, rules: [] }), []);
  });
});

describe('storage validation', () => {
  it('PVC: requires access modes and a storage request', () => {
    const errors = create('persistentvolumeclaims', { spec: {} });
    expectError(errors, 'spec.accessModes', 'FieldValueRequired', 'Required value: at least 1 access mode is required');
    expectError(errors, 'spec.resources[storage]', 'FieldValueRequired', 'Required value');
  });

  it('PVC: spec is fixed except the request of a bound claim', () => {
    const old = created('persistentvolumeclaims', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    expectError(
      update('persistentvolumeclaims', old, (c) => (c.spec.accessModes = ['ReadWriteMany'])),
      'spec',
      'FieldValueForbidden',
      'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
    const bound = { ...old, status: { phase: 'Bound' } };
    assert.deepEqual(update('persistentvolumeclaims', bound, (c) => (c.spec.resources.requests.storage = '2Gi')), []);
    assert.equal(update('persistentvolumeclaims', old, (c) => (c.spec.resources.requests.storage = '2Gi')).length, 1);
  });

  it('PV: requires one source and a storage capacity', () => {
    const errors = create('persistentvolumes', { spec: { accessModes: ['ReadWriteOnce'], capacity: { cpu: '1' } } });
    expectError(errors, 'spec', 'FieldValueRequired', 'Required value: must specify a volume type');
    expectError(errors, 'spec.capacity', 'FieldValueNotSupported', 'Unsupported value: {"cpu":"1"}: supported values: "storage"');
  });

  it('StorageClass: provisioner required, parameters frozen', () => {
    expectError(create('storageclasses.storage.k8s.io', {}), 'provisioner', 'FieldValueRequired', 'Required value');
    const old = created('storageclasses.storage.k8s.io', { provisioner: 'example.com/disk', parameters: { a: 'b' } });
    expectError(update('storageclasses.storage.k8s.io', old, (s) => (s.parameters.a = 'c')), 'parameters', 'FieldValueForbidden', 'Forbidden: updates to parameters are forbidden.');
  });
});

describe('Ingress validation', () => {
  const backend = { service: { name: 'web', port: { number: 80 } } };
  const ingress = (path: Record<string, unknown>) => ({ spec: { rules: [{ host: 'example.com', http: { paths: [path] } }] } });

  it('accepts a prefix rule', () => assert.deepEqual(create('ingresses.networking.k8s.io', ingress({ path: '/', pathType: 'Prefix', backend })), []));

  it('requires pathType and absolute paths', () => {
    expectError(
      create('ingresses.networking.k8s.io', ingress({ path: '/', backend })),
      'spec.rules[0].http.paths[0].pathType',
      'FieldValueRequired',
      'Required value: pathType must be specified',
    );
    expectError(
      create('ingresses.networking.k8s.io', ingress({ path: 'api', pathType: 'Prefix', backend })),
      'spec.rules[0].http.paths[0].path',
      'FieldValueInvalid',
      'Invalid value: "api": must be an absolute path',
    );
  });

  it('requires a backend with a port', () => {
    expectError(
      create('ingresses.networking.k8s.io', ingress({ path: '/', pathType: 'Exact', backend: { service: { name: 'web' } } })),
      'spec.rules[0].http.paths[0].backend',
      'FieldValueRequired',
      'Required value: port name or number is required',
    );
  });

  it('requires rules or a default backend', () => {
    expectError(create('ingresses.networking.k8s.io', { spec: {} }), 'spec', 'FieldValueInvalid', 'Invalid value: null: either `defaultBackend` or `rules` must be specified');
  });

  it('refuses IP hosts', () => {
    expectError(
      create('ingresses.networking.k8s.io', { spec: { rules: [{ host: '10.0.0.1' }] } }),
      'spec.rules[0].host',
      'FieldValueInvalid',
      'Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    );
  });
});

describe('Namespace, Node, Lease, Event', () => {
  it('Namespace names are DNS labels', () => {
    const errors = create('namespaces', { metadata: { name: 'team.a' } });
    expectError(errors, 'metadata.name', 'FieldValueInvalid', 'Invalid value: "team.a": must not contain dots');
  });

  it('Node taints need a known effect and are unique per key and effect', () => {
    const errors = create('nodes', { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'Later' }] } });
    assert.ok(errors.some((e) => e.field === 'spec.taints[1]' && e.type === 'FieldValueDuplicate'));
    expectError(errors, 'spec.taints[2].effect', 'FieldValueNotSupported', 'Unsupported value: "Later": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"');
  });

  it('Node pod CIDRs are set once', () => {
    const old = created('nodes', { spec: { podCIDRs: ['10.244.1.0/24'] } });
    expectError(
      update('nodes', old, (n) => (n.spec.podCIDRs = ['10.244.2.0/24'])),
      'spec.podCIDRs',
      'FieldValueForbidden',
      'Forbidden: node updates may not change podCIDR except from "" to valid',
    );
  });

  it('Lease durations are positive', () => {
    expectError(create('leases.coordination.k8s.io', { spec: { leaseDurationSeconds: 0 } }), 'spec.leaseDurationSeconds', 'FieldValueInvalid', 'Invalid value: 0: must be greater than 0');
  });

  it('Event involved objects live in the event namespace', () => {
    expectError(
      create('events', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' }, reason: 'Started' }),
      'involvedObject.namespace',
      'FieldValueInvalid',
      'Invalid value: "other": does not match event.namespace',
    );
  });

  it('HPA needs maxReplicas at or above minReplicas', () => {
    const errors = create('horizontalpodautoscalers.autoscaling', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } });
    expectError(errors, 'spec.maxReplicas', 'FieldValueInvalid', 'Invalid value: 2: must be greater than or equal to `minReplicas`');
  });

  it('PDB takes minAvailable or maxUnavailable, not both', () => {
    const errors = create('poddisruptionbudgets.policy', { spec: { minAvailable: 1, maxUnavailable: '50%' } });
    expectError(errors, 'spec', 'FieldValueInvalid', 'Invalid value: {"minAvailable":1,"maxUnavailable":"50%"}: minAvailable and maxUnavailable cannot be both set');
  });
});
