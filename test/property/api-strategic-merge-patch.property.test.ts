// Laws of strategic merge patch: the empty patch changes nothing; without lists or
// directives it is a JSON merge patch; a patch of maps and merge-keyed lists applies
// idempotently.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyMergePatch } from '../../src/api/patch.ts';
import { schemaFor } from '../../src/api/schema/index.ts';
import { applyStrategicMergePatch } from '../../src/api/strategic-merge-patch.ts';

const decoded = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const key = fc.string({ maxLength: 3 }).filter((k) => !k.startsWith('$'));
const scalar = fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 4 }));

/** JSON objects without lists and without directive keys; `withNulls` lets values be null (deletions). */
const listFree = (withNulls: boolean) =>
  fc.letrec((tie) => ({
    value: fc.oneof({ maxDepth: 3 }, scalar, ...(withNulls ? [fc.constant(null)] : []), tie('object')),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  })).object.map(decoded);

const POD = schemaFor('pods')!;
const container = fc.record({ name: fc.constantFrom('a', 'b', 'c'), image: fc.string({ maxLength: 3 }) }, { requiredKeys: ['name'] });
const podWith = (containers: unknown[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers } });
const uniqueContainers = fc.uniqueArray(container, { selector: (c) => c.name, maxLength: 3 }).map(decoded);

describe('strategic merge patch laws', () => {
  it('the empty patch changes no object', () => {
    fc.assert(fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 3 })).map(decoded), (target) => assert.deepEqual(applyStrategicMergePatch(target, {}), target)));
    fc.assert(fc.property(uniqueContainers, (containers) => assert.deepEqual(applyStrategicMergePatch(podWith(containers), {}, POD), podWith(containers))));
  });

  it('on objects without lists it equals JSON merge patch', () => {
    fc.assert(
      fc.property(listFree(false), listFree(true), (target, patch) => assert.deepEqual(applyStrategicMergePatch(target, patch, POD), applyMergePatch(target, patch))),
      { numRuns: 500 },
    );
  });

  it('merging containers by name is idempotent and keeps every name once', () => {
    fc.assert(
      fc.property(uniqueContainers, uniqueContainers, (current, patched) => {
        const once = applyStrategicMergePatch(podWith(current), { spec: { containers: patched } }, POD);
        assert.deepEqual(applyStrategicMergePatch(once, { spec: { containers: patched } }, POD), once);
        const names = (once as { spec: { containers: { name: string }[] } }).spec.containers.map((c) => c.name);
        assert.deepEqual(names, [...new Set([...current.map((c) => c.name), ...patched.map((c) => c.name)])]);
      }),
    );
  });
});
