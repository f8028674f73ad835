/**
 * The log's message body: what is encoded decodes to the same object (through the
 * interning decoder, whatever the strings), stamped with its resourceVersion; garbage is
 * refused with a typed error rather than crashing or returning half an entry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { createInterningDecoder, StringInterner } from '../../streams/interning-decoder.ts';
import { decodeEntry, encodeRecord, MalformedRecordError } from '../../streams/record-codec.ts';

const key = { resource: 'configmaps', namespace: 'default', name: 'x' };

describe('record codec', () => {
  it('round-trips a record and stamps the seq as resourceVersion in place', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default', labels: { a: 'b' } }, data: { k: 'v' } };
    const entry = decodeEntry(encodeRecord({ type: 'ADDED', object }), 42, key, 1700000000000, 'registry.configmaps.default.x');
    assert.equal(entry.type, 'ADDED');
    assert.equal(entry.seq, 42);
    assert.equal(entry.time, 1700000000000);
    assert.deepEqual(entry.key, key);
    assert.deepEqual(entry.object, { ...object, metadata: { ...object.metadata, resourceVersion: '42' } });
    assert.equal(object.metadata.hasOwnProperty('resourceVersion'), false, 'the input is not touched');
  });

  it('drops undefined members, as JSON would', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', uid: undefined }, data: undefined };
    const entry = decodeEntry(encodeRecord({ type: 'MODIFIED', object }), 1, key, 0, 's');
    assert.deepEqual(entry.object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', resourceVersion: '1' } });
  });

  it('refuses bodies that are not records', () => {
    const bad: Uint8Array[] = [
      new Uint8Array([0xc1]),
      new Uint8Array([]),
      encode('just a string'),
      encode({ type: 'UPSERTED', object: { metadata: {} } }),
      encode({ type: 'ADDED' }),
      encode({ type: 'ADDED', object: { kind: 'X' } }),
      encode({ type: 'ADDED', object: [1, 2] }),
      new TextEncoder().encode('{"type":"ADDED"}'),
    ];
    for (const body of bad) assert.throws(() => decodeEntry(body, 7, key, 0, 'registry.x._.y'), MalformedRecordError);
  });

  it('decodes any JSON value exactly as the stock decoder would', () => {
    const decoder = createInterningDecoder();
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '😀', ' ', 'Z', '0'), maxLength: 60 });
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 5 }),
      object: fc.dictionary(text, tie('value'), { maxKeys: 5, noNullPrototype: true }),
    })).value;
    fc.assert(
      fc.property(fc.array(json, { minLength: 1, maxLength: 20 }), (values) => {
        for (const value of values) {
          const bytes = encode(value);
          // The reference is the stock decoder, not the input: msgpack itself turns -0 into 0.
          assert.deepEqual(decoder.decode(bytes), decode(bytes));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the interner returns one shared string for equal bytes and tells different bytes apart', () => {
    const interner = new StringInterner();
    const bytes = new TextEncoder().encode('xxRunningxxRunninG');
    const a = interner.decode(bytes, 2, 7);
    const b = interner.decode(bytes, 2, 7);
    const c = interner.decode(bytes, 11, 7);
    assert.equal(a, 'Running');
    assert.equal(b, 'Running');
    assert.equal(c, 'RunninG');
    assert.equal(interner.hits, 1);
    assert.equal(interner.misses, 2);
  });
});
