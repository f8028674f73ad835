/**
 * pods/binding and pods/eviction through the NATS face, against a real nats-server: the
 * writes the scheduler and `kubectl drain` make, and their refusals.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
let cluster: TestCluster;

const pod = (name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

async function refusal(promise: Promise<unknown>): Promise<StatusError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to be refused');
}

before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster.dispose();
});

describe('pods/binding', () => {
  it('sets spec.nodeName and PodScheduled=True, and answers a Success Status', async () => {
    const created = await cluster.client.create('pods', pod('bind-me'));
    const answer = await cluster.client.bind(NS, 'bind-me', 'node-a', { uid: created.metadata.uid });
    assert.equal(answer.kind, 'Status');
    assert.equal((answer as { status?: string }).status, 'Success');
    const bound = await cluster.client.get('pods', NS, 'bind-me');
    assert.equal((bound.spec as { nodeName?: string }).nodeName, 'node-a');
    const scheduled = (bound.status as { conditions?: Array<{ type: string; status: string }> }).conditions?.find((c) => c.type === 'PodScheduled');
    assert.equal(scheduled?.status, 'True');
    assert.ok(Number(bound.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
  });

  it('refuses a second binding with 409 and leaves the pod on its node', async () => {
    await cluster.client.create('pods', pod('bound-once'));
    await cluster.client.bind(NS, 'bound-once', 'node-a');
    const error = await refusal(cluster.client.bind(NS, 'bound-once', 'node-b'));
    assert.equal(error.code, 409);
    assert.equal(error.message, 'pod bound-once is already assigned to node "node-a"');
    const still = await cluster.client.get('pods', NS, 'bound-once');
    assert.equal((still.spec as { nodeName?: string }).nodeName, 'node-a');
  });

  it('refuses a binding for another pod of the same name (uid precondition)', async () => {
    await cluster.client.create('pods', pod('replaced'));
    const error = await refusal(cluster.client.bind(NS, 'replaced', 'node-a', { uid: 'not-its-uid' }));
    assert.equal(error.code, 409);
    assert.match(error.message, /Precondition failed: UID in precondition: not-its-uid/);
  });

  it('refuses a Binding without a target node with 422 and writes nothing', async () => {
    const created = await cluster.client.create('pods', pod('no-target'));
    const error = await refusal(
      cluster.client.send({
        verb: 'create',
        resource: 'pods',
        subresource: 'binding',
        namespace: NS,
        name: 'no-target',
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'no-target' }, target: { kind: 'Node' } },
      }),
    );
    assert.equal(error.code, 422);
    assert.match(error.message, /target.name: Required value/);
    const after = await cluster.client.get('pods', NS, 'no-target');
    assert.equal(after.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  it('is refused for a pod that does not exist (404) and on other verbs (405)', async () => {
    assert.equal((await refusal(cluster.client.bind(NS, 'ghost', 'node-a'))).code, 404);
    const error = await refusal(cluster.client.send({ verb: 'update', resource: 'pods', subresource: 'binding', namespace: NS, name: 'bind-me', body: pod('bind-me') }));
    assert.equal(error.code, 405);
  });
});

describe('pods/eviction', () => {
  it('deletes a pod no budget covers: an unscheduled one at once, a bound one gracefully', async () => {
    await cluster.client.create('pods', pod('evict-unscheduled'));
    await cluster.client.evict(NS, 'evict-unscheduled');
    assert.equal((await refusal(cluster.client.get('pods', NS, 'evict-unscheduled'))).code, 404);

    await cluster.client.create('pods', pod('evict-running', {}, { nodeName: 'node-a', terminationGracePeriodSeconds: 30 }));
    await cluster.client.evict(NS, 'evict-running');
    const marked = await cluster.client.get('pods', NS, 'evict-running');
    assert.ok(marked.metadata.deletionTimestamp, 'a bound pod is marked, for its kubelet to stop');
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 30);
  });

  it('takes one allowed disruption of the budget, then refuses with 429', async () => {
    const labels = { app: 'guarded' };
    await cluster.client.create('pods', pod('guarded-1', labels, { nodeName: 'node-a' }));
    await cluster.client.create('pods', pod('guarded-2', labels, { nodeName: 'node-a' }));
    const pdb = await cluster.client.create('poddisruptionbudgets.policy', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guard', namespace: NS },
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    });
    // What the disruption controller would write: two healthy, one may go.
    await cluster.client.update(
      'poddisruptionbudgets.policy',
      { ...pdb, status: { observedGeneration: pdb.metadata.generation, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } },
      { subresource: 'status' },
    );

    await cluster.client.evict(NS, 'guarded-1', { gracePeriodSeconds: 5 });
    const budget = await cluster.client.get('poddisruptionbudgets.policy', NS, 'guard');
    const status = budget.status as { disruptionsAllowed: number; disruptedPods?: Record<string, string> };
    assert.equal(status.disruptionsAllowed, 0);
    assert.ok(status.disruptedPods?.['guarded-1']);
    assert.ok((await cluster.client.get('pods', NS, 'guarded-1')).metadata.deletionTimestamp);

    const error = await refusal(cluster.client.evict(NS, 'guarded-2'));
    assert.equal(error.code, 429);
    assert.equal(error.reason, 'TooManyRequests');
    assert.equal(error.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.equal((await cluster.client.get('pods', NS, 'guarded-2')).metadata.deletionTimestamp, undefined);
  });
});
