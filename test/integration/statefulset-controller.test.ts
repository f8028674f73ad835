/**
 * The StatefulSet controller against a real API server, with the controller manager,
 * the scheduler and a kubelet on the simulated runtime: pods come up in ordinal order,
 * each only once the one before is Ready (checked on every watch event), with their
 * identity and claims; a template change rolls from the highest ordinal down and
 * records a second ControllerRevision; a scale-down removes the highest ordinals first
 * and keeps their claims; a Delete retention policy lets the garbage collector take the
 * claims of scaled-away pods, and the rest with the set.
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
import type { WatchEvent } from '../../src/apiserver/request.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';

const isReady = (pod: KubeObject | undefined) =>
  !!pod && !pod.metadata.deletionTimestamp && ((pod.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const ordinal = (name: string) => Number(name.slice(name.lastIndexOf('-') + 1));
const stsStatus = async () => ((await cluster.client.get('statefulsets.apps', NS, 'web')).status ?? {}) as Record<string, number | string | undefined>;

let cluster: TestCluster;

describe('the StatefulSet controller on a simulated node', { timeout: 120_000 }, () => {
  let dir: string;
  let components: AnyActorRef[] = [];
  let stopWatch: (() => void) | undefined;
  /** The last state of each pod as the watch showed it, and what happened in order. */
  const seen = new Map<string, KubeObject>();
  const history: string[] = [];
  const violations: string[] = [];

  before(async () => {
    cluster = await startTestCluster();
    dir = await mkdtemp(join(tmpdir(), 'jetkube-sts-'));
    const natsUrl = cluster.nats.url;
    components = [
      createActor(controllerManagerMachine, { input: { natsUrl, leaderElect: false } }),
      createActor(schedulerMachine, { input: { natsUrl, leaderElect: false } }),
      createActor(kubeletMachine, { input: { natsUrl, nodeName: 'sim-1', runtime: 'simulated', rootDir: dir, podCIDR: '127.31.0.0/24' } }),
    ];
    for (const c of components) c.start();
    const stream = await cluster.client.watch('pods', NS, { labelSelector: 'app=web' }, (event: WatchEvent) => {
      const pod = event.object as KubeObject;
      const name = pod.metadata.name!;
      const before = seen.get(name);
      if (event.type === 'ADDED') {
        history.push(`create ${name}`);
        for (let i = 0; i < ordinal(name); i++) if (!isReady(seen.get(`web-${i}`))) violations.push(`${name} created while web-${i} was not Ready`);
      }
      if (pod.metadata.deletionTimestamp && !before?.metadata.deletionTimestamp) history.push(`delete ${name}`);
      if (event.type === 'DELETED') seen.delete(name);
      else seen.set(name, pod);
    });
    stopWatch = () => void stream.stop();
  });

  after(async () => {
    stopWatch?.();
    for (const c of components) {
      c.send({ type: 'stop' });
      await waitFor(c, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    }
    await cluster.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates web-0, web-1, web-2 in order, each after the one before is Ready, with their identity and claims', async () => {
    await cluster.client.create('statefulsets.apps', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 3,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'nginx:1' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    await eventually(async () => ((await stsStatus()).readyReplicas === 3 ? true : undefined), 60_000, '3 ready replicas');
    assert.deepEqual(history, ['create web-0', 'create web-1', 'create web-2']);
    assert.deepEqual(violations, []);
    const pod = await cluster.client.get('pods', NS, 'web-1');
    assert.equal((pod.spec as { hostname?: string }).hostname, 'web-1');
    assert.equal((pod.spec as { subdomain?: string }).subdomain, 'web');
    assert.equal((pod.spec as { nodeName?: string }).nodeName, 'sim-1');
    assert.equal(pod.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
    assert.equal(pod.metadata.labels?.['apps.kubernetes.io/pod-index'], '1');
    const claims = (await cluster.client.list('persistentvolumeclaims', NS)).items.map((c) => c.metadata.name).sort();
    assert.deepEqual(claims, ['www-web-0', 'www-web-1', 'www-web-2']);
    const status = await stsStatus();
    assert.equal(status.currentRevision, status.updateRevision);
    assert.equal(pod.metadata.labels?.['controller-revision-hash'], status.updateRevision);
    assert.equal(status.observedGeneration, 1);
  });

  it('rolls a template change from the highest ordinal down and keeps both revisions', async () => {
    const before = await stsStatus();
    history.length = 0;
    await cluster.client.patch('statefulsets.apps', NS, 'web', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } }, 'strategic');
    await eventually(async () => {
      const s = await stsStatus();
      return s.updateRevision !== before.updateRevision && s.currentRevision === s.updateRevision && s.updatedReplicas === 3 && s.readyReplicas === 3 ? s : undefined;
    }, 60_000, 'the rolling update to finish');
    assert.deepEqual(history, ['delete web-2', 'create web-2', 'delete web-1', 'create web-1', 'delete web-0', 'create web-0']);
    assert.deepEqual(violations, []);
    const revisions = (await cluster.client.list('controllerrevisions.apps', NS)).items;
    assert.deepEqual(revisions.map((r) => (r as { revision?: number }).revision).sort(), [1, 2]);
    for (const name of ['web-0', 'web-1', 'web-2']) {
      const pod = await cluster.client.get('pods', NS, name);
      assert.equal((pod.spec as { containers: { image: string }[] }).containers[0]!.image, 'nginx:2');
    }
  });

  it('scales down from the highest ordinal and keeps the claims', async () => {
    history.length = 0;
    await cluster.client.patch('statefulsets.apps', NS, 'web', { spec: { replicas: 1 } }, 'merge');
    await eventually(async () => ((await stsStatus()).replicas === 1 && seen.size === 1 ? true : undefined), 60_000, 'one replica left');
    assert.deepEqual(history, ['delete web-2', 'delete web-1']);
    const claims = (await cluster.client.list('persistentvolumeclaims', NS)).items.map((c) => c.metadata.name).sort();
    assert.deepEqual(claims, ['www-web-0', 'www-web-1', 'www-web-2']);
  });

  it('with a Delete retention policy, the garbage collector takes the claims of scaled-away pods and, with the set, the rest', async () => {
    await cluster.client.create('statefulsets.apps', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'cache', namespace: NS },
      spec: {
        replicas: 2,
        podManagementPolicy: 'Parallel',
        serviceName: 'cache',
        selector: { matchLabels: { app: 'cache' } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        template: { metadata: { labels: { app: 'cache' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'cache', image: 'redis' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    const claimNames = async () => (await cluster.client.list('persistentvolumeclaims', NS, { labelSelector: 'app=cache' })).items.map((c) => c.metadata.name).sort().join();
    await eventually(async () => (((await cluster.client.get('statefulsets.apps', NS, 'cache')).status as { readyReplicas?: number }).readyReplicas === 2 ? true : undefined), 30_000, 'cache ready');
    assert.equal(await claimNames(), 'data-cache-0,data-cache-1');
    await cluster.client.patch('statefulsets.apps', NS, 'cache', { spec: { replicas: 1 } }, 'merge');
    await eventually(async () => ((await claimNames()) === 'data-cache-0' ? true : undefined), 30_000, 'the claim of cache-1 collected');
    await cluster.client.delete('statefulsets.apps', NS, 'cache');
    await eventually(async () => ((await claimNames()) === '' ? true : undefined), 30_000, 'the claims collected with the set');
    // The other set's claims (Retain) are untouched.
    assert.equal((await cluster.client.list('persistentvolumeclaims', NS, { labelSelector: 'app=web' })).items.length, 3);
  });
});
