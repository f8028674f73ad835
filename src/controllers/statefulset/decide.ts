/**
 * The StatefulSet controller's decision (Kubernetes' StatefulSetControl.UpdateStatefulSet,
 * 1.32), pure: given a StatefulSet, the pods, ControllerRevisions and claims of its
 * namespace, and the time, which writes converge it?
 *  1. history: the update revision is the revision of the current template (created or
 *     renumbered first); the current revision is status.currentRevision's (or the
 *     update one at first); a hash collision only bumps status.collisionCount;
 *  2. claim pods: adopt orphans named `<set>-<i>` that the selector matches, release
 *     owned pods it no longer matches;
 *  3. replicas (ordinals start..start+replicas-1) in ascending order: a failed or
 *     succeeded pod is deleted (and made again later); a missing one gets its claims,
 *     then is created from the current revision below the partition and the update
 *     revision above it (a claim still owned by a pod that is gone is waited out: the
 *     garbage collector deletes it); under OrderedReady the walk stops at a pod just
 *     created, a terminating pod, or one not Running and Ready (and available) yet, so
 *     pod i+1 is only ever created once 0..i are Running and Ready;
 *  4. condemned pods (ordinals beyond the range), highest first: their claims get the
 *     owners the retention policy asks for, then they are deleted (OrderedReady: one
 *     at a time, and only once the others are healthy);
 *  5. RollingUpdate: the highest ordinal at or above the partition not at the update
 *     revision is deleted (it comes back at the update revision), after every pod above
 *     it is healthy; OnDelete leaves pods alone;
 *  6. status and history truncation (revisions no pod uses beyond revisionHistoryLimit).
 * A set being deleted only gets its status.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { labelSelectorMatches } from '../../api/selectors.ts';
import { planRevisions, type RevisionWrite } from '../history/plan-revisions.ts';
import { applyRevision, ownedRevisions, revisionsToTruncate } from '../history/revision.ts';
import { controllerRef, newControllerRef } from '../runtime/owner.ts';
import {
  claimOwnerRefs, claimsFor, identityLabelsMissing, isFailedOrSucceeded, isHealthy, isMemberOf, isRunningAndAvailable, isRunningAndReady,
  isTerminating, newStatefulSetPod, ordinalOf, podName, podRevision, sameOwnerRefs, setSpec, startOrdinal,
} from './identity.ts';
import { computeStatus, statusChanged, type StatefulSetStatus } from './status.ts';

export type StatefulSetAction =
  | RevisionWrite
  | { type: 'deleteRevision'; revision: KubeObject }
  | { type: 'adoptPod'; pod: KubeObject; ownerReferences: OwnerReference[] }
  | { type: 'releasePod'; pod: KubeObject; ownerReferences: OwnerReference[] }
  | { type: 'createClaim'; claim: KubeObject; podName: string }
  | { type: 'setClaimOwners'; claim: KubeObject; ownerReferences: OwnerReference[] }
  | { type: 'createPod'; pod: KubeObject; ordinal: number }
  | { type: 'deletePod'; pod: KubeObject; reason: 'failed' | 'condemned' | 'update' }
  | { type: 'labelPod'; pod: KubeObject; labels: Record<string, string> }
  | { type: 'updateStatus'; status: StatefulSetStatus };

export interface StatefulSetDecision {
  actions: StatefulSetAction[];
  /** Look again then: a ready pod becomes available once minReadySeconds pass. */
  requeueAfterMs?: number;
}

export interface NamespaceView {
  pods: readonly KubeObject[];
  revisions: readonly KubeObject[];
  claims: readonly KubeObject[];
}

