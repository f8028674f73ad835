// The ResourceQuota plugin over a real ObjectStore and a log that is an array with the
// log's compare-and-set: a namespace's concurrent requests are charged in one batch (one
// write per quota), refusals never write, a dry run never writes, and a write lost to
// another server's is checked again against the newer quota.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject, ObjectKey } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';
import type { AdmissionAttributes, AdmissionContext } from '../../src/admission/plugin.ts';
import { resourceQuotaPlugin } from '../../src/admission/resource-quota/admission.ts';
import type { LogRecord } from '../../src/store/log-entry.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { WrongLastSequenceError } from '../../streams/errors.ts';
import { componentLogger } from '../../src/log.ts';

const pods = resourceByKey('pods')!;
const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
const attributes = (name: string, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE',
  resource: pods,
  namespace: 'ns',
  name,
  object: pod(name),
  dryRun: false,
  ...over,
});

/** A store fed by an in-memory log with per-subject compare-and-set; `apply` controls when the store sees a write. */
function world(options: { lagging?: boolean } = {}) {
  const store = new ObjectStore();
  const appended: { key: ObjectKey; record: LogRecord; seq: number }[] = [];
  const lastSeq = new Map<string, number>();
  let seq = 0;
  const subject = (k: ObjectKey) => `${k.resource}/${k.namespace}/${k.name}`;
  const write = (key: ObjectKey, record: LogRecord) => {
    seq++;
    lastSeq.set(subject(key), seq);
    appended.push({ key, record, seq });
    const entry = { ...record, seq, key, time: Date.now() };
    if (!options.lagging) store.apply(entry);
    return entry;
  };
  const context = {
    store,
    now: () => new Date('2026-01-01T00:00:00Z'),
    logger: componentLogger('test'),
    reads: { atLeast: async () => {}, consistent: async () => seq },
    log: {
      append: async (key: ObjectKey, record: LogRecord, opts: { expectedLastSubjectSeq: number }) => {
        await Promise.resolve();
        const current = lastSeq.get(subject(key)) ?? 0;
        if (current !== opts.expectedLastSubjectSeq) throw new WrongLastSequenceError(subject(key), opts.expectedLastSubjectSeq, current);
        return { seq: write(key, record).seq, duplicate: false };
      },
    },
  } as unknown as AdmissionContext;
  const quota = (hard: Record<string, string>, used: Record<string, string>) =>
    write({ resource: 'resourcequotas', namespace: 'ns', name: 'q' }, { type: 'ADDED', object: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec: { hard }, status: { hard, used } } });
  const quotaWrites = () => appended.filter((a) => a.key.resource === 'resourcequotas' && a.record.type === 'MODIFIED');
  return { store, context, quota, write, quotaWrites, apply: (e: Parameters<ObjectStore['apply']>[0]) => store.apply(e) };
}

const settle = (promises: (void | Promise<void>)[]) => Promise.allSettled(promises.map((p) => Promise.resolve(p)));

describe('ResourceQuota plugin', () => {
  it('charges concurrent requests of one namespace in one write, and refuses the ones past hard', async () => {
    const w = world();
    w.quota({ pods: '3' }, { pods: '0' });
    const outcomes = await settle(['a', 'b', 'c', 'd', 'e'].map((n) => resourceQuotaPlugin.validate!(attributes(n), w.context)));
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    const refusal = (outcomes[3] as PromiseRejectedResult).reason as StatusError;
    assert.equal(refusal.code, 403);
    assert.equal(refusal.message, 'pods "d" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3');
    // The first request goes alone; the four that arrived meanwhile share the next write.
    assert.deepEqual(w.quotaWrites().map((a) => (a.record.object.status as { used: unknown }).used), [{ pods: '1' }, { pods: '3' }]);
  });

  it('a dry run and a namespace without quotas write nothing', async () => {
    const w = world();
    assert.equal(resourceQuotaPlugin.validate!(attributes('x'), w.context), undefined, 'no quota: synchronous, nothing to do');
    w.quota({ pods: '3' }, { pods: '0' });
    await resourceQuotaPlugin.validate!(attributes('x', { dryRun: true }), w.context);
    assert.equal(w.quotaWrites().length, 0);
  });

  it('a write lost to another server is checked again against the newer quota', async () => {
    const w = world();
    const created = w.quota({ pods: '2' }, { pods: '0' });
    const pending = resourceQuotaPlugin.validate!(attributes('mine'), w.context);
    // Another API server charges the quota first (its write is in the log, not yet the object it admitted).
    w.write(created.key, { type: 'MODIFIED', object: { ...created.object, status: { hard: { pods: '2' }, used: { pods: '2' } } } });
    const error = await Promise.resolve(pending).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof StatusError);
    assert.equal(error.message, 'pods "mine" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  });

  it('remembers its own writes while the store lags, so its next request does not lose a race to itself', async () => {
    const w = world({ lagging: true });
    const created = w.quota({ pods: '5' }, { pods: '0' });
    w.apply(created);
    await resourceQuotaPlugin.validate!(attributes('a'), w.context);
    await resourceQuotaPlugin.validate!(attributes('b'), w.context);
    assert.deepEqual(w.quotaWrites().map((a) => (a.record.object.status as { used: unknown }).used), [{ pods: '1' }, { pods: '2' }]);
  });
});
