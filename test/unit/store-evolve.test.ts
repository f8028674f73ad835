/**
 * The pure fold: given entries, when folded, then this state. Also: evolve never mutates
 * its inputs, and replay (the batched fold) equals evolve step by step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { emptyState, evolve, evolveObject, keyString, replay, withResourceVersion } from '../../src/store/evolve.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';

function cm(name: string, value: string, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { value } };
}

function entry(seq: number, type: LogEntry['type'], object: KubeObject): LogEntry {
  const key = { resource: 'configmaps', namespace: object.metadata.namespace ?? '', name: object.metadata.name! };
  return { seq, type, object, key, time: 1000 + seq };
}

describe('evolveObject', () => {
  it('ADDED and MODIFIED give the object at resourceVersion = seq', () => {
    const added = evolveObject(undefined, entry(3, 'ADDED', cm('a', '1')));
    assert.equal(added?.metadata.resourceVersion, '3');
    const modified = evolveObject(added, entry(9, 'MODIFIED', cm('a', '2')));
    assert.equal(modified?.metadata.resourceVersion, '9');
    assert.deepEqual(modified?.data, { value: '2' });
  });

  it('DELETED gives undefined', () => {
    assert.equal(evolveObject(cm('a', '1'), entry(4, 'DELETED', cm('a', '1'))), undefined);
  });

  it('returns an already stamped object as is, and copies an unstamped one without touching it', () => {
    const stamped = withResourceVersion(cm('a', '1'), 5);
    assert.equal(evolveObject(undefined, entry(5, 'ADDED', stamped)), stamped);
    const raw = cm('b', '1');
    const result = evolveObject(undefined, entry(6, 'ADDED', raw));
    assert.notEqual(result, raw);
    assert.equal(raw.metadata.resourceVersion, undefined);
  });
});

describe('evolve', () => {
  it('given a create, an update, a delete and a re-create, then the state tracks objects and subject sequences', () => {
    const log = [
      entry(1, 'ADDED', cm('a', '1')),
      entry(2, 'ADDED', cm('b', '1')),
      entry(3, 'MODIFIED', cm('a', '2')),
      entry(4, 'DELETED', cm('b', '1')),
    ];
    const state = log.reduce(evolve, emptyState);
    assert.equal(state.revision, 4);
    assert.deepEqual([...state.objects.keys()], ['configmaps/default/a']);
    assert.equal(state.objects.get('configmaps/default/a')?.metadata.resourceVersion, '3');
    assert.equal(state.subjectSeq.get('configmaps/default/b'), 4, 'the tombstone is remembered');
    const recreated = evolve(state, entry(7, 'ADDED', cm('b', '3')));
    assert.equal(recreated.objects.get('configmaps/default/b')?.metadata.resourceVersion, '7');
    assert.equal(recreated.subjectSeq.get('configmaps/default/b'), 7);
  });

  it('ignores an entry at or below the revision (replaying twice is harmless)', () => {
    const state = evolve(emptyState, entry(5, 'ADDED', cm('a', '1')));
    assert.equal(evolve(state, entry(5, 'MODIFIED', cm('a', 'x'))), state);
    assert.equal(evolve(state, entry(2, 'DELETED', cm('a', '1'))), state);
  });

  it('never mutates the state it is given', () => {
    const before = evolve(emptyState, entry(1, 'ADDED', cm('a', '1')));
    const objects = new Map(before.objects);
    evolve(before, entry(2, 'DELETED', cm('a', '1')));
    assert.deepEqual(before.objects, objects);
    assert.equal(before.revision, 1);
    assert.equal(emptyState.objects.size, 0);
  });

  it('keyString separates resource, namespace and name', () => {
    assert.equal(keyString({ resource: 'nodes', namespace: '', name: 'n1' }), 'nodes//n1');
  });

  it('replay equals evolve step by step for any sequence', () => {
    const op = fc.record({ type: fc.constantFrom('ADDED' as const, 'MODIFIED' as const, 'DELETED' as const), name: fc.constantFrom('a', 'b', 'c'), value: fc.string({ maxLength: 3 }), gap: fc.integer({ min: 1, max: 3 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        let seq = 0;
        const entries = ops.map((o) => entry((seq += o.gap), o.type, cm(o.name, o.value)));
        const stepwise = entries.reduce(evolve, emptyState);
        const batched = replay(entries);
        assert.equal(batched.revision, stepwise.revision);
        assert.deepEqual(batched.objects, stepwise.objects);
        assert.deepEqual(batched.subjectSeq, stepwise.subjectSeq);
        assert.deepEqual(replay(entries, batched), batched, 'replaying again changes nothing');
      }),
      { numRuns: 300 },
    );
  });
});