export function decideStatefulSet(set: KubeObject, view: NamespaceView, now: number): StatefulSetDecision {
  const spec = setSpec(set);
  const status = (set.status ?? {}) as StatefulSetStatus;
  const actions: StatefulSetAction[] = [];
  const collisionCount = status.collisionCount ?? 0;

  // 1. history
  const owned = ownedRevisions(set, view.revisions);
  const plan = planRevisions(set, owned, view.revisions, collisionCount);
  if (plan.collided) return { actions: [{ type: 'updateStatus', status: { ...status, collisionCount: collisionCount + 1 } }] };
  // A set on its way out gets no new objects: the garbage collector would only remove them.
  if (plan.write && !set.metadata.deletionTimestamp) actions.push(plan.write);
  const updateRevision = plan.update;
  const currentRevision = owned.find((r) => r.metadata.name === status.currentRevision) ?? updateRevision;
  const currentSet = applyRevision(set, currentRevision);
  const updateSet = applyRevision(set, updateRevision);

  // 2. claim pods
  const claimed: KubeObject[] = [];
  const matches = (pod: KubeObject) => !!spec.selector && labelSelectorMatches(spec.selector, pod.metadata.labels);
  for (const pod of view.pods) {
    const ref = controllerRef(pod);
    if (ref) {
      if (ref.uid !== set.metadata.uid) continue;
      if (matches(pod) && isMemberOf(set, pod)) claimed.push(pod);
      else if (!set.metadata.deletionTimestamp) actions.push({ type: 'releasePod', pod, ownerReferences: (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid) });
    } else if (matches(pod) && isMemberOf(set, pod) && !isTerminating(pod) && !set.metadata.deletionTimestamp) {
      actions.push({ type: 'adoptPod', pod, ownerReferences: [...(pod.metadata.ownerReferences ?? []), newControllerRef(set)] });
      claimed.push(pod);
    }
  }

  const minReadySeconds = spec.minReadySeconds ?? 0;
  const next = computeStatus(set, claimed, currentRevision.metadata.name!, updateRevision.metadata.name!, collisionCount, minReadySeconds, now);
  const finish = (): StatefulSetDecision => {
    if (statusChanged(status, next)) actions.push({ type: 'updateStatus', status: next });
    const waiting = minReadySeconds > 0 && claimed.some((p) => isRunningAndReady(p) && !isRunningAndAvailable(p, minReadySeconds, now));
    return waiting ? { actions, requeueAfterMs: 1000 } : { actions };
  };
  if (set.metadata.deletionTimestamp) return finish();

  // 3. replicas and condemned pods
  const start = startOrdinal(set);
  const replicaCount = spec.replicas ?? 1;
  const end = start + replicaCount;
  const slots: (KubeObject | undefined)[] = new Array(replicaCount).fill(undefined);
  const condemned: KubeObject[] = [];
  for (const pod of claimed) {
    const ordinal = ordinalOf(pod);
    if (ordinal >= start && ordinal < end) {
      const i = ordinal - start;
      // Two pods of one ordinal cannot exist (one name); keep the first.
      slots[i] ??= pod;
    } else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const monotonic = spec.podManagementPolicy !== 'Parallel';
  const partition = spec.updateStrategy?.type === 'RollingUpdate' ? spec.updateStrategy.rollingUpdate?.partition ?? 0 : undefined;
  const unhealthy = (pod: KubeObject) => !isHealthy(pod);
  const firstUnhealthy = slots.find((p) => p && unhealthy(p)) ?? condemned.find(unhealthy);

  const claimsByName = new Map(view.claims.map((c) => [c.metadata.name!, c]));
  const ensureClaims = (ordinal: number) => {
    for (const claim of claimsFor(set, ordinal)) {
      if (claimsByName.has(claim.metadata.name!)) continue;
      claim.metadata.ownerReferences = claimOwnerRefs(set, claim, undefined, false);
      if (claim.metadata.ownerReferences.length === 0) delete claim.metadata.ownerReferences;
      actions.push({ type: 'createClaim', claim, podName: podName(set, ordinal) });
      claimsByName.set(claim.metadata.name!, claim);
    }
  };
  const claimIsStale = (ordinal: number) =>
    claimsFor(set, ordinal).some((c) => (claimsByName.get(c.metadata.name!)?.metadata.ownerReferences ?? []).some((r) => r.kind === 'Pod'));
  const fixClaimOwners = (pod: KubeObject, scaledDown: boolean) => {
    for (const wanted of claimsFor(set, ordinalOf(pod))) {
      const claim = claimsByName.get(wanted.metadata.name!);
      if (!claim?.metadata.uid) continue;
      const refs = claimOwnerRefs(set, claim, pod, scaledDown);
      if (!sameOwnerRefs(claim.metadata.ownerReferences, refs)) actions.push({ type: 'setClaimOwners', claim, ownerReferences: refs });
    }
  };

  for (let i = 0; i < replicaCount; i++) {
    const ordinal = start + i;
    let pod = slots[i];
    if (pod && isFailedOrSucceeded(pod) && !isTerminating(pod)) {
      actions.push({ type: 'deletePod', pod, reason: 'failed' });
      pod = undefined;
      if (monotonic) return finish();
      continue;
    }
    if (!pod) {
      // A claim still owned by a pod that is gone is the garbage collector's (whenScaled=Delete): wait for it to go.
      if (claimIsStale(ordinal)) {
        if (monotonic) return finish();
        continue;
      }
      const useCurrent = partition !== undefined && ordinal < start + partition;
      const fromSet = useCurrent ? currentSet : updateSet;
      const revision = useCurrent ? currentRevision : updateRevision;
      ensureClaims(ordinal);
      actions.push({ type: 'createPod', pod: newStatefulSetPod(fromSet, ordinal, revision.metadata.name!), ordinal });
      if (monotonic) return finish();
      continue;
    }
    if (!isTerminating(pod)) ensureClaims(ordinal);
    if (isTerminating(pod) && monotonic) return finish();
    if (!isRunningAndReady(pod) && monotonic) return finish();
    if (!isRunningAndAvailable(pod, minReadySeconds, now) && monotonic) return finish();
    const labels = identityLabelsMissing(set, pod);
    if (labels && !isTerminating(pod)) actions.push({ type: 'labelPod', pod, labels });
    fixClaimOwners(pod, false);
  }

  for (const pod of condemned) fixClaimOwners(pod, true);
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return finish();
      continue;
    }
    if (monotonic && pod !== firstUnhealthy && !isRunningAndAvailable(pod, minReadySeconds, now)) return finish();
    actions.push({ type: 'deletePod', pod, reason: 'condemned' });
    if (monotonic) return finish();
  }

  // 5. rolling update, highest ordinal first
  if (partition !== undefined) {
    for (let i = replicaCount - 1; i >= partition; i--) {
      const pod = slots[i];
      if (!pod) break;
      if (podRevision(pod) !== updateRevision.metadata.name && !isTerminating(pod)) {
        actions.push({ type: 'deletePod', pod, reason: 'update' });
        break;
      }
      if (!isHealthy(pod)) break;
    }
  }

  // 6. history truncation: keep what pods, current and update use
  const live = new Set<string>([currentRevision.metadata.name!, updateRevision.metadata.name!]);
  for (const pod of claimed) {
    const revision = podRevision(pod);
    if (revision) live.add(revision);
  }
  for (const revision of revisionsToTruncate(owned, live, spec.revisionHistoryLimit ?? 10)) actions.push({ type: 'deleteRevision', revision });
  return finish();
}
