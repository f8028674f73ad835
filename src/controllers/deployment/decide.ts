/**
 * The Deployment controller's decision (Kubernetes' syncDeployment), pure: given a
 * Deployment, the ReplicaSets of its namespace, the pods of its namespace (read by
 * Recreate only) and the time, which writes converge it?
 *  - first it claims ReplicaSets (ClaimReplicaSets): orphans its selector matches are
 *    adopted, owned ones it no longer matches released; while a claim is pending that
 *    is the whole decision (the ReplicaSet's update event brings the next sync);
 *  - its ReplicaSets are those it controls; the new one is the oldest whose template
 *    equals the Deployment's ignoring pod-template-hash (so an old one becomes new again
 *    on a rollback, with the next revision), else one created as `<name>-<hash>`;
 *  - a Deployment being deleted only gets its status; a paused one, or a change of
 *    replicas only, is scaled (proportionally) without rolling; otherwise the strategy
 *    (RollingUpdate or Recreate) takes one step;
 *  - status: counts, Available, and Progressing (created, found, updated, complete,
 *    paused, resumed, deadline exceeded), with a requeue at the progress deadline;
 *    rolling out, a ReplicaSet's ReplicaFailure is copied (and removed with it).
 * One write per changed object: create/update/delete ReplicaSet (updates pinned to the
 * resourceVersion seen), the Deployment's revision annotation, its status.
 */
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorMatches, type LabelSelector } from '../../api/selectors.ts';
import { controllerRef, newControllerRef } from '../runtime/owner.ts';
import { Plan, type DeploymentAction } from './plan.ts';
import { cleanupHistory, isScalingEvent, rolloutRecreate, rolloutRolling, scale } from './rollout.ts';
import {
  calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut, getCondition, hasProgressDeadline, msUntilDeadline,
  newCondition, normalizeStatus, REASON, removeCondition, replicaFailureCondition, setCondition, statusEqual, type DeploymentStatus,
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
  if (!d.metadata.deletionTimestamp) {
    const claims = claimReplicaSets(d, selector, replicaSets);
    if (claims.length > 0) return { actions: claims };
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

/** Adopt matching orphans (not being deleted); release owned ReplicaSets the selector no longer matches. */
function claimReplicaSets(d: KubeObject, selector: LabelSelector, replicaSets: readonly KubeObject[]): DeploymentAction[] {
  const actions: DeploymentAction[] = [];
  for (const rs of replicaSets) {
    const refs = rs.metadata.ownerReferences ?? [];
    const ref = controllerRef(rs);
    const matches = labelSelectorMatches(selector, rs.metadata.labels);
    if (!ref && matches && !rs.metadata.deletionTimestamp) {
      actions.push({ type: 'adoptReplicaSet', rs, ownerReferences: [...refs, newControllerRef(d)] });
    } else if (ref?.uid === d.metadata.uid && !matches) {
      actions.push({ type: 'releaseReplicaSet', rs, ownerReferences: refs.filter((r) => r.uid !== d.metadata.uid) });
    }
  }
  return actions;
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
    const failure = replicaFailureCondition(plan.all(), newRS);
    if (failure) setCondition(status, failure);
    else removeCondition(status, 'ReplicaFailure');
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
