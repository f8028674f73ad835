/**
 * The Deployment controller's decision (Kubernetes' syncDeployment), pure: given a
 * Deployment, the ReplicaSets of its namespace, the pods of its namespace (read by
 * Recreate only) and the time, which writes converge it?
 *  - its ReplicaSets are those it controls; the new one is the oldest whose template
 *    equals the Deployment's ignoring pod-template-hash (so an old one becomes new again
 *    on a rollback, with the next revision), else one created as `<name>-<hash>`;
 *  - a Deployment being deleted only gets its status; a paused one, or a change of
 *    replicas only, is scaled (proportionally) without rolling; otherwise the strategy
 *    (RollingUpdate or Recreate) takes one step;
 *  - status: counts, Available, and Progressing (created, found, updated, complete,
 *    paused, resumed, deadline exceeded), with a requeue at the progress deadline.
 * One write per changed object: create/update/delete ReplicaSet (updates pinned to the
 * resourceVersion seen), the Deployment's revision annotation, its status.
 */
import type { KubeObject } from '../../api/object.ts';
import { controllerRef } from '../runtime/owner.ts';
import { Plan, type DeploymentAction } from './plan.ts';
import { cleanupHistory, isScalingEvent, rolloutRecreate, rolloutRolling, scale } from './rollout.ts';
import {
  calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut, getCondition, hasProgressDeadline, msUntilDeadline,
  newCondition, normalizeStatus, REASON, removeCondition, setCondition, statusEqual, type DeploymentStatus,
} from './status.ts';
import { deploymentSpec, isRollingUpdate } from './util.ts';

export type { DeploymentAction } from './plan.ts';
export type { DeploymentStatus } from './status.ts';

export interface DeploymentDecision {
  actions: DeploymentAction[];
  /** Look again then: the progress deadline falls due. */
  requeueAfterMs?: number;
}

export function decideDeployment(d: KubeObject, replicaSets: readonly KubeObject[], pods: readonly KubeObject[], now: number): DeploymentDecision {
  const spec = deploymentSpec(d);
  const selector = spec.selector;
  if (!selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) {
    // Selecting everything is refused: only the generation is acknowledged.
    const status = { ...((d.status ?? {}) as DeploymentStatus), observedGeneration: d.metadata.generation };
    return { actions: statusAction(d, status) };
  }
  const owned = replicaSets.filter((rs) => controllerRef(rs)?.uid === d.metadata.uid);
  const plan = new Plan(d, owned, replicaSets, now);

  if (d.metadata.deletionTimestamp) {
    plan.syncRevision();
    return finish(plan, false);
  }
  checkPausedConditions(plan);
  plan.syncRevision();
  if (spec.paused || isScalingEvent(plan)) {
    scale(plan);
    if (spec.paused) cleanupHistory(plan);
    return finish(plan, false);
  }
  if (isRollingUpdate(d)) rolloutRolling(plan);
  else rolloutRecreate(plan, pods);
  if (plan.collided) return { actions: [...plan.actions(), ...statusAction(d, plan.status)] };
  return finish(plan, true);
}

/** Paused and resumed are Progressing conditions of status Unknown (not once timed out). */
function checkPausedConditions(plan: Plan): void {
  if (!hasProgressDeadline(plan.d)) return;
  const cond = getCondition(plan.status, 'Progressing');
  if (cond?.reason === REASON.ProgressDeadlineExceeded) return;
  const pausedCond = cond?.reason === REASON.DeploymentPaused;
  const paused = !!deploymentSpec(plan.d).paused;
  if (paused && !pausedCond) setCondition(plan.status, newCondition('Progressing', 'Unknown', REASON.DeploymentPaused, 'Deployment is paused', plan.now));
  else if (!paused && pausedCond) setCondition(plan.status, newCondition('Progressing', 'Unknown', REASON.DeploymentResumed, 'Deployment is resumed', plan.now));
}

/** syncDeploymentStatus, or (rolling out) syncRolloutStatus with the Progressing condition and its deadline. */
function finish(plan: Plan, rollingOut: boolean): DeploymentDecision {
  const { d, now } = plan;
  const newRS = plan.newRS();
  const status = calculateStatus(d, plan.status, plan.all(), newRS, now);
  let requeueAfterMs: number | undefined;
  if (rollingOut) {
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = getCondition(status, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && current?.reason === REASON.NewReplicaSetAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const name = newRS?.metadata.name;
      if (deploymentComplete(d, status)) {
        setCondition(status, newCondition('Progressing', 'True', REASON.NewReplicaSetAvailable, `ReplicaSet "${name}" has successfully progressed.`, now));
      } else if (deploymentProgressing(d, status)) {
        // Progress moves lastUpdateTime even with the same reason; the transition time stays while True.
        const next = newCondition('Progressing', 'True', REASON.ReplicaSetUpdated, `ReplicaSet "${name}" is progressing.`, now);
        if (current?.status === 'True') next.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
        setCondition(status, next);
      } else if (deploymentTimedOut(d, status, now)) {
        setCondition(status, newCondition('Progressing', 'False', REASON.ProgressDeadlineExceeded, `ReplicaSet "${name}" has timed out progressing.`, now));
      }
    }
    if (!deploymentComplete(d, status)) {
      const left = msUntilDeadline(d, status, now);
      if (left !== undefined) requeueAfterMs = left + 1000;
    }
  }
  const actions = [...plan.actions(), ...statusAction(d, status)];
  return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
}

function statusAction(d: KubeObject, status: DeploymentStatus): DeploymentAction[] {
  return statusEqual((d.status ?? {}) as DeploymentStatus, status) ? [] : [{ type: 'updateStatus', status: normalizeStatus(status) }];
}
