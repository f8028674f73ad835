// Issue 7's Job and CronJob done-when, with the real kubectl against a whole cluster
// (API server, controller manager, scheduler, a kubelet running containers as
// processes): the docs' pi Job (examples/job.yaml, the host's perl, 200 digits) completes, `kubectl
// logs job/pi` prints the digits and `kubectl get jobs` shows 1/1; an Indexed Job gives
// each pod its JOB_COMPLETION_INDEX; the every-minute CronJob (examples/cronjob.yaml)
// creates a Job without the test waiting for a minute to turn: its status says the last
// run was two minutes ago, so the missed-schedule logic starts the most recent minute's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '../support/cluster.ts';
import { kubectlOk, writeManifest } from '../support/http-cluster.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

const NS = 'default';
const JOB_EXAMPLE = fileURLToPath(new URL('../../examples/job.yaml', import.meta.url));
const CRONJOB_EXAMPLE = fileURLToPath(new URL('../../examples/cronjob.yaml', import.meta.url));
const PI_200 = /^3\.14159265358979323846264338327950288419716939937510582097494459230781640628620899\d{119}\n$/;

describe('Jobs and CronJobs through kubectl', { timeout: 180_000 }, () => {
  let cluster: NodeTestCluster;
  before(async () => {
    cluster = await startNodeCluster();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;

  it('the docs\' pi Job completes, kubectl logs job/pi prints pi, get jobs shows 1/1', async () => {
    await ok('wait', '--for=condition=Ready', `node/${cluster.nodeName}`, '--timeout=60s');
    await ok('apply', '-f', JOB_EXAMPLE);
    await ok('wait', '--for=condition=Complete', 'job/pi', '--timeout=90s');
    assert.match(await ok('logs', 'job/pi'), PI_200);
    const row = (await ok('get', 'jobs', 'pi', '--no-headers')).trim().split(/\s+/);
    assert.deepEqual(row.slice(0, 3), ['pi', 'Complete', '1/1']);
    const status = JSON.parse(await ok('get', 'job', 'pi', '-o', 'jsonpath={.status}')) as Record<string, unknown>;
    assert.equal(status.succeeded, 1);
    assert.deepEqual(status.uncountedTerminatedPods, {});
    const pod = (await cluster.client.list('pods', NS, { labelSelector: 'job-name=pi' })).items[0]!;
    assert.deepEqual(pod.metadata.finalizers ?? [], [], 'the tracking finalizer was let go');
  });

  it('an Indexed Job gives each pod its JOB_COMPLETION_INDEX and hostname', async () => {
    const manifest = [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata: {name: indexed}',
      'spec:',
      '  completions: 3',
      '  parallelism: 3',
      '  completionMode: Indexed',
      '  template:',
      '    spec:',
      '      restartPolicy: Never',
      '      containers:',
      '        - name: work',
      '          image: busybox',
      '          command: ["sh", "-c", "echo index=$JOB_COMPLETION_INDEX"]',
    ].join('\n');
    await ok('apply', '-f', await writeManifest(cluster, 'indexed.yaml', manifest));
    await ok('wait', '--for=condition=Complete', 'job/indexed', '--timeout=90s');
    assert.match(await ok('get', 'jobs', 'indexed', '--no-headers'), /^indexed\s+Complete\s+3\/3\s/);
    assert.equal(await ok('get', 'job', 'indexed', '-o', 'jsonpath={.status.completedIndexes}'), '0-2');
    const pods = (await cluster.client.list('pods', NS, { labelSelector: 'job-name=indexed' })).items;
    const lines = await Promise.all(pods.map((p) => ok('logs', p.metadata.name!)));
    assert.deepEqual(lines.sort(), ['index=0\n', 'index=1\n', 'index=2\n']);
    for (const p of pods) {
      const index = p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];
      assert.equal((p.spec as { hostname?: string }).hostname, `indexed-${index}`);
    }
  });

  it('the every-minute CronJob creates a Job for the most recent missed minute', async () => {
    await ok('apply', '-f', CRONJOB_EXAMPLE);
    assert.match(await ok('get', 'cronjob', 'hello', '--no-headers'), /^hello\s+\*\/1 \* \* \* \*\s+Etc\/UTC\s+False\s+0\s+<none>\s/);
    const twoMinutesAgo = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await ok('patch', 'cronjob', 'hello', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { lastScheduleTime: twoMinutesAgo } }));
    const job = await eventually(async () => {
      const jobs = (await cluster.client.list('jobs.batch', NS)).items.filter((j) => j.metadata.ownerReferences?.[0]?.name === 'hello');
      return jobs[0];
    }, 20_000, 'a Job of the CronJob');
    const minute = Number(job.metadata.name!.slice('hello-'.length));
    assert.ok(minute * 60_000 > Date.parse(twoMinutesAgo) && minute * 60_000 <= Date.now(), `${job.metadata.name} is a recent minute`);
    await ok('wait', '--for=condition=Complete', `job/${job.metadata.name}`, '--timeout=60s');
    assert.match(await ok('logs', `job/${job.metadata.name}`), /Hello from the Kubernetes cluster\n$/);
    const cj = await eventually(async () => {
      const out = await ok('get', 'cronjob', 'hello', '-o', 'jsonpath={.status.lastScheduleTime} {.status.lastSuccessfulTime}');
      const [last, success] = out.split(' ');
      return last && success ? { last, success } : undefined;
    }, 20_000, 'lastScheduleTime and lastSuccessfulTime');
    assert.equal(Date.parse(cj.last), minute * 60_000);
  });
});
