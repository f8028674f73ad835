/**
 * The NATS face's watch events: encoding a stored object once for every watcher yields,
 * for any event and counter, exactly the bytes of a plain encode of { type, object, n }.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { decode, Encoder } from '@msgpack/msgpack';
import { encodeWireWatchEvent } from '../../streams/watch-event-wire.ts';
import type { WatchEvent } from '../../src/apiserver/request.ts';
import type { KubeObject } from '../../src/api/object.ts';

const plain = new Encoder({ ignoreUndefined: true });

const objectArb = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constantFrom('Pod', 'ConfigMap'),
  metadata: fc.record({ name: fc.string({ minLength: 1 }), namespace: fc.option(fc.string(), { nil: undefined }), resourceVersion: fc.nat().map(String) }),
  // No __proto__ key: a decoder refuses it (and the API server never stores one).
  data: fc.dictionary(fc.string().filter((k) => k !== '__proto__'), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(undefined))),
}) as fc.Arbitrary<KubeObject>;

it('frames a shared object encoding into the same bytes as a plain encode', () => {
  fc.assert(
    fc.property(fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'), objectArb, fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 4 }), (type, object, counters) => {
      for (const n of counters) {
        const event = { type, object } as WatchEvent;
        const bytes = encodeWireWatchEvent(event, n);
        assert.deepEqual(Buffer.from(bytes), Buffer.from(plain.encode({ type, object, n })));
        assert.deepEqual(decode(bytes), decode(plain.encode({ type, object, n })));
      }
    }),
    { numRuns: 300 },
  );
});

it('encodes an ERROR Status as it is', () => {
  const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' };
  const bytes = encodeWireWatchEvent({ type: 'ERROR', object: status } as unknown as WatchEvent, 7);
  assert.deepEqual(decode(bytes), { type: 'ERROR', object: status, n: 7 });
});
