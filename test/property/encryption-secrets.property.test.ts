/**
 * Over generated sequences of Secret creates, updates, deletes and key rotations, appended
 * to a real nats-server through a log that seals with the current key:
 * - the log replayed with the config (every key) equals the live state: the writes as made,
 *   and a store that followed the log live;
 * - replayed without the config, every Secret is a withheld stand-in and no written value
 *   appears anywhere in what is read;
 * - every record names the key that was current when it was written.
 * Each run gets its own stream.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { newKey, sealedKeyName, type AesKey } from '../../src/encryption/aesgcm.ts';
import type { SecretEncryption } from '../../src/encryption/config.ts';
import { isWithheld, sealedBytesOf } from '../../src/encryption/sealed-secret.ts';
import { replay } from '../../src/store/evolve.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import type { RegistryNames } from '../../streams/subjects.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { collect } from '../support/collect.ts';

let nats: TestNats;
let nc: NatsConnection;
let run = 0;

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'encryption-property');
});
after(async () => {
  await drainNats(nc);
  await nats.dispose();
});

type Op = { kind: 'put' | 'delete' | 'rotate'; name: string; value: string };

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('put' as const, 'put' as const, 'put' as const, 'delete' as const, 'rotate' as const),
  name: fc.constantFrom('a', 'b', 'c-d'),
  // A marker keeps values long enough that none appears in ciphertext by chance.
  value: fc.string({ minLength: 1, maxLength: 12 }).map((s) => `plain:${s}`),
});

function secretOf(name: string, value: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default', labels: { v: String(value.length) } }, type: 'Opaque', stringData: { value } };
}

it('Secret writes replayed with the key equal the live state; without it nothing is disclosed', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
      run++;
      const names: RegistryNames = { stream: `ENC_PROP_${run}`, prefix: `encprop${run}` };
      // Every key of the run is made up front, so the follower can hold them all from the start.
      const pool: AesKey[] = Array.from({ length: 1 + ops.filter((o) => o.kind === 'rotate').length }, (_, i) => newKey(`k${i}`));
      let current = 1;
      const encryptionNow = (): SecretEncryption => ({ writeKey: pool[current - 1], readKeys: pool.slice(0, current).reverse() });
      const allKeys: SecretEncryption = { writeKey: undefined, readKeys: pool };
      let writer = await RegistryLog.open(nc, names, encryptionNow());
      const follower = new RegistryLog(nc, names, allKeys);
      const live = new ObjectStore();
      const errors: Error[] = [];
      const following = follower.follow({ fromSeq: 1 }, (e) => void live.apply(e), (e) => errors.push(e));
      const model = new Map<string, string>();
      const subjectSeq = new Map<string, number>();
      const keyAt = new Map<number, string>();
      const values: string[] = [];
      try {
        for (const op of ops) {
          if (op.kind === 'rotate') {
            current++;
            writer = new RegistryLog(nc, names, encryptionNow());
            continue;
          }
          const key = { resource: 'secrets', namespace: 'default', name: op.name };
          const exists = model.has(op.name);
          if (op.kind === 'delete' && !exists) continue;
          const type = op.kind === 'delete' ? 'DELETED' : exists ? 'MODIFIED' : 'ADDED';
          const object = op.kind === 'delete' ? secretOf(op.name, model.get(op.name)!) : secretOf(op.name, op.value);
          const { seq } = await writer.append(key, { type, object }, { expectedLastSubjectSeq: subjectSeq.get(op.name) ?? 0 });
          subjectSeq.set(op.name, seq);
          keyAt.set(seq, pool[current - 1]!.name);
          if (op.kind === 'delete') model.delete(op.name);
          else {
            model.set(op.name, op.value);
            values.push(op.value);
          }
        }
        const { lastSeq } = await follower.bounds();
        await live.waitForRevision(lastSeq, 10_000);
        assert.deepEqual(errors, []);

        const opened = lastSeq === 0 ? [] : await collect(follower.read({ fromSeq: 1 }));
        const state = replay(opened);
        const replayedValues = new Map([...state.objects.values()].map((o) => [o.metadata.name!, (o.stringData as { value: string }).value]));
        assert.deepEqual(replayedValues, model, 'replayed with the key = the writes as made');
        assert.deepEqual(live.toState().objects, state.objects, 'replayed with the key = the store that followed live');
        assert.equal(follower.stats.withheld, 0);

        const withheld = lastSeq === 0 ? [] : await collect(new RegistryLog(nc, names).read({ fromSeq: 1 }));
        assert.equal(withheld.length, opened.length);
        for (const entry of withheld) {
          assert.ok(isWithheld(entry.object), 'without the config every Secret is withheld');
          assert.equal(sealedKeyName(sealedBytesOf(entry.object)), keyAt.get(entry.seq), 'sealed with the key current at its write');
        }
        const disclosed = JSON.stringify(withheld);
        for (const value of values) assert.equal(disclosed.includes(value), false, `"${value}" disclosed without the key`);
      } finally {
        await following.stop();
      }
    }),
    { numRuns: 25 },
  );
});
