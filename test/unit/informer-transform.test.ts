/**
 * An informer's transform (client-go's SetTransform) runs on every object before it is
 * cached or handed to a handler, for the first list, re-lists and watch events alike.
 * The components strip managedFields with it; an update sent from a stripped object keeps
 * the stored managedFields, so a controller writing back from its cache loses nothing.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { prepareUpdate } from '../../src/api/metadata.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';
import type { ListerWatcher } from '../../src/informer/list-watcher.ts';
import { SharedInformer } from '../../src/informer/shared-informer.ts';
import { stripManagedFields } from '../../src/informer/transforms.ts';

const MANAGED = [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];
const pod = (name: string, resourceVersion: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion, managedFields: structuredClone(MANAGED) },
  spec: { containers: [{ name: 'c', image: 'pause' }] },
});

type Send = (e: { type: 'ADDED' | 'MODIFIED'; object: KubeObject }) => void;

function listThenWatch(objects: KubeObject[], events: { send?: Send }): ListerWatcher {
  return {
    selection: { resource: 'pods' },
    list: async () => ({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '2' }, items: objects }),
    watch: async (_options, onEvent) => {
      events.send = (e) => onEvent(e);
      return { stop: () => {} };
    },
  } as ListerWatcher;
}

it('stripManagedFields drops managedFields only, and leaves its input alone', () => {
  const original = pod('a', '1');
  const stripped = stripManagedFields(original);
  assert.equal(stripped.metadata.managedFields, undefined);
  assert.deepEqual({ ...stripped, metadata: { ...stripped.metadata, managedFields: MANAGED } }, original);
  assert.deepEqual(original.metadata.managedFields, MANAGED, 'the input is not changed');
  const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' } } as KubeObject;
  assert.equal(stripManagedFields(bare), bare, 'nothing to strip: the same object');
});

it('transforms listed and watched objects before the cache and the handlers see them', async () => {
  const events: { send?: Send } = {};
  const informer = new SharedInformer(listThenWatch([pod('a', '1'), pod('b', '2')], events), { transform: stripManagedFields });
  const seen: KubeObject[] = [];
  informer.addEventHandler({ onAdd: (p) => seen.push(p), onUpdate: (_old, p) => seen.push(p) });
  informer.run();
  assert.equal(await informer.waitForSync(5_000), true);
  while (!events.send) await new Promise((resolve) => setImmediate(resolve));
  events.send({ type: 'MODIFIED', object: pod('a', '3') });
  events.send({ type: 'ADDED', object: pod('c', '4') });

  assert.deepEqual(
    seen.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`),
    ['a@1', 'b@2', 'a@3', 'c@4'],
  );
  assert.ok(seen.every((p) => p.metadata.managedFields === undefined), 'handlers never see managedFields');
  assert.ok(informer.indexer.list().every((p) => p.metadata.managedFields === undefined), 'the cache holds none');
  assert.equal(informer.indexer.list().length, 3);
  informer.stop();
});

it('an update sent from a stripped object keeps the stored managedFields', () => {
  const stored = pod('a', '7');
  const fromCache = stripManagedFields(stored);
  const incoming = { ...fromCache, spec: { containers: [{ name: 'c', image: 'pause:2' }] } } as KubeObject;
  const next = prepareUpdate(resourceByKey('pods')!, stored, incoming);
  assert.deepEqual(next.metadata.managedFields, MANAGED);
});

it('caches only what keep passes, and drops an object that stops passing', async () => {
  const events: { send?: Send } = {};
  const onNode = (name: string, rv: string, node: string): KubeObject => ({ ...pod(name, rv), spec: { nodeName: node } });
  const informer = new SharedInformer(listThenWatch([onNode('a', '1', 'mine'), onNode('b', '2', 'other')], events), {
    keep: (p) => (p.spec as { nodeName?: string }).nodeName === 'mine',
  });
  const seen: string[] = [];
  informer.addEventHandler({ onAdd: (p) => seen.push(`add ${p.metadata.name}`), onUpdate: (_o, p) => seen.push(`update ${p.metadata.name}`), onDelete: (p) => seen.push(`delete ${(p as KubeObject).metadata.name}`) });
  informer.run();
  assert.equal(await informer.waitForSync(5_000), true);
  while (!events.send) await new Promise((resolve) => setImmediate(resolve));
  events.send({ type: 'ADDED', object: onNode('c', '3', 'other') });
  events.send({ type: 'MODIFIED', object: onNode('a', '4', 'elsewhere') });
  events.send({ type: 'ADDED', object: onNode('d', '5', 'mine') });
  assert.deepEqual(seen, ['add a', 'delete a', 'add d']);
  assert.deepEqual(informer.indexer.list().map((p) => p.metadata.name), ['d']);
  informer.stop();
});
