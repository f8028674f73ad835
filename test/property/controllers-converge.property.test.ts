/**
 * Property: the Deployment, ReplicaSet and garbage-collector decisions converge, run by
 * the testkit (src/testkit) over generated sequences of user edits (create, scale, new
 * image or back to an earlier one, pause/resume, pod deletions, stale-read updates that
 * conflict, from two interleaved writers), with controller rounds between them. Running
 * the controllers to a fixed point leaves: as many pods as replicas, all of the newest
 * template's hash; old ReplicaSets at 0; no orphan pod; no pod owned by two ReplicaSets.
 * While a final rollout converges (no user edits any more), every write keeps Kubernetes'
 * rolling update bounds: pods <= replicas + maxSurge and available >= replicas - maxUnavailable.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { JsonObject, KubeObject } from '../../src/api/object.ts';
import { equalIgnoreHash, HASH_LABEL, maxSurge, maxUnavailable, type DeploymentSpec } from '../../src/controllers/deployment/util.ts';
import { isPodAvailable } from '../../src/controllers/replicaset/pods.ts';
import { controllerRef } from '../../src/controllers/runtime/owner.ts';
import { checkController, eventSequence, workloadControllers, type ClusterView, type Invariant, type TestEvent } from '../../src/testkit/index.ts';

const NS = 'default';
const NAME = 'web';
const IMAGES = ['nginx:1', 'nginx:2', 'nginx:3'];
/** The image of the final rollout: the rolling-update bounds are checked while it converges. */
const FINAL_IMAGE = 'nginx:final';
const DEPLOYMENTS = 'deployments.apps';
const template = (image: string) => ({ metadata: { labels: { app: NAME } }, spec: { containers: [{ name: 'c', image }] } });

const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constantFrom('25%', '50%'));

function deployment(replicas: number, image: string, surge: number | string, unavailable: number | string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: NAME } },
      template: template(image),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  };
}

const edit = (patch: JsonObject, writer = 'user'): TestEvent => ({ type: 'update', writer, resource: DEPLOYMENTS, namespace: NS, name: NAME, patch });
const create = (replicas: number, image: string, surge: number | string, unavailable: number | string): TestEvent => ({ type: 'create', writer: 'user', object: deployment(replicas, image, surge, unavailable) });
const reconcile = (rounds: number): TestEvent[] => (rounds > 0 ? [{ type: 'reconcile', rounds }] : []);

/** The user's edits of the Deployment's spec. */
const editPatch: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.integer({ min: 0, max: 6 }).map((replicas) => ({ spec: { replicas } })),
  fc.constantFrom(...IMAGES).map((image) => ({ spec: { template: template(image) } })),
  fc.boolean().map((paused) => ({ spec: { paused } })),
);

/** A Deployment created, then up to `maxLength` edits, pod deletions and controller rounds, then `suffix`. */
function sequences(maxLength: number, suffix: TestEvent[]): fc.Arbitrary<TestEvent[]> {
  const setup = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom(...IMAGES), intOrPercent, intOrPercent);
  const body = eventSequence({
    updates: { targets: [{ resource: DEPLOYMENTS, namespace: NS, name: NAME }], patch: editPatch },
    deletes: { anyOf: [{ resource: 'pods', namespace: NS }] },
    writers: ['user', 'ci'],
    maxRounds: 3,
    maxLength,
  });
  return fc.tuple(setup, body).map(([[replicas, image, surge, unavailable], events]) => [create(replicas, image, surge, unavailable), ...events, ...suffix]);
}

const theDeployment = (view: ClusterView) => view.get(DEPLOYMENTS, NS, NAME);

