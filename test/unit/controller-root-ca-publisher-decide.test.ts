import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideRootCaConfigMap, DESCRIPTION, DESCRIPTION_ANNOTATION } from '../../src/controllers/root-ca-publisher/decide.ts';

const ns = (extra: Partial<KubeObject['metadata']> = {}, phase = 'Active'): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', ...extra }, status: { phase } });
const CA = '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n';

describe('decideRootCaConfigMap', () => {
  it('creates kube-root-ca.crt with the CA in an Active namespace that has none', () => {
    const action = decideRootCaConfigMap(ns(), undefined, CA);
    assert.equal(action.type, 'create');
    const cm = (action as { configMap: KubeObject }).configMap;
    assert.equal(cm.metadata.name, 'kube-root-ca.crt');
    assert.equal(cm.metadata.namespace, 'dev');
    assert.deepEqual((cm as { data?: unknown }).data, { 'ca.crt': CA });
    assert.equal(cm.metadata.annotations?.[DESCRIPTION_ANNOTATION], DESCRIPTION);
  });
  it('does nothing for a terminating namespace', () => {
    assert.deepEqual(decideRootCaConfigMap(ns({ deletionTimestamp: '2026-01-01T00:00:00Z' }), undefined, CA), { type: 'none' });
    assert.deepEqual(decideRootCaConfigMap(ns({}, 'Terminating'), undefined, CA), { type: 'none' });
  });
  it('does nothing when the ConfigMap is as it should be', () => {
    const created = (decideRootCaConfigMap(ns(), undefined, CA) as { configMap: KubeObject }).configMap;
    assert.deepEqual(decideRootCaConfigMap(ns(), created, CA), { type: 'none' });
  });
  it('puts back edited data, keeping the object (and its resourceVersion) for the update', () => {
    const created = (decideRootCaConfigMap(ns(), undefined, CA) as { configMap: KubeObject }).configMap;
    const edited = { ...created, metadata: { ...created.metadata, resourceVersion: '7' }, data: { 'ca.crt': 'tampered', extra: 'x' } } as KubeObject;
    const action = decideRootCaConfigMap(ns(), edited, CA);
    assert.equal(action.type, 'update');
    const cm = (action as { configMap: KubeObject }).configMap;
    assert.deepEqual((cm as { data?: unknown }).data, { 'ca.crt': CA });
    assert.equal(cm.metadata.resourceVersion, '7');
  });
});
