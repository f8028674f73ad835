import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyDefaults } from '../../src/api/defaults.ts';
import { prepareCreate, prepareUpdate } from '../../src/api/metadata.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { RESOURCES } from '../../src/api/registry.ts';
import { findUnknownFields, pruneUnknownFields } from '../../src/api/schema/index.ts';
import { validateObject } from '../../src/api/validation.ts';

const kinds = fc.constantFrom(...RESOURCES);

/** Data as JSON decoding produces it (plain prototypes; fast-check also makes null-prototype objects). */
const decoded = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const json = fc.jsonValue({ maxDepth: 4 }).map(decoded);

/** Objects shaped like API objects, with anything inside. */
const objectish = fc.record(
  {
    apiVersion: fc.oneof(fc.string(), json),
    kind: fc.string(),
    metadata: fc.oneof(
      fc.record({ name: fc.oneof(fc.string(), json), namespace: fc.string(), labels: json, annotations: json, finalizers: json, ownerReferences: json }, { requiredKeys: [] }),
      json,
    ),
    spec: json,
    status: json,
    data: json,
    rules: json,
    roleRef: json,
    subjects: json,
  },
  { requiredKeys: [] },
).map(decoded);

/** Deeper structure where the validators look: containers, ports, templates, selectors. */
const nearlyValid = fc.record({
  metadata: fc.record({ name: fc.constantFrom('web', 'Web', ''), namespace: fc.constantFrom('default', '') }),
  spec: fc.record(
    {
      replicas: fc.oneof(fc.integer({ min: -2, max: 3 }), json),
      selector: fc.oneof(fc.constant({ matchLabels: { app: 'web' } }), json),
      template: fc.record({ metadata: fc.record({ labels: fc.oneof(fc.constant({ app: 'web' }), json) }), spec: json }, { requiredKeys: [] }),
      containers: fc.array(fc.record({ name: json, image: json, ports: json, resources: json, env: json, volumeMounts: json }, { requiredKeys: [] }), { maxLength: 2 }),
      ports: json,
      rules: json,
    },
    { requiredKeys: [] },
  ),
}).map(decoded);

describe('validateObject properties', () => {
  it('never throws on arbitrary JSON, for every kind', () => {
    fc.assert(
      fc.property(kinds, fc.oneof(json, objectish, nearlyValid), (rt, body) => {
        const errors = validateObject(rt, body);
        assert.ok(Array.isArray(errors));
        for (const e of errors) assert.ok(typeof e.field === 'string' && typeof e.message === 'string' && e.type.startsWith('FieldValue'));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws through the whole create and update pipeline', () => {
    fc.assert(
      fc.property(kinds, fc.oneof(objectish, nearlyValid), fc.oneof(objectish, nearlyValid), (rt, body, next) => {
        const ctx = { now: '2024-01-01T00:00:00Z', uid: 'u', nameSuffix: 'abcde' };
        const asObject = (b: unknown) => ({ ...(b as object), metadata: typeof (b as KubeObject).metadata === 'object' && (b as KubeObject).metadata !== null && !Array.isArray((b as KubeObject).metadata) ? (b as KubeObject).metadata : {} }) as KubeObject;
        const created = applyDefaults(rt, prepareCreate(rt, asObject(body), ctx));
        validateObject(rt, created);
        const updated = applyDefaults(rt, prepareUpdate(rt, created, asObject(next)));
        assert.ok(Array.isArray(validateObject(rt, updated, created)));
      }),
      { numRuns: 1000 },
    );
  });

  it('pruning leaves no unknown field', () => {
    fc.assert(
      fc.property(kinds, objectish, (rt, body) => {
        const pruned = pruneUnknownFields(rt, body as unknown as KubeObject);
        assert.deepEqual(findUnknownFields(rt, pruned), []);
      }),
      { numRuns: 500 },
    );
  });
});
