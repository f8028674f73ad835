import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { decideDeployment, type DeploymentAction, type DeploymentStatus } from '../../src/controllers/deployment/decide.ts';
import { computeHash } from '../../src/controllers/deployment/hash.ts';
import { resolveFenceposts } from '../../src/controllers/deployment/util.ts';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const REV = 'deployment.kubernetes.io/revision';

interface DeployOptions {
  replicas?: number;
  image?: string;
  strategy?: Record<string, unknown>;
  status?: DeploymentStatus;
  annotations?: Record<string, string>;
  paused?: boolean;
  revisionHistoryLimit?: number;
  generation?: number;
}
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });
const deploy = (o: DeployOptions = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: o.generation ?? 1, resourceVersion: '7', ...(o.annotations ? { annotations: o.annotations } : {}) },
  spec: {
    replicas: o.replicas ?? 3,
    selector: { matchLabels: { app: 'web' } },
    template: template(o.image ?? 'nginx:1'),
    strategy: o.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
    progressDeadlineSeconds: 600,
    ...(o.paused ? { paused: true } : {}),
  },
  ...(o.status ? { status: o.status } : {}),
});

const ofType = <T extends DeploymentAction['type']>(actions: DeploymentAction[], type: T) =>
  actions.filter((a): a is Extract<DeploymentAction, { type: T }> => a.type === type);
const created = (actions: DeploymentAction[]) => ofType(actions, 'createReplicaSet').map((a) => a.rs);
const scaled = (actions: DeploymentAction[]) =>
  Object.fromEntries(ofType(actions, 'updateReplicaSet').map((a) => [a.rs.metadata.name, (a.rs.spec as { replicas: number }).replicas]));
const statusOf = (actions: DeploymentAction[]) => ofType(actions, 'updateStatus')[0]?.status;
const cond = (s: DeploymentStatus | undefined, type: string) => s?.conditions?.find((c) => c.type === type);

let seq = 0;
/** The RS the decision would create for this deployment, as the API server would store it, with a status. */
function rsOf(d: KubeObject, o: { replicas: number; available?: number; ready?: number; revision: number; minutesAgo?: number; statusReplicas?: number }): KubeObject {
  const [rs] = created(decideDeployment({ ...d, status: {} }, [], [], NOW).actions);
  assert.ok(rs, 'a template makes an RS');
  seq++;
  return {
    ...rs,
    metadata: {
      ...rs.metadata,
      uid: `rs-${seq}`,
      resourceVersion: String(seq),
      generation: 1,
      creationTimestamp: at(o.minutesAgo ?? 60 - seq),
      annotations: { ...rs.metadata.annotations, [REV]: String(o.revision), 'deployment.kubernetes.io/desired-replicas': String((d.spec as { replicas: number }).replicas) },
    },
    spec: { ...(rs.spec as object), replicas: o.replicas },
    status: { replicas: o.statusReplicas ?? o.replicas, readyReplicas: o.ready ?? o.available ?? o.replicas, availableReplicas: o.available ?? o.replicas, observedGeneration: 1 },
  };
}

