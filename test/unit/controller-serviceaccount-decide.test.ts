import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideServiceAccounts } from '../../src/controllers/serviceaccount/decide.ts';

const ns = (phase = 'Active', deleting = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'team', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase },
});

describe('decideServiceAccounts', () => {
  it('given an active namespace without default, then default is created in it', () => {
    assert.deepEqual(decideServiceAccounts(ns(), new Set()), [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team' } },
    ]);
  });
  it('given default exists, then nothing', () => {
    assert.deepEqual(decideServiceAccounts(ns(), new Set(['default', 'other'])), []);
  });
  it('given a terminating namespace, then nothing', () => {
    assert.deepEqual(decideServiceAccounts(ns('Terminating', true), new Set()), []);
    assert.deepEqual(decideServiceAccounts(ns('Active', true), new Set()), []);
  });
  it('creates each wanted account that is missing', () => {
    assert.deepEqual(decideServiceAccounts(ns(), new Set(['a']), ['a', 'b']).map((s) => s.metadata.name), ['b']);
  });
});
