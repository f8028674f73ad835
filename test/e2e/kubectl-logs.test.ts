// `kubectl logs` through the HTTPS face, reading the LOGS stream the way a kubelet fills
// it: lines of the current attempt, --previous, --tail, --timestamps, a wrong container,
// a container still waiting, and -f that shows new lines and ends when the container does.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { JetStreamLogSink } from '../../streams/logs-stream.ts';
import { eventually } from '../support/cluster.ts';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

const NS = 'default';

describe('kubectl logs', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  let sink: JetStreamLogSink;
  let web: KubeObject;

  const running = (restartCount: number) => ({ name: 'main', restartCount, ready: true, image: 'busybox', imageID: '', state: { running: { startedAt: new Date().toISOString() } } });
  const setStatus = async (name: string, containerStatuses: unknown[]) => {
    const current = await cluster.client.get('pods', NS, name);
    return cluster.client.update('pods', { ...current, status: { ...(current.status as object), phase: 'Running', containerStatuses } }, { subresource: 'status' });
  };
  const line = (pod: KubeObject, attempt: number, text: string, time = new Date()) =>
    sink.append({ namespace: NS, pod: pod.metadata.name!, podUid: pod.metadata.uid!, container: 'main', attempt, stream: 'stdout', text, time });
  const newPod = (name: string) =>
    cluster.client.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
      spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox' }] },
    });

  before(async () => {
    cluster = await startHttpTestCluster();
    sink = new JetStreamLogSink(cluster.client.nc);
    web = await newPod('web');
    await setStatus('web', [running(1)]);
    line(web, 0, 'first run: starting', new Date('2026-01-02T03:04:05.120Z'));
    line(web, 0, 'first run: crashed');
    line(web, 1, 'second run: line 1', new Date('2026-01-02T03:04:06Z'));
    line(web, 1, 'second run: line 2', new Date('2026-01-02T03:04:07.5Z'));
    await sink.flush();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;

  it('prints the lines of the running attempt only', async () => {
    assert.equal(await ok('logs', 'web'), 'second run: line 1\nsecond run: line 2\n');
  });

  it('--previous prints the attempt before it', async () => {
    assert.equal(await ok('logs', 'web', '--previous'), 'first run: starting\nfirst run: crashed\n');
  });

  it('--tail and --timestamps', async () => {
    assert.equal(await ok('logs', 'pod/web', '--tail=1'), 'second run: line 2\n');
    assert.equal(await ok('logs', 'web', '-c', 'main', '--timestamps'), '2026-01-02T03:04:06Z second run: line 1\n2026-01-02T03:04:07.5Z second run: line 2\n');
  });

  it('a container the pod does not have, a container not started, and no previous run are errors', async () => {
    const wrong = await cluster.kubectl('logs', 'web', '-c', 'sidecar');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /container sidecar is not valid for pod web/);

    await newPod('pending');
    const waiting = await cluster.kubectl('logs', 'pending');
    assert.equal(waiting.code, 1);
    assert.match(waiting.stderr, /container "main" in pod "pending" is waiting to start: ContainerCreating/);

    const fresh = await newPod('fresh');
    await setStatus('fresh', [running(0)]);
    line(fresh, 0, 'hello');
    await sink.flush();
    const previous = await cluster.kubectl('logs', 'fresh', '--previous');
    assert.equal(previous.code, 1);
    assert.match(previous.stderr, /previous terminated container "main" in pod "fresh" not found/);
  });

  it('-f shows new lines as they come and ends when the container terminates', async () => {
    const tail = await newPod('tail');
    await setStatus('tail', [running(0)]);
    line(tail, 0, 'before follow');
    await sink.flush();

    const child = cluster.spawnKubectl('logs', '-f', 'tail');
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = once(child, 'exit');
    await eventually(() => out.includes('before follow\n') || undefined, 20_000, 'the stored line');

    line(tail, 0, 'while following');
    await sink.flush();
    await eventually(() => out.includes('while following\n') || undefined, 20_000, 'the new line');

    line(tail, 0, 'last words');
    await sink.flush();
    const finishedAt = new Date().toISOString();
    await setStatus('tail', [{ ...running(0), ready: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: finishedAt, finishedAt } } }]);
    const [code] = await exited;
    assert.equal(code, 0);
    assert.equal(out, 'before follow\nwhile following\nlast words\n');
  });
});
