/**
 * Replay of a recording made by the real components: a controller manager, the scheduler
 * and a kubelet (simulated runtime) run a Deployment through create, scale up, a rolling
 * update and a scale down; the log is exported to a file and replayed from it:
 * - `controllers`: the current decisions explain every controller write (0 differences),
 *   and a decision function swapped for a wrong one in the test is caught where it errs;
 * - `why`: a pod removed by the scale-down is told from Deployment to removal;
 * - `history`: the Deployment's changes name their writers (the test client, the
 *   controller manager).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type AnyActorRef } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { openLogSource } from '../../src/cli/log-source.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { memoryIo } from '../../src/present/io.ts';
import { decideReplicaSet } from '../../src/controllers/replicaset/decide.ts';
import { MemoryLogSink } from '../../src/kubelet/log-sink.ts';
import { decisionDifferences } from '../../src/replay/decisions.ts';
import { objectHistory } from '../../src/replay/history.ts';
import { whyPod } from '../../src/replay/why.ts';
import { SimulatedRuntime } from '../../src/runtime/simulated-runtime.ts';
import { readLogFile, writeLogFile } from '../../src/store/log-file.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';

/** Runs the replay command in-process with its output kept. */
async function captured(args: string[]): Promise<{ code: number; out: string }> {
  const io = memoryIo();
  return { code: await replayCommand(args, io), out: io.stdout };
}

