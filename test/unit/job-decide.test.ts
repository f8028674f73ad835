import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideJob, JOB_TRACKING_FINALIZER, podFromTemplate } from '../../src/controllers/job/decide.ts';
import { failuresSinceLastSuccess, remainingBackoffMs } from '../../src/controllers/job/backoff.ts';
import { firstPendingIndexes, formatIndexes, parseIndexes } from '../../src/controllers/job/indexes.ts';
import { matchPodFailurePolicy } from '../../src/controllers/job/failure-policy.ts';
import { JobWorld, newJob } from '../support/job-world.ts';

const names = (world: JobWorld) => [...world.pods.keys()];
const types = (world: JobWorld) => world.status.conditions?.filter((c) => c.status === 'True').map((c) => c.type) ?? [];

describe('Job decision', () => {
  it('creates pods from the template with the tracking finalizer and owner, up to parallelism', () => {
    const world = new JobWorld(newJob({ completions: 5, parallelism: 2 }));
    world.sync();
    assert.equal(world.pods.size, 2);
    for (const pod of world.pods.values()) {
      assert.deepEqual(pod.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
      assert.equal(pod.metadata.ownerReferences?.[0]?.kind, 'Job');
      assert.equal(pod.metadata.ownerReferences?.[0]?.controller, true);
      assert.equal(pod.metadata.labels?.['batch.kubernetes.io/job-name'], 'work');
      assert.equal(pod.metadata.generateName, 'work-');
    }
    assert.equal(world.status.active, 2);
    assert.equal(world.status.ready, 0);
    assert.ok(world.status.startTime);
  });

  it('tracks a finished pod in three steps: uncounted, finalizer removed, counted', () => {
    const world = new JobWorld(newJob({ completions: 2, parallelism: 1 }));
    world.sync();
    const [first] = names(world);
    world.finish(first!, 0);
    world.sync();
    assert.deepEqual(world.status.uncountedTerminatedPods, { succeeded: ['pod-uid-1'] });
    assert.equal(world.pods.get(first!)!.metadata.finalizers?.length, 1, 'the finalizer stays until the record is stored');
    assert.equal(world.pods.size, 2, 'the next pod is created in the same sync');
    world.sync();
    assert.deepEqual(world.pods.get(first!)!.metadata.finalizers, []);
    world.sync();
    assert.deepEqual(world.status.uncountedTerminatedPods, {});
    assert.equal(world.status.succeeded, 1);
  });

  it('completes with SuccessCriteriaMet, then Complete and completionTime', () => {
    const world = new JobWorld(newJob({}));
    world.sync();
    world.run(names(world)[0]!);
    world.settle();
    assert.equal(world.status.ready, 1);
    world.finish(names(world)[0]!, 0);
    world.settle();
    assert.deepEqual(types(world), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(world.status.conditions?.[1]?.reason, 'CompletionsReached');
    assert.equal(world.status.succeeded, 1);
    assert.ok(world.status.completionTime);
    assert.ok(world.log.some((a) => a.type === 'event' && a.reason === 'Completed'));
  });

  it('fails with BackoffLimitExceeded once failures pass backoffLimit, deleting the active pods first', () => {
    const world = new JobWorld(newJob({ completions: 4, parallelism: 2, backoffLimit: 1 }));
    world.settle();
    world.finish(names(world)[0]!, 1);
    world.settle();
    assert.deepEqual(types(world), []);
    const [, second, third] = names(world);
    world.finish(third!, 1);
    world.sync();
    assert.deepEqual(types(world), ['FailureTarget']);
    assert.ok(world.pods.get(second!)!.metadata.deletionTimestamp, 'the active pod is deleted');
    world.settle();
    assert.deepEqual(types(world), ['FailureTarget'], 'Failed waits for the terminating pod');
    world.finish(second!, 143);
    world.settle();
    assert.deepEqual(types(world), ['FailureTarget', 'Failed']);
    assert.equal(world.status.conditions?.find((c) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(world.status.failed, 3);
    assert.equal(world.status.completionTime, undefined);
  });

  it('waits for the pod failure backoff before creating a replacement', () => {
    const world = new JobWorld(newJob({ backoffLimit: 6 }));
    const backoff = { baseMs: 10_000, maxMs: 360_000 };
    world.settle({ backoff });
    world.finish(names(world)[0]!, 1);
    const decision = world.sync({ backoff });
    assert.equal(decision.requeueAfterMs, 10_000);
    assert.equal(world.activePods().length, 0);
    world.now += 10_000;
    world.settle({ backoff });
    assert.equal(world.activePods().length, 1);
    world.finish(world.activePods()[0]!.metadata.name!, 1);
    assert.equal(world.sync({ backoff }).requeueAfterMs, 20_000, 'the second failure doubles it');
  });

  it('caps the backoff and resets it after a success', () => {
    const pod = (phase: string, at: number) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${at}` },
      status: { phase, containerStatuses: [{ state: { terminated: { finishedAt: new Date(at).toISOString() } } }] },
    });
    const failed = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => pod('Failed', s * 1000));
    const many = failuresSinceLastSuccess(failed, []);
    assert.equal(many.count, 9);
    assert.equal(remainingBackoffMs(many, 9000, { baseMs: 10_000, maxMs: 360_000 }), 360_000);
    const afterSuccess = failuresSinceLastSuccess(failed, [pod('Succeeded', 8500)]);
    assert.equal(afterSuccess.count, 1);
    assert.equal(remainingBackoffMs(afterSuccess, 9000, { baseMs: 10_000, maxMs: 360_000 }), 10_000);
  });

  it('fails with DeadlineExceeded after activeDeadlineSeconds, and asks to be woken then', () => {
    const world = new JobWorld(newJob({ activeDeadlineSeconds: 30 }));
    const decision = world.sync();
    assert.equal(decision.requeueAfterMs, 30_000);
    world.now += 30_000;
    world.sync();
    assert.equal(world.status.conditions?.find((c) => c.type === 'FailureTarget')?.reason, 'DeadlineExceeded');
    world.finish(names(world)[0]!, 143);
    world.settle();
    assert.ok(types(world).includes('Failed'));
  });

  it('suspends by deleting active pods, and resuming resets startTime', () => {
    const world = new JobWorld(newJob({ parallelism: 2, completions: 2 }));
    world.settle();
    world.job = { ...world.job, spec: { ...(world.job.spec as object), suspend: true } };
    world.sync();
    assert.equal(world.activePods().length, 0);
    assert.deepEqual(types(world), ['Suspended']);
    assert.ok(world.log.some((a) => a.type === 'event' && a.reason === 'Suspended'));
    for (const pod of [...world.pods.values()]) world.finish(pod.metadata.name!, 143);
    world.settle();
    world.now += 60_000;
    world.job = { ...world.job, spec: { ...(world.job.spec as object), suspend: false } };
    world.settle();
    assert.equal(world.status.conditions?.find((c) => c.type === 'Suspended')?.status, 'False');
    assert.equal(world.status.startTime, new Date(world.now).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.equal(world.activePods().length, 2);
  });

  it('a Job created suspended starts nothing and has no startTime', () => {
    const world = new JobWorld(newJob({ suspend: true }));
    world.settle();
    assert.equal(world.pods.size, 0);
    assert.equal(world.status.startTime, undefined);
    assert.deepEqual(types(world), ['Suspended']);
  });

  it('Indexed: one pod per pending index with the index annotation, label, hostname and env', () => {
    const world = new JobWorld(newJob({ completionMode: 'Indexed', completions: 3, parallelism: 2 }));
    world.sync();
    const pods = [...world.pods.values()];
    assert.deepEqual(pods.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']), ['0', '1']);
    assert.deepEqual(pods.map((p) => p.metadata.labels?.['batch.kubernetes.io/job-completion-index']), ['0', '1']);
    assert.deepEqual(pods.map((p) => (p.spec as { hostname?: string }).hostname), ['work-0', 'work-1']);
    assert.equal(pods[0]!.metadata.generateName, 'work-0-');
    const env = (pods[0]!.spec as { containers: { env: unknown[] }[] }).containers[0]!.env;
    assert.deepEqual(env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    world.finish(pods[1]!.metadata.name!, 0);
    world.settle();
    assert.equal(world.status.completedIndexes, '1');
    assert.deepEqual(world.activePods().map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort(), ['0', '2']);
    for (const pod of world.activePods()) world.finish(pod.metadata.name!, 0);
    world.settle();
    assert.equal(world.status.completedIndexes, '0-2');
    assert.equal(world.status.succeeded, 3);
    assert.ok(types(world).includes('Complete'));
  });

  it('podFailurePolicy: FailJob ends the Job at once, Ignore does not count', () => {
    const policy = {
      rules: [
        { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
        { action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } },
      ],
    };
    const world = new JobWorld(newJob({ backoffLimit: 0, podFailurePolicy: policy, podReplacementPolicy: 'Failed' }));
    world.sync();
    world.finish(names(world)[0]!, 7);
    world.settle();
    assert.deepEqual(types(world), [], 'an ignored failure does not reach backoffLimit 0');
    assert.equal(world.status.failed, undefined);
    assert.equal(world.activePods().length, 1, 'the ignored pod is replaced');
    world.finish(world.activePods()[0]!.metadata.name!, 42);
    world.settle();
    const failed = world.status.conditions?.find((c) => c.type === 'Failed');
    assert.equal(failed?.reason, 'PodFailurePolicy');
    assert.match(failed?.message ?? '', /^Container main for pod default\/work-\d+ failed with exit code 42 matching FailJob rule at index 0$/);
    assert.equal(matchPodFailurePolicy(policy, { apiVersion: 'v1', kind: 'Pod', metadata: {}, status: {} }).countFailed, true);
  });

  it('OnFailure pods: container restarts count against backoffLimit', () => {
    const job = newJob({ backoffLimit: 2 });
    (job.spec as { template: { spec: { restartPolicy: string } } }).template.spec.restartPolicy = 'OnFailure';
    const world = new JobWorld(job);
    world.sync();
    const pod = world.pods.get(names(world)[0]!)!;
    pod.status = { phase: 'Running', containerStatuses: [{ name: 'main', restartCount: 2 }] };
    world.sync();
    assert.equal(world.status.conditions?.find((c) => c.type === 'FailureTarget')?.reason, 'BackoffLimitExceeded');
  });

  it('a Job without completions completes once one pod succeeded and the rest finished, creating no more', () => {
    const world = new JobWorld(newJob({ completions: null, parallelism: 3 }));
    world.sync();
    assert.equal(world.pods.size, 3);
    const [a, b, c] = names(world);
    world.finish(a!, 0);
    world.settle();
    assert.equal(world.pods.size, 3, 'no new pods after a success');
    world.finish(b!, 0);
    world.finish(c!, 0);
    world.settle();
    assert.ok(types(world).includes('Complete'));
    assert.equal(world.status.succeeded, 3);
  });

  it('a finished or deleted Job only releases finalizers', () => {
    const world = new JobWorld(newJob({}));
    world.sync();
    const pod = [...world.pods.values()][0]!;
    const deleting = { ...world.job, metadata: { ...world.job.metadata, deletionTimestamp: '2024-01-01T00:00:05Z' } };
    assert.deepEqual(
      decideJob(deleting, [pod], world.now, { expectationsSatisfied: true }).actions.map((a) => a.type),
      ['removeFinalizer'],
    );
  });

  it('adopts a matching orphan (adding the finalizer through the wiring) and releases a pod it no longer selects', () => {
    const job = newJob({});
    const orphan = podFromTemplate(job);
    orphan.metadata = { name: 'orphan', namespace: 'default', uid: 'o', labels: orphan.metadata.labels };
    const stray = podFromTemplate(job);
    stray.metadata = { ...stray.metadata, name: 'stray', uid: 's', labels: { other: 'x' } };
    const actions = decideJob(job, [orphan, stray], Date.parse('2024-01-01T00:00:00Z'), { expectationsSatisfied: true }).actions;
    assert.deepEqual(actions.filter((a) => a.type === 'adoptPod' || a.type === 'releasePod').map((a) => [a.type, 'pod' in a ? a.pod.metadata.name : '']), [
      ['adoptPod', 'orphan'],
      ['releasePod', 'stray'],
    ]);
    assert.ok(!actions.some((a) => a.type === 'createPod'), 'the adopted pod is the one pod wanted');
  });

  it('leaves a Job managed by another controller alone', () => {
    const world = new JobWorld(newJob({ managedBy: 'example.com/other' }));
    assert.deepEqual(world.sync().actions, []);
  });

  it('creates nothing while its expectations are unsatisfied', () => {
    const world = new JobWorld(newJob({ parallelism: 3, completions: 3 }));
    world.sync({ expectationsSatisfied: false });
    assert.equal(world.pods.size, 0);
  });
});

describe('completion indexes', () => {
  it('formats and parses ordered intervals', () => {
    assert.equal(formatIndexes([4, 0, 2, 1, 7, 8]), '0-2,4,7-8');
    assert.deepEqual([...parseIndexes('0-2,4,7-8', 8)].sort(), [0, 1, 2, 4, 7]);
    assert.deepEqual(firstPendingIndexes(2, 5, new Set([0]), new Set([1])), [2, 3]);
  });
});
