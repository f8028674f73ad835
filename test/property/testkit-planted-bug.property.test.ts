/**
 * The testkit finds a planted bug in a toy controller written here, shrinks the failing
 * sequence to a short one, and writes a log file that replays to the failing state (read
 * back in-process and by `jetkube replay --file`).
 *
 * The toy controller keeps `replicas` pods per ReplicaSet, named <rs>-<i>. Planted bug: it
 * creates the missing pods at indexes count..replicas-1, so after a user deletes a pod
 * that is not the last, the name it wants is taken: it skips it and rests one pod short.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import {
  checkController,
  eventSequence,
  replayLogFile,
  ScenarioCheckFailed,
  type ClusterView,
  type ControllerWrite,
  type Invariant,
  type TestController,
} from '../../src/testkit/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'testkit-planted-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rs: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'toy', namespace: 'default' },
  spec: { replicas: 3, selector: { matchLabels: { app: 'toy' } }, template: { metadata: { labels: { app: 'toy' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
};

function toyController(buggy: boolean): TestController {
  return {
    name: buggy ? 'toy (buggy)' : 'toy',
    reconcile(view: ClusterView): ControllerWrite[] {
      const writes: ControllerWrite[] = [];
      for (const owner of view.list('replicasets.apps', 'default')) {
        const want = (owner.spec as { replicas: number }).replicas;
        const pods = view.list('pods', 'default').filter((p) => p.metadata.labels?.app === 'toy');
        const names = new Set(pods.map((p) => p.metadata.name));
        const free = buggy
          ? Array.from({ length: Math.max(0, want - pods.length) }, (_, k) => `toy-${pods.length + k}`).filter((n) => !names.has(n))
          : Array.from({ length: want + pods.length }, (_, i) => `toy-${i}`).filter((n) => !names.has(n)).slice(0, Math.max(0, want - pods.length));
        for (const name of free) writes.push({ type: 'create', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'toy' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } });
        for (const extra of pods.slice(want)) writes.push({ type: 'delete', resource: 'pods', namespace: 'default', name: extra.metadata.name!, uid: extra.metadata.uid! });
      }
      return writes;
    },
  };
}

const replicasHeld: Invariant = (view) => {
  const want = (view.get('replicasets.apps', 'default', 'toy')?.spec as { replicas: number } | undefined)?.replicas ?? 0;
  const have = view.list('pods', 'default').length;
  assert.equal(have, want, `pods ${have} != replicas ${want}`);
};

const events = eventSequence({
  prefix: [{ type: 'create', object: rs }],
  updates: { targets: [{ resource: 'replicasets.apps', namespace: 'default', name: 'toy' }], patch: fc.integer({ min: 0, max: 5 }).map((replicas) => ({ spec: { replicas } })) },
  deletes: { anyOf: [{ resource: 'pods', namespace: 'default' }] },
  writers: ['alice', 'bob'],
  maxClockStepMs: 5000,
  maxLength: 25,
});

describe('testkit: a planted bug in a toy controller', () => {
  it('is found, shrunk to a short sequence, and its log file replays to the failing state', async () => {
    const printed: string[] = [];
    const logFile = join(dir, 'toy.jklog');
    const failure = await checkController({ controllers: [toyController(true)], events, eventually: { 'pods = replicas': replicasHeld }, numRuns: 300, seed: 42, logFile, print: (r) => printed.push(r) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof ScenarioCheckFailed, `expected ScenarioCheckFailed, got ${String(failure)}`);
    // The shortest failing story: create, let it make its pods, delete one that is not the last.
    assert.ok(failure.events.length <= 3, `shrunk to ${failure.events.length} events:\n${failure.report}`);
    assert.ok(failure.events.some((e) => e.type === 'delete'), 'a delete is part of the failing sequence');
    assert.ok(failure.events.some((e) => e.type === 'reconcile'), 'the pods existed before the delete');
    assert.equal(failure.failure.invariant, 'pods = replicas');
    assert.equal(printed.length, 1);
    assert.match(printed[0]!, /invariant "pods = replicas" failed/);
    assert.match(printed[0]!, new RegExp(`jetkube replay --file ${logFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --at ${failure.failure.revision}`));

    // The file replays to the state the invariant failed on.
    const replayed = await replayLogFile(failure.logFile, failure.failure.revision);
    assert.equal(replayed.revision, failure.failure.revision);
    const live = failure.result.api;
    assert.deepEqual(
      replayed.list('pods', 'default').items.map((p) => p.metadata.name),
      live.list('pods', 'default').map((p) => p.metadata.name),
    );
    assert.throws(() => replicasHeld(replayedView(replayed), { eventIndex: 0, phase: 'eventually' }), /pods 2 != replicas 3|pods \d != replicas \d/);

    // And the CLI opens it.
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--file', failure.logFile, '--at', String(failure.failure.revision), 'pods', '-A', '-o', 'name'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(cli.status, 0, cli.stderr);
    const cliPods = cli.stdout.trim().split('\n').filter(Boolean);
    assert.equal(cliPods.length, live.list('pods', 'default').length, cli.stdout);
  });

  it('passes once the bug is fixed (no false alarm)', async () => {
    const { numRuns } = await checkController({ controllers: [toyController(false)], events, eventually: { 'pods = replicas': replicasHeld }, numRuns: 200, seed: 42, logFile: join(dir, 'fixed.jklog') });
    assert.equal(numRuns, 200);
  });
});

function replayedView(store: Awaited<ReturnType<typeof replayLogFile>>): ClusterView {
  return {
    now: store.revisionTime,
    revision: store.revision,
    get: (r, ns, n) => store.get(r, ns, n),
    list: (r, ns) => store.list(r, ns).items,
  };
}
