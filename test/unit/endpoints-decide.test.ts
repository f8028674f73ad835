import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideEndpoints, desiredSubsets } from '../../src/controllers/endpoints/decide.ts';
import { decideSlices, desiredSlices, MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../../src/controllers/endpointslice/decide.ts';

const service = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
});

let n = 0;
const pod = (ip: string | undefined, opts: { ready?: boolean; httpPort?: number; deleting?: boolean; phase?: string; labels?: Record<string, string>; hostname?: string; subdomain?: string } = {}): KubeObject => {
  n++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${n}`, namespace: 'default', uid: `uid-${n}`, labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      nodeName: 'node-1',
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
      ...(opts.subdomain ? { subdomain: opts.subdomain } : {}),
      containers: [{ name: 'c', ports: [{ name: 'http', containerPort: opts.httpPort ?? 8080 }] }],
    },
    status: { phase: opts.phase ?? 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
};

describe('endpoints', () => {
  it('ready pods are addresses, unready ones notReadyAddresses; named ports resolve per pod', () => {
    const pods = [pod('127.128.0.3'), pod('127.128.0.2', { ready: false }), pod('127.128.0.4', { httpPort: 9090 }), pod(undefined), pod('127.128.0.9', { labels: { app: 'other' } }), pod('127.128.0.7', { phase: 'Succeeded' }), pod('127.128.0.8', { deleting: true })];
    const subsets = desiredSubsets(service(), pods);
    assert.deepEqual(
      subsets.map((s) => ({ ready: (s.addresses ?? []).map((a) => a.ip), notReady: (s.notReadyAddresses ?? []).map((a) => a.ip), ports: s.ports })),
      [
        { ready: ['127.128.0.3'], notReady: ['127.128.0.2'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
        { ready: ['127.128.0.4'], notReady: [], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
      ],
    );
  });

  it('publishNotReadyAddresses lists every pod as ready, terminating ones too', () => {
    const subsets = desiredSubsets(service({ publishNotReadyAddresses: true }), [pod('127.128.0.2', { ready: false }), pod('127.128.0.3', { deleting: true })]);
    assert.deepEqual(subsets[0]!.addresses!.map((a) => a.ip), ['127.128.0.2', '127.128.0.3']);
    assert.equal(subsets[0]!.notReadyAddresses, undefined);
  });

  it('a headless Service gives hostnames to pods of its subdomain', () => {
    const subsets = desiredSubsets(service({ clusterIP: 'None' }), [pod('127.128.0.2', { hostname: 'web-0', subdomain: 'web' }), pod('127.128.0.3', { hostname: 'x', subdomain: 'other' })]);
    assert.deepEqual(subsets[0]!.addresses!.map((a) => a.hostname ?? null), ['web-0', null]);
  });

  it('creates, then updates only on a change, and deletes with the Service', () => {
    const pods = [pod('127.128.0.2')];
    const created = decideEndpoints(service(), pods, undefined);
    assert.equal(created.type, 'create');
    const stored = { ...(created as { endpoints: KubeObject }).endpoints, metadata: { ...(created as { endpoints: KubeObject }).endpoints.metadata, uid: 'e1', resourceVersion: '5' } };
    assert.deepEqual(decideEndpoints(service(), pods, stored), { type: 'none' });
    assert.equal(decideEndpoints(service(), [], stored).type, 'update');
    assert.deepEqual(decideEndpoints(undefined, [], stored), { type: 'delete', name: 'web', uid: 'e1' });
    assert.deepEqual(decideEndpoints(service({ selector: undefined }), pods, undefined), { type: 'none' });
  });
});

describe('endpoint slices', () => {
  it('keeps terminating endpoints with ready/serving/terminating conditions', () => {
    const slices = desiredSlices(service(), [pod('127.128.0.2'), pod('127.128.0.3', { deleting: true }), pod('127.128.0.4', { ready: false })]);
    assert.equal(slices.length, 1);
    assert.deepEqual(
      slices[0]!.endpoints.map((e) => [e.addresses[0], e.conditions]),
      [
        ['127.128.0.2', { ready: true, serving: true, terminating: false }],
        ['127.128.0.3', { ready: false, serving: true, terminating: true }],
        ['127.128.0.4', { ready: false, serving: false, terminating: false }],
      ],
    );
  });

  it('cuts at 100 endpoints per slice and labels and owns every slice', () => {
    const pods = Array.from({ length: 250 }, (_, i) => pod(`127.128.${i >> 8}.${(i & 255) + 1}`));
    const actions = decideSlices(service(), pods, []);
    assert.deepEqual(actions.map((a) => (a.type === 'create' ? (a.slice.endpoints as unknown[]).length : -1)), [100, 100, 50]);
    const slice = (actions[0] as { slice: KubeObject }).slice;
    assert.equal(slice.metadata.labels![SERVICE_NAME_LABEL], 'web');
    assert.equal(slice.metadata.labels![MANAGED_BY_LABEL], MANAGED_BY);
    assert.equal(slice.metadata.ownerReferences![0]!.uid, 'svc-uid');
    assert.equal(slice.metadata.generateName, 'web-');
  });

  it('reuses existing slices, updates only what changed, deletes the extra ones', () => {
    const pods = [pod('127.128.0.2')];
    const [create] = decideSlices(service(), pods, []);
    const existing = { ...(create as { slice: KubeObject }).slice, metadata: { ...(create as { slice: KubeObject }).slice.metadata, name: 'web-abc', uid: 's1', resourceVersion: '3' } };
    assert.deepEqual(decideSlices(service(), pods, [existing]), []);
    const extra = { ...existing, metadata: { ...existing.metadata, name: 'web-xyz', uid: 's2' } };
    assert.deepEqual(decideSlices(service(), pods, [existing, extra]), [{ type: 'delete', name: 'web-xyz', uid: 's2' }]);
    const [update] = decideSlices(service(), [], [existing]);
    assert.equal(update!.type, 'update');
    assert.deepEqual((update as { slice: KubeObject }).slice.endpoints, []);
  });
});
