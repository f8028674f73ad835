/**
 * A watch event on the NATS face: the msgpack map { type, object, n }, n being the
 * watcher's own counter. One change reaches every watcher of its kind (the controller
 * manager, the scheduler, each fleet of kubelets, dashboards...), so its object is encoded
 * once and kept while the object lives; each watcher's message is that encoding framed
 * with its type and counter. The bytes equal a plain encode of { type, object, n }.
 */
import { Encoder } from '@msgpack/msgpack';
import type { WatchEvent } from '../src/apiserver/request.ts';

const encoder = new Encoder({ ignoreUndefined: true });
/** Stored objects are never mutated (src/store/object-store.ts), so their encoding can be kept with them. */
const encodedObjects = new WeakMap<object, Uint8Array>();

const MAP_OF_3 = Uint8Array.of(0x83);
const TYPE_KEY = encoder.encode('type');
const OBJECT_KEY = encoder.encode('object');
const N_KEY = encoder.encode('n');
const TYPES = new Map<string, Uint8Array>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'].map((t) => [t, encoder.encode(t)]));

function encodedObject(object: object): Uint8Array {
  let bytes = encodedObjects.get(object);
  if (bytes === undefined) {
    bytes = encoder.encode(object);
    encodedObjects.set(object, bytes);
  }
  return bytes;
}

export function encodeWireWatchEvent(event: WatchEvent, n: number): Uint8Array {
  const type = TYPES.get(event.type) ?? encoder.encode(event.type);
  const object = event.type === 'ERROR' ? encoder.encode(event.object) : encodedObject(event.object);
  return Buffer.concat([MAP_OF_3, TYPE_KEY, type, OBJECT_KEY, object, N_KEY, encoder.encode(n)]);
}
