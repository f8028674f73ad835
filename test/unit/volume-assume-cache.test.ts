import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { Indexer, objectKey } from '../../src/informer/indexer.ts';
import { AssumeCache } from '../../src/controllers/volume/assume-cache.ts';

const pv = (rv: string, phase: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'a', resourceVersion: rv }, status: { phase } });
const phaseOf = (o: KubeObject | undefined) => (o?.status as { phase?: string } | undefined)?.phase;

describe('AssumeCache', () => {
  it('shows an assumed write until the informer brings that version or a newer one', () => {
    const indexer = new Indexer();
    indexer.upsert(pv('5', 'Available'));
    const cache = new AssumeCache(indexer, objectKey);
    cache.assume(pv('5', 'Bound'));
    assert.equal(phaseOf(cache.get('a')), 'Bound', 'assumed before the write answers');
    cache.assume(pv('6', 'Bound'));
    assert.equal(phaseOf(cache.list()[0]), 'Bound');
    indexer.upsert(pv('7', 'Released'));
    assert.equal(phaseOf(cache.get('a')), 'Released', 'a newer version from the informer wins');
    cache.assume(pv('6', 'Bound'));
    assert.equal(phaseOf(cache.get('a')), 'Released', 'an older assumption never hides a newer version');
  });

  it('restores the informer\'s view after a failed write, and forgets objects that are gone', () => {
    const indexer = new Indexer();
    indexer.upsert(pv('5', 'Available'));
    const cache = new AssumeCache(indexer, objectKey);
    cache.assume(pv('5', 'Bound'));
    cache.restore('a');
    assert.equal(phaseOf(cache.get('a')), 'Available');
    cache.assume(pv('5', 'Bound'));
    indexer.delete('a');
    assert.equal(cache.get('a'), undefined);
    assert.deepEqual(cache.list(), []);
  });
});