describe('replaying a recording of the real controllers', { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  let dir: string;
  let file: string;
  let components: AnyActorRef[] = [];
  const podsSeen = new Set<string>();

  const settled = (replicas: number, image: string) =>
    eventually(async () => {
      const d = await cluster.client.get('deployments.apps', NS, 'web');
      const s = (d.status ?? {}) as { observedGeneration?: number; availableReplicas?: number; updatedReplicas?: number; replicas?: number };
      const pods = (await cluster.client.list('pods', NS, { labelSelector: 'app=web' })).items;
      for (const p of pods) podsSeen.add(p.metadata.name!);
      const live = pods.filter((p) => !p.metadata.deletionTimestamp);
      const done =
        (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        s.availableReplicas === replicas && s.updatedReplicas === replicas && s.replicas === replicas &&
        pods.length === replicas && live.every((p) => (p.spec as { containers: { image: string }[] }).containers[0]!.image === image);
      return done ? d : undefined;
    }, 40_000, `web settled at ${replicas} x ${image}`);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jetkube-replay-controllers-'));
    file = join(dir, 'recording.log');
    cluster = await startTestCluster();
    const natsUrl = cluster.nats.url;
    components = [
      createActor(controllerManagerMachine, { input: { natsUrl, leaderElect: false } }),
      createActor(schedulerMachine, { input: { natsUrl, leaderElect: false } }),
      createActor(kubeletMachine, {
        input: { natsUrl, nodeName: 'node-1', runtime: new SimulatedRuntime(), rootDir: join(dir, 'kubelet'), podCIDR: '127.31.0.0/24', leaseRenewMs: 500, logs: new MemoryLogSink() },
      }),
    ];
    for (const c of components) c.start();
    const web: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'nginx:1' }] } },
      },
    };
    await cluster.client.create('deployments.apps', web);
    await settled(2, 'nginx:1');
    await cluster.client.patch('deployments.apps', NS, 'web', { spec: { replicas: 3 } }, 'merge');
    await settled(3, 'nginx:1');
    await cluster.client.patch('deployments.apps', NS, 'web', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'strategic');
    await settled(3, 'nginx:2');
    await cluster.client.patch('deployments.apps', NS, 'web', { spec: { replicas: 1 } }, 'merge');
    await settled(1, 'nginx:2');
    for (const c of components) c.send({ type: 'stop' });
    for (const c of components) await waitFor(c, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    const source = await openLogSource({ natsUrl });
    try {
      await writeLogFile(file, source.entries);
    } finally {
      await source.close();
    }
  });

  after(async () => {
    await cluster?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('controllers: zero differences on the log the current controllers produced', async () => {
    const { checked, differences } = await decisionDifferences(readLogFile(file));
    assert.deepEqual(differences, []);
    assert.ok(checked > 20, `checked ${checked} controller writes`);
    const cli = await captured(['controllers', '--file', file]);
    assert.equal(cli.code, 0, cli.out);
    assert.match(cli.out, /: 0 differences/);
  });

  it('controllers: a swapped ReplicaSet decision is found where it decides differently', async () => {
    // The planted bug: status never counts fully-labeled replicas.
    const planted: typeof decideReplicaSet = (rs, pods, now, options) => {
      const decision = decideReplicaSet(rs, pods, now, options);
      return { ...decision, actions: decision.actions.map((a) => (a.type === 'updateStatus' ? { ...a, status: { ...a.status, fullyLabeledReplicas: 0 } } : a)) };
    };
    const { differences } = await decisionDifferences(readLogFile(file), { decisions: { replicaset: planted } });
    const unexplained = differences.filter((d) => d.kind === 'unexplained');
    assert.ok(unexplained.length > 0, 'the planted difference is found');
    assert.ok(unexplained.every((d) => d.controller === 'replicaset' && d.recorded?.startsWith('rsStatus')), JSON.stringify(differences.slice(0, 3)));
    assert.ok(unexplained.some((d) => d.wouldNow.some((k) => k.startsWith('rsStatus'))), 'it says what the swapped decision asked for instead');
    // Limited to a range, only differences inside it.
    const first = differences[0]!.seq;
    const ranged = await decisionDifferences(readLogFile(file), { decisions: { replicaset: planted }, fromSeq: first + 1 });
    assert.ok(ranged.differences.every((d) => d.seq > first));
    assert.equal(ranged.differences.length, differences.length - 1);
  });

  it('controllers: a decision that wants one pod more is found pending at the end of the log', async () => {
    const greedy: typeof decideReplicaSet = (rs, pods, now, options) => {
      const spec = rs.spec as { replicas?: number };
      return decideReplicaSet({ ...rs, spec: { ...spec, replicas: (spec.replicas ?? 1) + 1 } }, pods, now, options);
    };
    const { differences } = await decisionDifferences(readLogFile(file), { decisions: { replicaset: greedy } });
    const pending = differences.filter((d) => d.kind === 'pending');
    assert.ok(pending.some((d) => d.controller === 'replicaset' && d.wouldNow[0]!.startsWith('createPod')), JSON.stringify(pending));
    const cli = await captured(['controllers', '--file', file, '--to', String(differences[0]?.seq ?? 1)]);
    assert.doesNotMatch(cli.out, /end of the log/, 'a range with an end is not judged for pending writes');
  });

  it('why: a pod removed by the scale-down is told from its Deployment to its removal', async () => {
    const entries = [];
    for await (const e of readLogFile(file)) entries.push(e);
    const live = new Set((await cluster.client.list('pods', NS)).items.map((p) => p.metadata.name!));
    const v2 = entries.find((e) => e.key.resource === 'pods' && e.type === 'DELETED' && (e.object.spec as { containers: { image: string }[] }).containers[0]!.image === 'nginx:2' && !live.has(e.key.name));
    assert.ok(v2, 'a nginx:2 pod was removed by the scale-down');
    const lines = (await whyPod(entries, NS, v2.key.name)).map((l) => l.text);
    const order = [
      /^Deployment web created ReplicaSet web-\w+ for its revision 2 \(nginx:2\)/,
      /^Deployment web \(revision 2\) scaled ReplicaSet web-\w+ from \d to \d replicas by kube-controller-manager/,
      /^pod created by ReplicaSet web-\w+ .*by kube-controller-manager/,
      /^scheduled to node node-1 \(by kube-scheduler, inferred\)/,
      /^container c running/,
      // The kubelet's status writes carry its managedFields entry (subresource status): named, not inferred.
      /^ready by kubelet \(Update status\)/,
      /^deletion started \(grace period 1s\): ReplicaSet web-\w+ scaled down from 3 to 1 at revision \d+ \(Deployment web scaled down, at its revision 2\)/,
      /^removed from the store/,
    ];
    assert.ok(lines.some((l) => /^event Normal Killing from kubelet/.test(l)), 'the kubelet\'s Killing event is folded in');
    let at = 0;
    for (const pattern of order) {
      const found = lines.findIndex((l, i) => i >= at && pattern.test(l));
      assert.ok(found >= 0, `${pattern} after line ${at} in:\n${lines.join('\n')}`);
      at = found + 1;
    }
  });

  it('why: a pod of the old revision is told as ended by the rollout', async () => {
    const entries = [];
    for await (const e of readLogFile(file)) entries.push(e);
    const v1 = entries.find((e) => e.key.resource === 'pods' && e.type === 'ADDED' && (e.object.spec as { containers: { image: string }[] }).containers[0]!.image === 'nginx:1');
    assert.ok(v1);
    const lines = (await whyPod(entries, NS, v1.key.name)).map((l) => l.text);
    assert.ok(lines.some((l) => /^deletion started .*ReplicaSet web-\w+ scaled down from \d to \d at revision \d+ \(Deployment web rolling out its revision 2; this ReplicaSet is revision 1\)/.test(l)), lines.join('\n'));
    assert.match(lines[lines.length - 1]!, /^removed from the store/);
  });

  it('history: every change of the Deployment, with who wrote it', async () => {
    const steps = await objectHistory(readLogFile(file), { resource: 'deployments.apps', namespace: NS, name: 'web' });
    assert.equal(steps[0]!.type, 'ADDED');
    const managers = new Set(steps.flatMap((s) => s.writers.map((w) => w.manager)));
    assert.ok(managers.has('kube-controller-manager'), [...managers].join(','));
    // The Deployment controller's status writes name it, with the subresource.
    const statusSteps = steps.filter((s) => s.changes.length > 0 && s.changes.every((c) => c.path.startsWith('status')));
    assert.ok(statusSteps.length > 0, 'the log holds status writes of the Deployment');
    for (const step of statusSteps) {
      // A write within the same second as the last leaves the entry as it was: then named as the owner of the changed fields.
      const writers = step.writers.map(({ manager, operation, subresource }) => ({ manager, operation, subresource }));
      assert.deepEqual(writers, [{ manager: 'kube-controller-manager', operation: 'Update', subresource: 'status' }], `revision ${step.seq}: ${JSON.stringify(step.changes)}`);
    }
    assert.ok(steps.some((s) => s.changes.some((c) => c.path === 'spec.replicas' && c.op === 'replace')), 'the scale shows as a spec.replicas change');
    assert.ok(steps.every((s) => s.changes.every((c) => !c.path.startsWith('metadata.managedFields'))), 'managedFields are not diffed');
    const cli = await captured(['history', 'deploy/web', '--file', file]);
    assert.equal(cli.code, 0);
    assert.match(cli.out, /~ spec\.replicas: 3 -> 1/);
  });
});
