/**
 * The Job, CronJob and TTL-after-finished controllers against a real API server on a
 * real nats-server, with the garbage collector; the test plays the kubelet (pod
 * outcomes through the status subresource). The CronJob controller runs on a FakeClock:
 * a jump over an hour of missed schedules starts only the most recent one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { newCronJobController } from '../../src/controllers/cronjob/controller.ts';
import { newGarbageCollector } from '../../src/controllers/garbage-collector/controller.ts';
import { newJobController } from '../../src/controllers/job/controller.ts';
import { JOB_TRACKING_FINALIZER } from '../../src/controllers/job/decide.ts';
import { newTtlAfterFinishedController } from '../../src/controllers/ttl-after-finished/controller.ts';
import { FakeClock } from '../../src/informer/clock.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const rfc3339 = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const jobManifest = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: NS },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] } }, ...spec },
});

interface JobStatusView {
  active?: number;
  succeeded?: number;
  failed?: number;
  conditions?: { type: string; status: string; reason?: string }[];
  uncountedTerminatedPods?: Record<string, unknown>;
  completionTime?: string;
}

describe('Job, CronJob and TTL controllers against a real cluster', () => {
  let cluster: TestCluster;
  let factory: SharedInformerFactory;
  let cronFactory: SharedInformerFactory;
  const cronClock = new FakeClock(Date.now());
  const actors: Actor<typeof controllerMachine>[] = [];

  before(async () => {
    cluster = await startTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    cronFactory = new SharedInformerFactory(cluster.client);
    const controllers = [
      newJobController(cluster.client, factory, { backoff: { baseMs: 0, maxMs: 0 } }).controller,
      newTtlAfterFinishedController(cluster.client, factory),
      newGarbageCollector(cluster.client, factory, { resources: ['pods', 'jobs.batch', 'cronjobs.batch'] }),
      newCronJobController(cluster.client, cronFactory, { clock: cronClock }),
    ];
    for (const controller of controllers) {
      const actor = createActor(controllerMachine, { input: { controller } });
      actor.start();
      actors.push(actor);
    }
    for (const actor of actors) await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  });

  after(async () => {
    for (const actor of actors) actor.send({ type: 'stop' });
    for (const actor of actors) await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    cronFactory.shutdown();
    await cluster.dispose();
  });

  const podsOf = async (job: string) => (await cluster.client.list('pods', NS, { labelSelector: `batch.kubernetes.io/job-name=${job}` })).items;
  const statusOf = async (job: string) => ((await cluster.client.get('jobs.batch', NS, job)).status ?? {}) as JobStatusView;
  const condition = (s: JobStatusView, type: string) => s.conditions?.find((c) => c.type === type && c.status === 'True');
  /** The kubelet's report: the pod ran and its container exited. */
  const finishPod = async (pod: KubeObject, exitCode: number) => {
    const now = rfc3339();
    const status = {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }],
      containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, finishedAt: now, reason: exitCode === 0 ? 'Completed' : 'Error' } } }],
    };
    await cluster.client.update('pods', { ...pod, status }, { subresource: 'status' });
  };

  it('runs a Job to Complete with finalizer tracking: pods labelled, counted once, let go', async () => {
    await cluster.client.create('jobs.batch', jobManifest('two', { completions: 3, parallelism: 2 }));
    const job = await cluster.client.get('jobs.batch', NS, 'two');
    const pods = await eventually(async () => ((await podsOf('two')).length === 2 ? podsOf('two') : undefined), 10_000, 'two pods');
    for (const pod of pods) {
      assert.deepEqual(pod.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
      assert.equal(pod.metadata.labels?.['batch.kubernetes.io/controller-uid'], job.metadata.uid);
      assert.equal(pod.metadata.labels?.['controller-uid'], job.metadata.uid);
      assert.equal(pod.metadata.labels?.['job-name'], 'two');
    }
    assert.deepEqual((job.spec as { selector: unknown }).selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid } });
    for (const pod of pods) await finishPod(pod, 0);
    const third = await eventually(async () => (await podsOf('two')).find((p) => !pods.some((q) => q.metadata.uid === p.metadata.uid)), 10_000, 'the third pod');
    await finishPod(third, 0);
    const status = await eventually(async () => {
      const s = await statusOf('two');
      return condition(s, 'Complete') ? s : undefined;
    }, 10_000, 'Complete');
    assert.equal(status.succeeded, 3);
    assert.equal(status.failed, undefined);
    assert.ok(condition(status, 'SuccessCriteriaMet'));
    assert.ok(status.completionTime);
    assert.deepEqual(status.uncountedTerminatedPods, {});
    for (const pod of await podsOf('two')) assert.deepEqual(pod.metadata.finalizers ?? [], [], `${pod.metadata.name} let go`);
    assert.equal((await podsOf('two')).length, 3, 'no pod more than completions');
  });

  it('fails a Job past backoffLimit with BackoffLimitExceeded', async () => {
    await cluster.client.create('jobs.batch', jobManifest('flaky', { backoffLimit: 1 }));
    for (let i = 0; i < 2; i++) {
      const pod = await eventually(async () => (await podsOf('flaky')).find((p) => (p.status as { phase?: string }).phase === 'Pending'), 10_000, `pod ${i + 1}`);
      await finishPod(pod, 1);
    }
    const status = await eventually(async () => {
      const s = await statusOf('flaky');
      return condition(s, 'Failed') ? s : undefined;
    }, 10_000, 'Failed');
    assert.equal(condition(status, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(status.failed, 2);
    assert.equal((await podsOf('flaky')).length, 2);
  });

  it('deletes a finished Job and its pods after ttlSecondsAfterFinished', async () => {
    await cluster.client.create('jobs.batch', jobManifest('brief', { ttlSecondsAfterFinished: 1 }));
    const pod = await eventually(async () => (await podsOf('brief'))[0], 10_000, 'the pod');
    await finishPod(pod, 0);
    await eventually(async () => condition(await statusOf('brief'), 'Complete'), 10_000, 'Complete');
    await eventually(async () => (await cluster.client.list('jobs.batch', NS)).items.every((j) => j.metadata.name !== 'brief') || undefined, 15_000, 'the Job deleted');
    await eventually(async () => ((await podsOf('brief')).length === 0 ? true : undefined), 15_000, 'its pod deleted');
  });

  it('lets go of a running Job’s pods when the Job is deleted, so they can go', async () => {
    await cluster.client.create('jobs.batch', jobManifest('doomed', { parallelism: 2, completions: 2 }));
    await eventually(async () => ((await podsOf('doomed')).length === 2 ? true : undefined), 10_000, 'two pods');
    await cluster.client.delete('jobs.batch', NS, 'doomed', { propagationPolicy: 'Background' });
    // The GC deletes them; unscheduled pods go at once, once nothing holds them: our finalizer is let go.
    await eventually(async () => ((await podsOf('doomed')).length === 0 ? true : undefined), 15_000, 'pods gone');
  });

  it('a CronJob after a clock jump over an hour of missed schedules starts only the most recent', async () => {
    await cluster.client.create('cronjobs.batch', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'every-minute', namespace: NS },
      spec: { schedule: '*/1 * * * *', jobTemplate: { spec: jobManifest('x', {}).spec } },
    });
    const created = Date.parse((await cluster.client.get('cronjobs.batch', NS, 'every-minute')).metadata.creationTimestamp!);
    const cronJobs = async () => (await cluster.client.list('jobs.batch', NS)).items.filter((j) => j.metadata.ownerReferences?.[0]?.name === 'every-minute');
    // Before the first schedule time: nothing.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await cronJobs(), []);
    cronClock.step(61 * 60_000);
    const jobs = await eventually(async () => ((await cronJobs()).length > 0 ? cronJobs() : undefined), 10_000, 'a Job');
    const expected = Math.floor((cronClock.now()) / 60_000);
    assert.deepEqual(jobs.map((j) => j.metadata.name), [`every-minute-${expected}`]);
    assert.ok(expected - Math.floor(created / 60_000) >= 60, 'an hour of schedules was missed');
    const status = await eventually(async () => {
      const s = ((await cluster.client.get('cronjobs.batch', NS, 'every-minute')).status ?? {}) as { active?: { name: string }[]; lastScheduleTime?: string };
      return s.active?.length ? s : undefined;
    }, 10_000, 'status.active');
    assert.deepEqual(status.active?.map((r) => r.name), [`every-minute-${expected}`]);
    assert.equal(status.lastScheduleTime, rfc3339(expected * 60_000));
    // The Job controller runs the Job like any other: its pod appears.
    await eventually(async () => ((await podsOf(`every-minute-${expected}`)).length === 1 ? true : undefined), 10_000, 'the Job’s pod');
    // The next minute starts the next one (the requeue timer, on the fake clock).
    cronClock.step(60_000);
    await eventually(async () => ((await cronJobs()).length === 2 ? true : undefined), 10_000, 'the next Job');
  });
});
