import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyDefaults } from '../../src/api/defaults.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { RESOURCES, resourceByKey } from '../../src/api/registry.ts';

const kinds = fc.constantFrom(...RESOURCES);

/** Data as JSON decoding produces it (plain prototypes; fast-check also makes null-prototype objects). */
const decoded = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Arbitrary JSON placed where a kind's fields live. */
const looseObject = fc.record(
  {
    metadata: fc.oneof(fc.record({ name: fc.string(), namespace: fc.string(), labels: fc.dictionary(fc.string(), fc.string()) }), fc.jsonValue()),
    spec: fc.jsonValue({ maxDepth: 4 }),
    status: fc.jsonValue({ maxDepth: 2 }),
    data: fc.jsonValue({ maxDepth: 2 }),
    stringData: fc.dictionary(fc.string(), fc.string()),
  },
  { requiredKeys: ['metadata'] },
).map(decoded);

const container = fc.record(
  {
    name: fc.constantFrom('web', 'side'),
    image: fc.constantFrom('nginx', 'nginx:latest', 'nginx:1.25', 'reg:5000/app', 'x@sha256:abc'),
    ports: fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['containerPort'] }), { maxLength: 2 }),
    resources: fc.record({ limits: fc.dictionary(fc.constantFrom('cpu', 'memory'), fc.constantFrom('1', '500m', '1Gi')), requests: fc.dictionary(fc.constantFrom('cpu', 'memory'), fc.constantFrom('100m', '64Mi')) }, { requiredKeys: [] }),
    livenessProbe: fc.record({ httpGet: fc.record({ port: fc.integer({ min: 1, max: 65535 }) }), periodSeconds: fc.integer({ min: 1, max: 60 }) }, { requiredKeys: ['httpGet'] }),
    imagePullPolicy: fc.constantFrom('Always', 'Never'),
  },
  { requiredKeys: ['name', 'image'] },
);

const podSpec = fc.record(
  {
    containers: fc.array(container, { minLength: 1, maxLength: 3 }),
    initContainers: fc.array(container, { maxLength: 1 }),
    restartPolicy: fc.constantFrom('Always', 'OnFailure', 'Never'),
    hostNetwork: fc.boolean(),
    volumes: fc.array(fc.oneof(fc.record({ name: fc.constant('v') }), fc.record({ name: fc.constant('s'), secret: fc.record({ secretName: fc.constant('x') }) })), { maxLength: 2 }),
  },
  { requiredKeys: ['containers'] },
);

const template = podSpec.map((spec) => ({ metadata: { labels: { app: 'web' } }, spec }));

const realistic: fc.Arbitrary<[string, Record<string, unknown>]> = fc.oneof(
  podSpec.map((spec) => ['pods', { spec }] as [string, Record<string, unknown>]),
  fc.record({ template, replicas: fc.integer({ min: 0, max: 5 }), strategy: fc.constantFrom({}, { type: 'Recreate' }, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }) }, { requiredKeys: ['template'] }).map(
    (spec) => ['deployments.apps', { spec }] as [string, Record<string, unknown>],
  ),
  fc.record({ template, parallelism: fc.integer({ min: 0, max: 3 }), completions: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: ['template'] }).map(
    (spec) => ['jobs.batch', { spec }] as [string, Record<string, unknown>],
  ),
  fc.record({ template, updateStrategy: fc.constantFrom({}, { type: 'OnDelete' }) }, { requiredKeys: ['template'] }).map((spec) => ['statefulsets.apps', { spec }] as [string, Record<string, unknown>]),
  fc.record({ ports: fc.array(fc.record({ port: fc.integer({ min: 1, max: 65535 }), targetPort: fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constant('http')) }, { requiredKeys: ['port'] }), { maxLength: 3 }), type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'), clusterIP: fc.constantFrom('10.0.0.1', 'None') }, { requiredKeys: [] }).map(
    (spec) => ['services', { spec }] as [string, Record<string, unknown>],
  ),
);

describe('applyDefaults properties', () => {
  it('is idempotent on realistic objects', () => {
    fc.assert(
      fc.property(realistic, ([key, body]) => {
        const rt = resourceByKey(key)!;
        const object = { apiVersion: rt.apiVersion, kind: rt.kind, metadata: { name: 'x', namespace: 'd' }, ...body } as KubeObject;
        const once = applyDefaults(rt, object);
        assert.deepEqual(applyDefaults(rt, once), once);
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent and never throws on arbitrary JSON for every kind', () => {
    fc.assert(
      fc.property(kinds, looseObject, (rt, body) => {
        const once = applyDefaults(rt, body as unknown as KubeObject);
        assert.deepEqual(applyDefaults(rt, once), once);
      }),
      { numRuns: 1000 },
    );
  });

  it('never mutates its input', () => {
    fc.assert(
      fc.property(kinds, looseObject, (rt, body) => {
        const before = JSON.stringify(body);
        applyDefaults(rt, body as unknown as KubeObject);
        assert.equal(JSON.stringify(body), before);
      }),
    );
  });
});