/** The rolling-update bounds, once the final rollout has begun. */
const withinRollingUpdateBounds: Invariant = (view) => {
  const d = theDeployment(view);
  if (!d) return;
  const spec = d.spec as DeploymentSpec & { template: ReturnType<typeof template> };
  if (spec.template.spec.containers[0]?.image !== FINAL_IMAGE) return;
  const replicas = spec.replicas ?? 1;
  const pods = view.list('pods', NS);
  const available = pods.filter((p) => isPodAvailable(p, 0, view.now)).length;
  assert.ok(pods.length <= replicas + maxSurge(d), `pods ${pods.length} > ${replicas} + maxSurge ${maxSurge(d)}`);
  assert.ok(available >= replicas - maxUnavailable(d), `available ${available} < ${replicas} - maxUnavailable ${maxUnavailable(d)}`);
};

const converged: Invariant = (view) => {
  const d = theDeployment(view);
  assert.ok(d, 'the Deployment exists');
  const spec = d.spec as DeploymentSpec;
  const rss = view.list('replicasets.apps', NS).filter((rs) => controllerRef(rs)?.uid === d.metadata.uid);
  const newest = rss.filter((rs) => equalIgnoreHash((rs.spec as DeploymentSpec).template, spec.template));
  assert.equal(newest.length, 1, 'exactly one ReplicaSet has the Deployment template');
  const hash = newest[0]!.metadata.labels?.[HASH_LABEL];
  for (const rs of rss) if (rs !== newest[0]) assert.equal((rs.spec as DeploymentSpec).replicas, 0, `old ${rs.metadata.name} scaled to 0`);
  const pods = view.list('pods', NS);
  assert.equal(pods.length, spec.replicas, 'pods = replicas');
  const rsUids = new Set(view.list('replicasets.apps', NS).map((rs) => rs.metadata.uid));
  for (const pod of pods) {
    assert.equal(pod.metadata.labels?.[HASH_LABEL], hash, 'pod of the newest template');
    const ref = controllerRef(pod);
    assert.ok(ref && rsUids.has(ref.uid), 'no orphan pod');
    assert.equal((pod.metadata.ownerReferences ?? []).filter((r) => r.kind === 'ReplicaSet').length, 1, 'owned by one ReplicaSet');
  }
};

const resume = edit({ spec: { paused: false } });
const logFile = (name: string) => join(tmpdir(), `jetkube-controllers-converge-${name}-${process.pid}.jklog`);

describe('workload controllers converge', () => {
  it('to the newest template, within the rolling-update bounds', async () => {
    await checkController({
      controllers: workloadControllers,
      // Let the last edit be observed (a scale or new template moves the bounds), reach a
      // complete, steady state, then roll out a new template and check the bounds on it.
      events: sequences(12, [resume, { type: 'settle' }, edit({ spec: { template: template(FINAL_IMAGE) } })]),
      invariants: { 'rolling-update bounds': withinRollingUpdateBounds },
      eventually: { converged },
      maxSettleRounds: 60,
      numRuns: 250,
      logFile: logFile('bounds'),
    });
  });

  it('after any edits, however interrupted', async () => {
    await checkController({
      controllers: workloadControllers,
      events: sequences(15, [resume]),
      eventually: { converged },
      maxSettleRounds: 60,
      numRuns: 400,
      logFile: logFile('any'),
      // Found by this property (both fixed in deployment/rollout.ts scale()): a Deployment
      // paused before its first ReplicaSet crashed the decision; a scale that left the one
      // active RS at the right size kept its stale desired-replicas forever (no more rolling).
      examples: [
        [create(1, 'nginx:1', 0, 0), edit({ spec: { paused: true } }), ...reconcile(1), resume],
        [create(0, 'nginx:2', 0, '50%'), edit({ spec: { replicas: 5 } }), ...reconcile(1), edit({ spec: { template: template('nginx:1') } }), ...reconcile(1), edit({ spec: { replicas: 3 } }), resume],
        [
          create(0, 'nginx:1', '25%', 1),
          edit({ spec: { template: template('nginx:3') } }),
          edit({ spec: { replicas: 2 } }),
          edit({ spec: { paused: false } }),
          ...reconcile(1),
          edit({ spec: { template: template('nginx:1') } }),
          ...reconcile(2),
          edit({ spec: { replicas: 1 } }),
          resume,
        ],
      ],
    });
  });
});
