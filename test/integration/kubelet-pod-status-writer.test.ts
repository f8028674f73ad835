/**
 * The kubelet's pod status writer against a real API server: each write is pinned to the
 * newest pod seen, and the writer holds the informer's copy of a version rather than its
 * own write's answer (so a fleet keeps one copy of each pod). Its own answer, without
 * managedFields, is kept only while the informer has not caught up.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { componentLogger } from '../../src/log.ts';
import { PodStatusWriter } from '../../src/kubelet/pod-status-writer.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster?.dispose();
});

const podBody = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'pause' }] } });
const rv = (pod: KubeObject) => Number(pod.metadata.resourceVersion);

it('keeps its own answer only until the informer brings the same version, then the informer copy', async () => {
  const created = await cluster.client.create('pods', podBody('writer-a'));
  const writer = new PodStatusWriter(cluster.client, created, componentLogger('test'));
  writer.write({ phase: 'Running' });
  await writer.flush();

  const own = writer.pod;
  assert.ok(rv(own) > rv(created), 'the answer is newer than the pod it was written from');
  assert.equal((own.status as { phase?: string }).phase, 'Running');
  assert.equal(own.metadata.managedFields, undefined, 'kept without managedFields');

  // The informer's copy of the same version (read here as a watch would bring it) replaces it.
  const informerCopy = await cluster.client.get('pods', 'default', 'writer-a');
  assert.equal(rv(informerCopy), rv(own));
  writer.observe(informerCopy);
  assert.equal(writer.pod, informerCopy, 'the same object as the cache holds');

  // An older version never replaces a newer one.
  writer.observe(created);
  assert.equal(writer.pod, informerCopy);
});

it('writes after a conflict from the re-read pod, and the next write is pinned to it', async () => {
  const created = await cluster.client.create('pods', podBody('writer-b'));
  const writer = new PodStatusWriter(cluster.client, created, componentLogger('test'));
  // Someone else changes the pod: the writer's version is stale, so its write meets a 409 and re-reads.
  await cluster.client.patch('pods', 'default', 'writer-b', { metadata: { labels: { moved: 'yes' } } }, 'merge');
  writer.write({ phase: 'Running' });
  await writer.flush();
  const stored = await cluster.client.get('pods', 'default', 'writer-b');
  assert.equal((stored.status as { phase?: string }).phase, 'Running');
  assert.equal(stored.metadata.labels?.moved, 'yes', 'the other change kept');
  assert.equal(rv(writer.pod), rv(stored), 'holding the newest version');
});