describe('pod-template-hash', () => {
  it('is stable under key order, moves with the template and with the collision count', () => {
    const a = { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
    const b = { spec: { containers: [{ image: 'nginx:1', name: 'c' }] }, metadata: { labels: { tier: 'x', app: 'web' } } };
    assert.equal(computeHash(a), computeHash(b));
    assert.notEqual(computeHash(a), computeHash(template('nginx:2')));
    assert.notEqual(computeHash(a, 1), computeHash(a));
    assert.notEqual(computeHash(a, 1), computeHash(a, 2));
    assert.match(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });
});

describe('maxSurge and maxUnavailable', () => {
  const fence = (replicas: number, maxSurge: number | string, maxUnavailable: number | string) =>
    resolveFenceposts(deploy({ replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } }));
  it('rounds surge up and unavailable down', () => {
    assert.deepEqual(fence(10, '25%', '25%'), { maxSurge: 3, maxUnavailable: 2 });
    assert.deepEqual(fence(3, '25%', '25%'), { maxSurge: 1, maxUnavailable: 0 });
    assert.deepEqual(fence(4, 2, '50%'), { maxSurge: 2, maxUnavailable: 2 });
  });
  it('never lets both be 0', () => {
    assert.deepEqual(fence(3, 0, '10%'), { maxSurge: 0, maxUnavailable: 1 });
    assert.deepEqual(fence(5, '0%', 0), { maxSurge: 0, maxUnavailable: 1 });
  });
});

describe('decideDeployment', () => {
  it('given no ReplicaSet, then it creates <name>-<hash> with the hash label, controller ref, revision 1 and the replica annotations', () => {
    const d = deploy({ replicas: 3 });
    const { actions } = decideDeployment(d, [], [], NOW);
    const [rs] = created(actions);
    const hash = computeHash((d.spec as { template: unknown }).template);
    assert.equal(rs!.metadata.name, `web-${hash}`);
    assert.deepEqual(rs!.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    const spec = rs!.spec as { replicas: number; selector: unknown; template: { metadata: { labels: unknown } } };
    assert.deepEqual(spec.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.deepEqual(spec.template.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(spec.replicas, 3);
    assert.deepEqual(rs!.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(rs!.metadata.annotations, {
      [REV]: '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    assert.deepEqual(ofType(actions, 'updateDeployment')[0]?.annotations, { [REV]: '1' });
    const progressing = cond(statusOf(actions), 'Progressing');
    assert.equal(progressing?.reason, 'NewReplicaSetCreated');
    assert.equal(progressing?.message, `Created new replica set "web-${hash}"`);
  });

  it('given a ReplicaSet of that name with another template, then collisionCount moves and nothing is created', () => {
    const d = deploy();
    const squatter: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `web-${computeHash((d.spec as { template: unknown }).template)}`, namespace: 'ns', uid: 'other' }, spec: { template: template('other') } };
    const { actions } = decideDeployment(d, [squatter], [], NOW);
    assert.equal(created(actions).length, 0);
    assert.equal(statusOf(actions)?.collisionCount, 1);
    const next = decideDeployment({ ...d, status: { collisionCount: 1 } }, [squatter], [], NOW);
    assert.equal(created(next.actions)[0]!.metadata.name, `web-${computeHash((d.spec as { template: unknown }).template, 1)}`);
  });

  it('given a new image, when rolling with maxSurge 1 and maxUnavailable 1, then the new RS starts at 1, then old ones go down as availability allows', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
    const old = rsOf(deploy({ replicas: 4, strategy }), { replicas: 4, revision: 1 });
    const d = deploy({ replicas: 4, strategy, image: 'nginx:2', generation: 2, status: { observedGeneration: 1, replicas: 4, updatedReplicas: 4, availableReplicas: 4 } });
    const step1 = decideDeployment(d, [old], [], NOW);
    const [fresh] = created(step1.actions);
    assert.equal((fresh!.spec as { replicas: number }).replicas, 1, 'surge: 4 + 1 in total');
    assert.equal(fresh!.metadata.annotations?.[REV], '2');
    assert.deepEqual(scaled(step1.actions), { [old.metadata.name!]: 3 }, 'one unavailable allowed: the old RS goes to 3 at once');

    // The new RS exists (1 replica, not available), the old one is at 4: surge is used up, one old may go.
    const newRS = rsOf(d, { replicas: 1, available: 0, revision: 2 });
    assert.deepEqual(scaled(decideDeployment(d, [old, newRS], [], NOW).actions), { [old.metadata.name!]: 3 });
    // Old at 3, new at 1 not available: 4 in total, 3 available = the minimum: scale new up to the surge.
    const old3 = { ...old, spec: { ...(old.spec as object), replicas: 3 }, status: { replicas: 3, availableReplicas: 3 } };
    assert.deepEqual(scaled(decideDeployment(d, [old3, newRS], [], NOW).actions), { [newRS.metadata.name!]: 2 });
    // New at 2 not available, old at 3: nothing may move.
    const newRS2 = { ...newRS, spec: { ...(newRS.spec as object), replicas: 2 } };
    assert.deepEqual(scaled(decideDeployment(d, [old3, newRS2], [], NOW).actions), {});
  });

  it('given old replicas that are not available, then those go first, beyond what availability would allow', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
    const old = rsOf(deploy({ replicas: 4, strategy }), { replicas: 4, available: 2, revision: 1 });
    const d = deploy({ replicas: 4, strategy, image: 'nginx:2' });
    const newRS = rsOf(d, { replicas: 0, revision: 2 });
    // total 4, minAvailable 3, the new one has none unavailable: 1 may go, and it is an unhealthy one.
    assert.deepEqual(scaled(decideDeployment(d, [old, newRS], [], NOW).actions), { [old.metadata.name!]: 3 });
  });

  it('given Recreate, then old RSs go to 0 first, the new RS waits for their pods, then takes all replicas', () => {
    const strategy = { type: 'Recreate' };
    const old = rsOf(deploy({ strategy }), { replicas: 3, revision: 1 });
    const d = deploy({ strategy, image: 'nginx:2' });
    const step1 = decideDeployment(d, [old], [], NOW);
    assert.deepEqual(scaled(step1.actions), { [old.metadata.name!]: 0 });
    assert.equal(created(step1.actions).length, 0);

    const draining = { ...old, spec: { ...(old.spec as object), replicas: 0 }, status: { replicas: 2 } };
    assert.equal(created(decideDeployment(d, [draining], [], NOW).actions).length, 0, 'status still counts pods');
    const idle = { ...draining, status: { replicas: 0 } };
    const lingering: KubeObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: old.metadata.name!, uid: old.metadata.uid!, controller: true }] },
      status: { phase: 'Running' },
    };
    assert.equal(created(decideDeployment(d, [idle], [lingering], NOW).actions).length, 0, 'a pod of the old RS is still there');
    const done = { ...lingering, status: { phase: 'Succeeded' } };
    const [fresh] = created(decideDeployment(d, [idle], [done], NOW).actions);
    assert.equal((fresh!.spec as { replicas: number }).replicas, 3);
  });

  it('given more idle old RSs than revisionHistoryLimit once complete, then the lowest revisions are deleted', () => {
    const d = deploy({ replicas: 2, image: 'nginx:4', revisionHistoryLimit: 1, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 } });
    const olds = [1, 2, 3].map((revision) => rsOf(deploy({ image: `nginx:${revision}` }), { replicas: 0, revision }));
    const current = rsOf(d, { replicas: 2, revision: 4 });
    const { actions } = decideDeployment(d, [olds[2]!, current, olds[0]!, olds[1]!], [], NOW);
    assert.deepEqual(ofType(actions, 'deleteReplicaSet').map((a) => a.rs.metadata.annotations?.[REV]).sort(), ['1', '2']);
  });

  it('given the template of an old RS again (rollout undo), then that RS becomes new with the next revision and the Deployment follows', () => {
    const v1 = rsOf(deploy({ image: 'nginx:1' }), { replicas: 0, revision: 1 });
    const v2 = rsOf(deploy({ image: 'nginx:2' }), { replicas: 3, revision: 2 });
    const d = deploy({ image: 'nginx:1', generation: 3, annotations: { [REV]: '2' } });
    const { actions } = decideDeployment(d, [v1, v2], [], NOW);
    assert.equal(created(actions).length, 0);
    const update = ofType(actions, 'updateReplicaSet').find((a) => a.rs.metadata.name === v1.metadata.name)!;
    assert.equal(update.rs.metadata.annotations?.[REV], '3');
    assert.equal(update.rs.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal((update.rs.spec as { replicas: number }).replicas, 1, '3 + 25% surge (1) - 3 running');
    assert.deepEqual(ofType(actions, 'updateDeployment')[0]?.annotations, { [REV]: '3' });
  });

  it('given all replicas updated and available, then Available and Progressing NewReplicaSetAvailable', () => {
    const d = deploy({ replicas: 2, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 1 }, annotations: { [REV]: '1' } });
    const current = rsOf(d, { replicas: 2, revision: 1 });
    const s = statusOf(decideDeployment(d, [current], [], NOW).actions)!;
    assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: undefined });
    assert.deepEqual(cond(s, 'Available'), { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: at(0), lastTransitionTime: at(0) });
    assert.equal(cond(s, 'Progressing')?.reason, 'NewReplicaSetAvailable');
    assert.equal(cond(s, 'Progressing')?.message, `ReplicaSet "${current.metadata.name}" has successfully progressed.`);
  });

  it('given too few available replicas, then Available is False with MinimumReplicasUnavailable and unavailableReplicas counts them', () => {
    const d = deploy({ replicas: 4, annotations: { [REV]: '1' } });
    const s = statusOf(decideDeployment(d, [rsOf(d, { replicas: 4, available: 1, revision: 1 })], [], NOW).actions)!;
    assert.equal(cond(s, 'Available')?.status, 'False');
    assert.equal(cond(s, 'Available')?.reason, 'MinimumReplicasUnavailable');
    assert.equal(s.unavailableReplicas, 3);
  });

  it('given no progress for longer than progressDeadlineSeconds, then ProgressDeadlineExceeded; before it, a requeue at the deadline', () => {
    const counts = { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1 };
    const progressing = (minutesAgo: number) => ({ type: 'Progressing' as const, status: 'True' as const, reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: at(minutesAgo), lastTransitionTime: at(minutesAgo) });
    const stuck = deploy({ annotations: { [REV]: '1' }, status: { ...counts, conditions: [progressing(11)] } });
    const rs = rsOf(stuck, { replicas: 3, available: 1, revision: 1 });
    const s = statusOf(decideDeployment(stuck, [rs], [], NOW).actions)!;
    assert.deepEqual({ ...cond(s, 'Progressing'), lastUpdateTime: undefined, lastTransitionTime: undefined }, {
      type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.`, lastUpdateTime: undefined, lastTransitionTime: undefined,
    });
    const young = deploy({ annotations: { [REV]: '1' }, status: { ...counts, conditions: [progressing(4)] } });
    assert.equal(decideDeployment(young, [rs], [], NOW).requeueAfterMs, 6 * 60_000 + 1000);
  });

  it('given progress, then Progressing ReplicaSetUpdated with a fresh lastUpdateTime and the old transition time', () => {
    const d = deploy({ annotations: { [REV]: '1' }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 1, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: 'x', lastUpdateTime: at(5), lastTransitionTime: at(5) }] } });
    const c = cond(statusOf(decideDeployment(d, [rsOf(d, { replicas: 3, available: 2, revision: 1 })], [], NOW).actions), 'Progressing')!;
    assert.equal(c.reason, 'ReplicaSetUpdated');
    assert.equal(c.lastUpdateTime, at(0));
    assert.equal(c.lastTransitionTime, at(5));
  });

  it('given paused, then a new template rolls nothing, the condition says paused, and a scale goes to the current RS', () => {
    const current = rsOf(deploy(), { replicas: 3, revision: 1 });
    const d = deploy({ paused: true, image: 'nginx:2', replicas: 5, annotations: { [REV]: '1' } });
    const { actions } = decideDeployment(d, [current], [], NOW);
    assert.equal(created(actions).length, 0);
    assert.deepEqual(scaled(actions), { [current.metadata.name!]: 5 });
    const c = cond(statusOf(actions), 'Progressing')!;
    assert.deepEqual([c.status, c.reason, c.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);

    const resumed = deploy({ image: 'nginx:2', annotations: { [REV]: '1' }, status: { conditions: [c] } });
    const after = decideDeployment(resumed, [current], [], NOW).actions;
    assert.equal(created(after).length, 1);
    const progressing = cond(statusOf(after), 'Progressing')!;
    assert.equal(progressing.status, 'True', 'rolling again: no longer paused');
    assert.notEqual(progressing.reason, 'DeploymentPaused');
  });

  it('given a resume of a complete Deployment, then Progressing leaves DeploymentPaused (the step merges Resumed into NewReplicaSetAvailable)', () => {
    const current = rsOf(deploy(), { replicas: 3, revision: 1 });
    const paused = { type: 'Progressing' as const, status: 'Unknown' as const, reason: 'DeploymentPaused', message: 'Deployment is paused', lastUpdateTime: at(1), lastTransitionTime: at(1) };
    const d = deploy({ annotations: { [REV]: '1' }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3, conditions: [paused] } });
    const c = cond(statusOf(decideDeployment(d, [current], [], NOW).actions), 'Progressing')!;
    assert.deepEqual([c.status, c.reason], ['True', 'NewReplicaSetAvailable']);
  });

  it('given a scale mid-rollout, then both active RSs grow in proportion', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };
    const oldD = deploy({ replicas: 10, strategy });
    const old = rsOf(oldD, { replicas: 8, revision: 1 });
    const newD = deploy({ replicas: 10, strategy, image: 'nginx:2' });
    const newRS = rsOf(newD, { replicas: 5, available: 0, revision: 2 });
    for (const rs of [old, newRS]) rs.metadata.annotations = { ...rs.metadata.annotations, 'deployment.kubernetes.io/max-replicas': '13' };
    const d = deploy({ replicas: 20, strategy, image: 'nginx:2', annotations: { [REV]: '2' }, status: { replicas: 13 } });
    const sizes = scaled(decideDeployment(d, [old, newRS], [], NOW).actions);
    // 23 allowed, 13 running: +10 shared 8:5 of a 13 base → old +6 (round 8*23/13=14), new +4 (leftover).
    assert.equal(sizes[old.metadata.name!]! + sizes[newRS.metadata.name!]!, 23);
    assert.equal(sizes[old.metadata.name!], 14);
  });

  it('given a Deployment being deleted, then only its status is written', () => {
    const d = { ...deploy(), metadata: { ...deploy().metadata, deletionTimestamp: at(0) } };
    const { actions } = decideDeployment(d, [], [], NOW);
    assert.deepEqual(actions.map((a) => a.type), ['updateStatus']);
  });
});

describe('a rolling update, simulated with pods ready at once', () => {
  /** Applies each decision as the API server and an instant kubelet would, until nothing changes. */
  function rollOut(replicas: number, maxSurge: number | string, maxUnavailable: number | string) {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } };
    let rss = [rsOf(deploy({ replicas, strategy }), { replicas, revision: 1 })];
    let d = deploy({ replicas, strategy, image: 'nginx:2', annotations: { [REV]: '1' } });
    const { maxSurge: surge, maxUnavailable: unavailable } = resolveFenceposts(d);
    const withStatus = (rs: KubeObject): KubeObject => {
      const n = (rs.spec as { replicas: number }).replicas;
      return { ...rs, status: { replicas: n, readyReplicas: n, availableReplicas: n, observedGeneration: 1 } };
    };
    for (let step = 0; step < 100; step++) {
      const { actions } = decideDeployment(d, rss, [], NOW + step * 1000);
      if (actions.length === 0) return { rss, steps: step };
      for (const a of actions) {
        if (a.type === 'createReplicaSet') rss.push({ ...a.rs, metadata: { ...a.rs.metadata, uid: `new-${step}`, creationTimestamp: at(-step) } });
        if (a.type === 'updateReplicaSet') rss = rss.map((rs) => (rs.metadata.name === a.rs.metadata.name ? a.rs : rs));
        if (a.type === 'deleteReplicaSet') rss = rss.filter((rs) => rs.metadata.name !== a.rs.metadata.name);
        if (a.type === 'updateStatus') d = { ...d, status: a.status };
        if (a.type === 'updateDeployment') d = { ...d, metadata: { ...d.metadata, annotations: a.annotations } };
      }
      const total = rss.reduce((n, rs) => n + (rs.spec as { replicas: number }).replicas, 0);
      assert.ok(total <= replicas + surge, `step ${step}: ${total} pods wanted, more than ${replicas} + ${surge}`);
      // Available before the new pods come up: what was available and is still wanted.
      const stillAvailable = rss.reduce((n, rs) => n + Math.min((rs.spec as { replicas: number }).replicas, (rs.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0), 0);
      assert.ok(stillAvailable >= Math.min(replicas - unavailable, replicas), `step ${step}: ${stillAvailable} available, fewer than ${replicas} - ${unavailable}`);
      rss = rss.map(withStatus);
    }
    assert.fail('did not converge in 100 steps');
  }

  for (const [replicas, surge, unavailable] of [[4, 1, 1], [10, '25%', '25%'], [3, 0, 1], [5, '100%', 0], [1, '25%', '25%'], [7, '30%', '10%']] as const) {
    it(`replicas ${replicas}, maxSurge ${surge}, maxUnavailable ${unavailable}: within bounds at every step, ends with all on the new RS`, () => {
      const { rss } = rollOut(replicas, surge, unavailable);
      const sizes = rss.map((rs) => [rs.metadata.annotations?.[REV], (rs.spec as { replicas: number }).replicas]);
      assert.deepEqual(sizes.sort(), [['1', 0], ['2', replicas]]);
    });
  }
});

describe('decideDeployment: ReplicaFailure', () => {
  const failing = (rs: KubeObject): KubeObject => ({
    ...rs,
    status: { ...(rs.status as object), conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota', lastTransitionTime: at(5) }] },
  });
  it('given its ReplicaSet reports ReplicaFailure, then the Deployment carries it; once gone, it is removed', () => {
    const d = deploy({ replicas: 3 });
    const rs = failing(rsOf(d, { replicas: 3, revision: 1 }));
    const withFailure = d.metadata.annotations ? d : { ...d, metadata: { ...d.metadata, annotations: { [REV]: '1' } } };
    const status = statusOf(decideDeployment(withFailure, [rs], [], NOW).actions);
    assert.deepEqual(cond(status, 'ReplicaFailure'), {
      type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota', lastUpdateTime: at(5), lastTransitionTime: at(5),
    });
    const healed = { ...rs, status: { ...(rs.status as object), conditions: [] } };
    const after = statusOf(decideDeployment({ ...withFailure, status }, [healed], [], NOW).actions);
    assert.equal(cond(after, 'ReplicaFailure'), undefined);
    assert.ok(after, 'the removal is a status write');
  });
});

describe('decideDeployment: claiming ReplicaSets', () => {
  const orphan = (d: KubeObject, labels: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject => {
    const rs = rsOf(d, { replicas: 1, revision: 1 });
    return { ...rs, metadata: { ...rs.metadata, name: `stray-${seq}`, labels, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' }], ...extra } };
  };
  it('given an orphan whose labels match, then it is adopted, pinned to its resourceVersion, and nothing else is done yet', () => {
    const d = deploy();
    const rs = orphan(d, { app: 'web' });
    const { actions } = decideDeployment(d, [rs], [], NOW);
    assert.deepEqual(actions.map((a) => a.type), ['adoptReplicaSet']);
    const [adopt] = ofType(actions, 'adoptReplicaSet');
    assert.equal(adopt!.rs.metadata.resourceVersion, rs.metadata.resourceVersion);
    assert.deepEqual(adopt!.ownerReferences, [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true },
    ]);
  });
  it('given an orphan that does not match, being deleted, or controlled by another, then it is left alone', () => {
    const d = deploy();
    const others = [
      orphan(d, { app: 'db' }),
      orphan(d, { app: 'web' }, { deletionTimestamp: at(1) }),
      orphan(d, { app: 'web' }, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'other', uid: 'other', controller: true }] }),
    ];
    const { actions } = decideDeployment(d, others, [], NOW);
    assert.equal(ofType(actions, 'adoptReplicaSet').length + ofType(actions, 'releaseReplicaSet').length, 0);
  });
  it('given an owned ReplicaSet whose labels stop matching, then it is released (its other refs kept)', () => {
    const d = deploy();
    const rs = rsOf(d, { replicas: 1, revision: 1 });
    const moved = { ...rs, metadata: { ...rs.metadata, labels: { app: 'elsewhere' }, ownerReferences: [...rs.metadata.ownerReferences!, { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' }] } };
    const { actions } = decideDeployment(d, [moved], [], NOW);
    assert.deepEqual(actions.map((a) => a.type), ['releaseReplicaSet']);
    assert.deepEqual(ofType(actions, 'releaseReplicaSet')[0]!.ownerReferences, [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' }]);
  });
  it('given a Deployment being deleted, then it neither adopts nor releases', () => {
    const d = { ...deploy(), metadata: { ...deploy().metadata, deletionTimestamp: at(1) } };
    const { actions } = decideDeployment(d, [orphan(deploy(), { app: 'web' })], [], NOW);
    assert.equal(ofType(actions, 'adoptReplicaSet').length, 0);
  });
});
