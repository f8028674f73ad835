// Issue 7's StatefulSet with the real kubectl against a whole cluster (API server,
// controller manager, scheduler, a kubelet running containers as processes):
// examples/statefulset.yaml reaches 3/3 Ready in ordinal order, `kubectl rollout
// status/history/undo sts` work over its ControllerRevisions, and a pod deleted comes
// back under its name with its claim's data (the claims bind through the local-path
// provisioner), and the volumes go once the set and its claims are deleted.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually } from '../support/cluster.ts';
import { kubectlOk } from '../support/http-cluster.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'statefulset.yaml');
const NS = 'default';

describe('a StatefulSet through kubectl', { timeout: 240_000 }, () => {
  let cluster: NodeTestCluster;
  before(async () => {
    cluster = await startNodeCluster();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;
  const pod = (name: string) => cluster.client.get('pods', NS, name);
  /** kubectl runs for 30 s at most: wait for the rollout here, then ask kubectl. */
  const rolledOut = (timeoutMs: number) =>
    eventually(async () => {
      const sts = await cluster.client.get('statefulsets.apps', NS, 'web');
      const s = (sts.status ?? {}) as { observedGeneration?: number; readyReplicas?: number; updatedReplicas?: number; currentRevision?: string; updateRevision?: string };
      const replicas = (sts.spec as { replicas: number }).replicas;
      const done = s.observedGeneration === sts.metadata.generation && s.readyReplicas === replicas && s.updatedReplicas === replicas && s.currentRevision === s.updateRevision;
      return done ? s : undefined;
    }, timeoutMs, 'the StatefulSet rolled out');
  const condition = (p: KubeObject, type: string) =>
    ((p.status ?? {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] }).conditions?.find((c) => c.type === type);

  it('examples/statefulset.yaml reaches 3/3 Ready, one pod after the other', async () => {
    await ok('wait', '--for=condition=Ready', `node/${cluster.nodeName}`, '--timeout=60s');
    await ok('apply', '-f', EXAMPLE);
    await rolledOut(120_000);
    const status = await ok('rollout', 'status', 'sts/web', '--timeout=20s');
    assert.match(status, /partitioned roll out complete: 3 new pods have been updated/);
    assert.match(await ok('get', 'sts', 'web', '--no-headers'), /^web\s+3\/3\s/);
    const pods = await Promise.all(['web-0', 'web-1', 'web-2'].map(pod));
    for (let i = 1; i < 3; i++) {
      // Pod i was created only once pod i-1 was Ready (whole seconds: not before).
      const readyBefore = Date.parse(condition(pods[i - 1]!, 'Ready')!.lastTransitionTime!);
      assert.ok(Date.parse(pods[i]!.metadata.creationTimestamp!) >= readyBefore, `web-${i} created after web-${i - 1} was Ready`);
    }
    const claims = (await ok('get', 'pvc', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}')).trim().split(' ').sort();
    assert.deepEqual(claims, ['www-web-0=Bound', 'www-web-1=Bound', 'www-web-2=Bound']);
    assert.equal(await ok('exec', 'web-1', '--', 'cat', 'data/id'), 'web-1\n');
    const described = await ok('describe', 'sts', 'web');
    assert.match(described, /Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
    assert.match(described, /Volume Claims:\n\s+Name:\s+www/);
    assert.match(described, /SuccessfulCreate\s+.*create Pod web-2 in StatefulSet web successful/);
  });

  it('keeps each pod\'s data across a pod delete', async () => {
    const before = await pod('web-1');
    assert.equal((await ok('exec', 'web-1', '--', 'cat', 'data/starts')).trim().split('\n').length, 1);
    await ok('delete', 'pod', 'web-1');
    await eventually(async () => {
      const p = await pod('web-1').catch(() => undefined);
      return p && p.metadata.uid !== before.metadata.uid && condition(p, 'Ready')?.status === 'True' ? p : undefined;
    }, 90_000, 'web-1 back and Ready');
    assert.equal(await ok('exec', 'web-1', '--', 'cat', 'data/id'), 'web-1\n');
    assert.equal((await ok('exec', 'web-1', '--', 'cat', 'data/starts')).trim().split('\n').length, 2, 'the second start found the first one\'s record');
  });

  it('kubectl rollout history and undo go through the ControllerRevisions', async () => {
    await ok('set', 'env', 'sts/web', 'GREETING=hello');
    await rolledOut(90_000);
    await ok('rollout', 'status', 'sts/web', '--timeout=20s');
    const history = await ok('rollout', 'history', 'sts/web');
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(await ok('rollout', 'history', 'sts/web', '--revision=2'), /GREETING:\s+hello/);
    assert.match(await ok('rollout', 'undo', 'sts/web'), /statefulset.apps\/web rolled back/);
    await rolledOut(90_000);
    await ok('rollout', 'status', 'sts/web', '--timeout=20s');
    assert.match(await ok('rollout', 'history', 'sts/web'), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
    const env = ((await pod('web-0')).spec as { containers: { env?: unknown[] }[] }).containers[0]!.env;
    assert.equal(env, undefined, 'the pods are back at the first template');
  });

  it('scales down from the highest ordinal and keeps the claims', async () => {
    await ok('scale', 'sts/web', '--replicas=1');
    await eventually(async () => ((await cluster.client.list('pods', NS, { labelSelector: 'app=web' })).items.length === 1 ? true : undefined), 60_000, 'one pod left');
    assert.equal((await pod('web-0')).metadata.name, 'web-0');
    assert.match(await ok('get', 'sts', 'web', '--no-headers'), /^web\s+1\/1\s/);
    assert.equal((await ok('get', 'pvc', '-l', 'app=web', '--no-headers')).trim().split('\n').length, 3);
  });

  it('deleting the set and then its claims gives their volumes back (reclaim policy Delete)', async () => {
    const volumes = (await cluster.client.list('persistentvolumeclaims', NS, { labelSelector: 'app=web' })).items.map((c) => (c.spec as { volumeName: string }).volumeName);
    await ok('delete', 'sts', 'web', '--wait=false');
    await eventually(async () => ((await cluster.client.list('pods', NS, { labelSelector: 'app=web' })).items.length === 0 ? true : undefined), 60_000, 'the pods gone');
    await ok('delete', 'pvc', '-l', 'app=web', '--wait=false');
    await eventually(async () => {
      const left = (await cluster.client.list('persistentvolumes', undefined)).items.filter((v) => volumes.includes(v.metadata.name!));
      return left.length === 0 ? true : undefined;
    }, 60_000, 'the volumes deleted');
  });
});
