// The dashboard's server side without a server: the timeline summary of a log, the
// cluster folded at a past revision, the page's files (and nothing outside them), and
// the /dashboard routes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { readAsset } from '../../src/dashboard/assets.ts';
import { DashboardHistory, type LogSource } from '../../src/dashboard/history.ts';
import { parseRoute } from '../../src/http/route.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';

const deployment = (replicas: number, generation: number): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'u1', generation }, spec: { replicas } }) as KubeObject;

function logOf(entries: Omit<LogEntry, 'seq' | 'time'>[]): LogSource & { entries: LogEntry[]; reads: number } {
  const all: LogEntry[] = entries.map((e, i) => ({ ...e, seq: i + 1, time: 1_000 * (i + 1) }));
  const source = {
    entries: all,
    reads: 0,
    read({ fromSeq, toSeq }: { fromSeq: number; toSeq?: number }) {
      source.reads++;
      return (async function* () {
        for (const e of source.entries) if (e.seq >= fromSeq && (toSeq === undefined || e.seq <= toSeq)) yield e;
      })();
    },
    bounds: async () => ({ firstSeq: 1, lastSeq: source.entries.length }),
  };
  return source;
}

const key = { resource: 'deployments.apps', namespace: 'default', name: 'web' };

describe('DashboardHistory', () => {
  it('summarises the log one row per change and extends it as the log grows', async () => {
    const log = logOf([
      { type: 'ADDED', key, object: deployment(1, 1) },
      { type: 'MODIFIED', key, object: deployment(3, 2) },
    ]);
    const history = new DashboardHistory(log);
    const first = await history.timeline();
    assert.deepEqual(first.rows.map((r) => [r.seq, r.type, r.resource, r.name]), [[1, 'ADDED', 'deployments.apps', 'web'], [2, 'MODIFIED', 'deployments.apps', 'web']]);
    assert.equal(first.lastSeq, 2);
    log.entries.push({ type: 'DELETED', key, object: deployment(3, 2), seq: 3, time: 3_000 });
    const second = await history.timeline();
    assert.deepEqual(second.rows.map((r) => r.seq), [1, 2, 3]);
    assert.equal(second.lastSeq, 3);
  });

  it('shows the cluster as it was at a revision', async () => {
    const log = logOf([
      { type: 'ADDED', key, object: deployment(1, 1) },
      { type: 'MODIFIED', key, object: deployment(3, 2) },
      { type: 'DELETED', key, object: deployment(3, 2) },
    ]);
    const history = new DashboardHistory(log);
    const replicasAt = async (revision: number) =>
      (await history.stateAt(revision)).objects['deployments.apps']?.map((d) => (d.spec as { replicas: number }).replicas) ?? [];
    assert.deepEqual(await replicasAt(1), [1]);
    assert.deepEqual(await replicasAt(2), [3]);
    assert.deepEqual(await replicasAt(3), []);
    const at1 = await history.stateAt(1);
    assert.equal(at1.revision, 1);
    assert.equal(at1.time, 1_000);
    assert.equal(at1.objects['deployments.apps']![0]!.metadata.resourceVersion, '1');
    assert.deepEqual(at1.kinds, { 'deployments.apps': 1 });
    // A kind asked for by name is there even when empty; a namespace narrows every kind.
    assert.deepEqual((await history.stateAt(3, { kinds: ['deployments.apps', 'pods'] })).objects, { 'deployments.apps': [], pods: [] });
    assert.deepEqual((await history.stateAt(1, { namespace: 'elsewhere' })).objects, { 'deployments.apps': [] });
  });

  it('folds a revision asked for twice in a row once', async () => {
    const log = logOf([{ type: 'ADDED', key, object: deployment(1, 1) }]);
    const history = new DashboardHistory(log);
    await history.stateAt(1);
    const reads = log.reads;
    await history.stateAt(1);
    assert.equal(log.reads, reads);
  });
});

describe('dashboard assets', () => {
  it('serves the page, its script and the YAML library as ES modules', async () => {
    assert.match((await readAsset('/'))!.contentType, /text\/html/);
    assert.match((await readAsset('/app.js'))!.contentType, /javascript/);
    const yaml = await readAsset('/vendor/yaml/index.js');
    assert.ok(yaml && yaml.body.toString().includes('export'));
  });

  it('serves nothing outside its roots', async () => {
    assert.equal(await readAsset('/../serve.ts'), undefined);
    assert.equal(await readAsset('/vendor/yaml/../../package.json'), undefined);
    assert.equal(await readAsset('/nothing.js'), undefined);
  });
});

describe('dashboard routes', () => {
  it('routes /dashboard and below, and nothing with dot segments', () => {
    assert.deepEqual(parseRoute('/dashboard'), { kind: 'dashboard', path: '' });
    assert.deepEqual(parseRoute('/dashboard/'), { kind: 'dashboard', path: '/' });
    assert.deepEqual(parseRoute('/dashboard/api/timeline'), { kind: 'dashboard', path: '/api/timeline' });
    assert.deepEqual(parseRoute('/dashboard/../api/v1/pods'), { kind: 'unknown' });
  });
});
