// The Scale view of a workload, and the replica count a written Scale asks for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { requestedReplicas, scaleOf } from '../../src/api/scale.ts';

const workload = (kind: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7', labels: { a: 'b' }, generation: 3 },
  spec,
  status,
});

describe('scale', () => {
  it('a Deployment: spec and observed replicas, the selector as a string, identity metadata only', () => {
    const scale = scaleOf({ kind: 'Deployment' }, workload('Deployment', { replicas: 3, selector: { matchLabels: { app: 'web', tier: 'fe' } } }, { replicas: 2 }));
    assert.deepEqual(scale, {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7' },
      spec: { replicas: 3 },
      status: { replicas: 2, selector: 'app=web,tier=fe' },
    });
  });

  it('a ReplicationController: its selector is a label map', () => {
    assert.equal(scaleOf({ kind: 'ReplicationController' }, workload('ReplicationController', { replicas: 1, selector: { app: 'web' } })).status.selector, 'app=web');
  });

  it('a StatefulSet with match expressions; no status yet is 0 observed', () => {
    const scale = scaleOf(
      { kind: 'StatefulSet' },
      workload('StatefulSet', { replicas: 2, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] } }),
    );
    assert.deepEqual(scale.status, { replicas: 0, selector: 'app in (a,b)' });
  });

  it('reads the requested count; a negative or non-integer count is 422, another kind 400', () => {
    assert.equal(requestedReplicas('web', { kind: 'Scale', spec: { replicas: 4 } }), 4);
    assert.equal(requestedReplicas('web', { spec: {} }), 0);
    const code = (body: unknown) => {
      try {
        requestedReplicas('web', body);
        return 0;
      } catch (e) {
        return e instanceof StatusError ? e.code : -1;
      }
    };
    assert.equal(code({ spec: { replicas: -1 } }), 422);
    assert.equal(code({ spec: { replicas: 1.5 } }), 422);
    assert.equal(code({ kind: 'Deployment', spec: { replicas: 1 } }), 400);
    assert.equal(code('nope'), 400);
    assert.throws(() => requestedReplicas('web', { spec: { replicas: -1 } }), /Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
  });
});
