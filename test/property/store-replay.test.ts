/**
 * Properties of the log and the store over generated sequences of creates, updates and
 * deletes on a small key space, appended to a real nats-server with compare-and-set:
 * - a fresh store rebuilt by replaying the log equals the live store that followed it, and
 *   both equal the pure fold of the log;
 * - resourceVersions (seqs) strictly increase, and every rejected write stored nothing;
 * - of two writers appending with the same expected subject seq, exactly one wins, and the
 *   loser learns the winner's seq.
 * Each run gets its own stream so runs never share state.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject, ObjectKey } from '../../src/api/object.ts';
import { keyString, replay } from '../../src/store/evolve.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { WrongLastSequenceError } from '../../streams/errors.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { deleteRegistryStream } from '../../streams/registry-stream.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { collect } from '../support/collect.ts';

let nats: TestNats;
let nc: NatsConnection;
let other: NatsConnection;
let run = 0;

before(async () => {
  nats = await startTestNats();
  nc = await connectNats(nats.url, 'store-property-a');
  other = await connectNats(nats.url, 'store-property-b');
});
after(async () => {
  await drainNats(nc);
  await drainNats(other);
  await nats.dispose();
});

/** put = create when absent, update when present; stale = a put or delete with an outdated seq. */
type Op = { kind: 'put' | 'delete'; resource: string; namespace: string; name: string; value: string; stale: boolean };

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('put' as const, 'put' as const, 'delete' as const),
  resource: fc.constantFrom('configmaps', 'deployments.apps', 'nodes'),
  namespace: fc.constantFrom('default', 'kube-system'),
  name: fc.constantFrom('a', 'b', 'c.d', 'x:y'),
  value: fc.string({ maxLength: 6 }),
  stale: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
});

function keyOf(op: Op): ObjectKey {
  return { resource: op.resource, namespace: op.resource === 'nodes' ? '' : op.namespace, name: op.name };
}

function objectOf(op: Op): KubeObject {
  const key = keyOf(op);
  return { apiVersion: 'v1', kind: 'Thing', metadata: key.namespace ? { name: key.name, namespace: key.namespace } : { name: key.name }, data: { value: op.value } };
}

async function freshLog(): Promise<RegistryLog> {
  run++;
  return RegistryLog.open(nc, { stream: `PROP_${run}`, prefix: `prop${run}` });
}

/**
 * Apply ops as the API server would: creates expect the subject's last seq (tombstone
 * included), updates and deletes the object's seq; a "stale" op expects an older seq and
 * must be refused. Returns the number of writes the log accepted.
 */
async function drive(log: RegistryLog, ops: Op[]): Promise<number> {
  const subjectSeq = new Map<string, number>();
  const live = new Set<string>();
  let accepted = 0;
  for (const op of ops) {
    const key = keyOf(op);
    const id = keyString(key);
    const current = subjectSeq.get(id) ?? 0;
    const exists = live.has(id);
    if (op.kind === 'delete' && !exists) continue; // the API server would answer 404 without writing
    const expected = op.stale ? current + 1 + (current % 3) : current;
    const type = op.kind === 'delete' ? 'DELETED' : exists ? 'MODIFIED' : 'ADDED';
    try {
      const { seq } = await log.append(key, { type, object: objectOf(op) }, { expectedLastSubjectSeq: expected });
      assert.ok(!op.stale, 'a stale write was accepted');
      subjectSeq.set(id, seq);
      if (type === 'DELETED') live.delete(id);
      else live.add(id);
      accepted++;
    } catch (error) {
      assert.ok(op.stale, `a fresh write was refused: ${String(error)}`);
      assert.ok(error instanceof WrongLastSequenceError);
      assert.equal(error.currentSeq, current);
    }
  }
  return accepted;
}

it('rebuilding a store from the log equals the store that followed it live, and the pure fold', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60, size: 'large' }), async (ops) => {
      const log = await freshLog();
      const live = new ObjectStore();
      const errors: Error[] = [];
      const follower = log.follow({ fromSeq: 1 }, (e) => void live.apply(e), (e) => errors.push(e));
      try {
        const accepted = await drive(log, ops);
        const { lastSeq } = await log.bounds();
        assert.equal(lastSeq, accepted, 'only accepted writes are in the log');
        await live.waitForRevision(lastSeq, 10_000);

        const entries = await collect(log.read({ fromSeq: 1 }));
        for (let i = 1; i < entries.length; i++) assert.ok(entries[i]!.seq > entries[i - 1]!.seq, 'seqs strictly increase');
        assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: lastSeq }, (_, i) => i + 1));

        const rebuilt = new ObjectStore();
        for (const entry of entries) rebuilt.apply(entry);
        const expected = replay(entries);
        assert.deepEqual(rebuilt.toState(), live.toState());
        assert.deepEqual(rebuilt.toState(), expected);
        for (const object of rebuilt.toState().objects.values()) {
          assert.ok(Number(object.metadata.resourceVersion) <= lastSeq);
        }
        assert.deepEqual(errors, []);
      } finally {
        await follower.stop();
        await deleteRegistryStream(nc, log.names);
      }
    }),
    { numRuns: 25 },
  );
});

it('of two writers with the same expected subject seq, exactly one wins', async () => {
  const log = await freshLog();
  const rival = new RegistryLog(other, log.names);
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: 3 }), fc.boolean(), async (updates, deleteFirst) => {
      const key = { resource: 'configmaps', namespace: 'default', name: `race-${n++}` };
      const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: key.name, namespace: 'default' } };
      let seq = 0;
      for (let i = 0; i < updates; i++) {
        seq = (await log.append(key, { type: seq ? 'MODIFIED' : 'ADDED', object }, { expectedLastSubjectSeq: seq })).seq;
      }
      if (deleteFirst && seq) seq = (await log.append(key, { type: 'DELETED', object }, { expectedLastSubjectSeq: seq })).seq;
      const results = await Promise.allSettled([
        log.append(key, { type: 'MODIFIED', object: { ...object, data: { by: 'a' } } }, { expectedLastSubjectSeq: seq }),
        rival.append(key, { type: 'MODIFIED', object: { ...object, data: { by: 'b' } } }, { expectedLastSubjectSeq: seq }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      const winner = (won[0] as PromiseFulfilledResult<{ seq: number }>).value.seq;
      const error = (lost[0] as PromiseRejectedResult).reason;
      assert.ok(error instanceof WrongLastSequenceError);
      assert.equal(error.currentSeq, winner);
      assert.equal((await log.lastEntry(key))?.seq, winner);
    }),
    { numRuns: 25 },
  );
  await deleteRegistryStream(nc, log.names);
});
