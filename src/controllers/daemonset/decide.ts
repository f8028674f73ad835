/**
 * The DaemonSet controller's decision (Kubernetes' syncDaemonSet, 1.32), pure: given a
 * DaemonSet, the nodes, the pods and ControllerRevisions of its namespace, the time, and
 * whether the controller's own earlier creates and deletes have all been observed,
 * which writes converge it?
 *  1. history (constructHistory): the revision of the current template, whose hash
 *     label becomes each new pod's controller-revision-hash;
 *  2. claim pods: adopt orphans the selector matches, release owned ones it does not;
 *  3. manage (expectations satisfied only): a node that should run a daemon pod and has
 *     none gets one; failed and succeeded pods are deleted (replaced next sync; a failed
 *     one only once its node's back-off has passed, else a requeue for then); surplus
 *     pods on one node are deleted but the oldest; pods on nodes they may no longer stay
 *     on are deleted, as are unscheduled pods whose node is gone;
 *  4. RollingUpdate, when manage has nothing to do: old pods are deleted so that at
 *     most maxUnavailable daemon pods are unavailable (old unavailable ones go first, at
 *     no cost); manage then creates their replacements. maxSurge is read as 0 (no surge
 *     yet). OnDelete waits;
 *  5. history truncation (revisions no pod uses beyond revisionHistoryLimit), status.
 * A DaemonSet being deleted only gets its status.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { labelSelectorMatches } from '../../api/selectors.ts';
import { planRevisions, type RevisionWrite } from '../history/plan-revisions.ts';
import { CONTROLLER_REVISION_HASH_LABEL, ownedRevisions, revisionsToTruncate } from '../history/revision.ts';
import { scaledValue, type IntOrPercent } from '../deployment/util.ts';
import { isPodAvailable } from '../replicaset/pods.ts';
import { controllerRef, newControllerRef } from '../runtime/owner.ts';
import { newDaemonPod, nodeShouldRunDaemonPod, targetNodeName, type DaemonPodSpec } from './eligibility.ts';
import { daemonSetStatus, isPodUpdated, statusChanged, TEMPLATE_GENERATION_LABEL, type DaemonSetStatus } from './status.ts';

export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

export type DaemonSetAction =
  | RevisionWrite
  | { type: 'deleteRevision'; revision: KubeObject }
  | { type: 'adoptPod'; pod: KubeObject; ownerReferences: OwnerReference[] }
  | { type: 'releasePod'; pod: KubeObject; ownerReferences: OwnerReference[] }
  | { type: 'createPod'; pod: KubeObject; nodeName: string }
  | { type: 'deletePod'; pod: KubeObject; reason: 'failed' | 'surplus' | 'misscheduled' | 'orphaned' | 'update' }
  | { type: 'updateStatus'; status: DaemonSetStatus };

export interface DaemonSetDecision {
  actions: DaemonSetAction[];
  /** Look again then: a ready pod becomes available once minReadySeconds pass. */
  requeueAfterMs?: number;
}

export interface DaemonSetView {
  nodes: readonly KubeObject[];
  pods: readonly KubeObject[];
  revisions: readonly KubeObject[];
}

export interface DaemonSetSpec {
  selector?: Parameters<typeof labelSelectorMatches>[0];
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: IntOrPercent; maxSurge?: IntOrPercent } };
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: DaemonPodSpec };
}

const dsSpec = (ds: KubeObject) => (ds.spec ?? {}) as DaemonSetSpec;
const phase = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase;
const isTerminal = (pod: KubeObject) => phase(pod) === 'Failed' || phase(pod) === 'Succeeded';

/** podByCreationTimestampAndPhase: scheduled first, then oldest, then by name. */
export function byAgeScheduledFirst(a: KubeObject, b: KubeObject): number {
  const scheduled = (p: KubeObject) => ((p.spec as { nodeName?: string } | undefined)?.nodeName ? 0 : 1);
  return (
    scheduled(a) - scheduled(b) ||
    (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
  );
}

export interface DecideOptions {
  /** Every create and delete this controller made for the DaemonSet has been observed. */
  expectationsSatisfied: boolean;
  /** How long a failed pod on this node must still be left alone (the failed-pod back-off); absent: never. */
  failedPodBackoffMs?: (nodeName: string) => number;
}

export function decideDaemonSet(ds: KubeObject, view: DaemonSetView, now: number, options: DecideOptions): DaemonSetDecision {
  const spec = dsSpec(ds);
  const current = (ds.status ?? {}) as DaemonSetStatus;
  const collisionCount = current.collisionCount ?? 0;
  const actions: DaemonSetAction[] = [];

  // 1. history
  const owned = ownedRevisions(ds, view.revisions);
  const plan = planRevisions(ds, owned, view.revisions, collisionCount);
  if (plan.collided) return { actions: [{ type: 'updateStatus', status: { ...current, collisionCount: collisionCount + 1 } }] };
  if (plan.write && !ds.metadata.deletionTimestamp) actions.push(plan.write);
  const hash = plan.update.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
  const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];

  // 2. claim pods
  const matches = (pod: KubeObject) => !!spec.selector && labelSelectorMatches(spec.selector, pod.metadata.labels);
  const claimed: KubeObject[] = [];
  for (const pod of view.pods) {
    const ref = controllerRef(pod);
    if (ref) {
      if (ref.uid !== ds.metadata.uid) continue;
      if (matches(pod)) claimed.push(pod);
      else if (!ds.metadata.deletionTimestamp) actions.push({ type: 'releasePod', pod, ownerReferences: (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== ds.metadata.uid) });
    } else if (matches(pod) && !pod.metadata.deletionTimestamp && !ds.metadata.deletionTimestamp) {
      actions.push({ type: 'adoptPod', pod, ownerReferences: [...(pod.metadata.ownerReferences ?? []), newControllerRef(ds)] });
      claimed.push(pod);
    }
  }
  const nodeToPods = new Map<string, KubeObject[]>();
  for (const pod of claimed) {
    if (isTerminal(pod) && pod.metadata.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    nodeToPods.set(node, [...(nodeToPods.get(node) ?? []), pod]);
  }
  for (const pods of nodeToPods.values()) pods.sort(byAgeScheduledFirst);

  const template = spec.template?.spec ?? {};
  const eligibility = new Map(view.nodes.map((node) => [node.metadata.name!, nodeShouldRunDaemonPod(template, node)]));
  const minReadySeconds = spec.minReadySeconds ?? 0;
  let requeueAfterMs: number | undefined;
  const requeueAfter = (ms: number) => (requeueAfterMs = Math.min(requeueAfterMs ?? ms, ms));
  const finish = (observed: boolean): DaemonSetDecision => {
    const status = daemonSetStatus(ds, current, view.nodes, eligibility, nodeToPods, hash, generation, minReadySeconds, now, observed);
    if (statusChanged(current, status)) actions.push({ type: 'updateStatus', status });
    if (minReadySeconds > 0 && claimed.some((p) => isPodAvailable(p, 0, now) && !isPodAvailable(p, minReadySeconds, now))) requeueAfter(1000);
    return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
  };
  if (ds.metadata.deletionTimestamp) return finish(false);
  if (!options.expectationsSatisfied) return finish(false);

  // 3. manage
  // The update revision is the current template, so new pods are made from the spec itself.
  const revisionTemplate = spec.template ?? {};
  const podLabels: Record<string, string> = { [CONTROLLER_REVISION_HASH_LABEL]: hash };
  if (generation !== undefined) podLabels[TEMPLATE_GENERATION_LABEL] = generation;
  let managed = false;
  for (const node of view.nodes) {
    const name = node.metadata.name!;
    const { shouldRun, shouldContinueRunning } = eligibility.get(name)!;
    const pods = nodeToPods.get(name);
    if (shouldRun && !pods) {
      actions.push({ type: 'createPod', pod: newDaemonPod(ds, revisionTemplate, name, podLabels), nodeName: name });
      managed = true;
    } else if (shouldContinueRunning && pods) {
      const running: KubeObject[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (isTerminal(pod)) {
          // A pod that keeps failing there (a kubelet rejecting it) is replaced ever more slowly.
          const wait = phase(pod) === 'Failed' ? options.failedPodBackoffMs?.(name) ?? 0 : 0;
          if (wait > 0) {
            requeueAfter(wait);
            continue;
          }
          actions.push({ type: 'deletePod', pod, reason: 'failed' });
          managed = true;
        } else running.push(pod);
      }
      for (const pod of running.slice(1)) {
        actions.push({ type: 'deletePod', pod, reason: 'surplus' });
        managed = true;
      }
    } else if (!shouldContinueRunning && pods) {
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        actions.push({ type: 'deletePod', pod, reason: 'misscheduled' });
        managed = true;
      }
    }
  }
  // Unscheduled pods pinned to a node that is gone would never be scheduled nor collected.
  for (const [name, pods] of nodeToPods) {
    if (eligibility.has(name)) continue;
    for (const pod of pods) {
      if ((pod.spec as { nodeName?: string } | undefined)?.nodeName || pod.metadata.deletionTimestamp) continue;
      actions.push({ type: 'deletePod', pod, reason: 'orphaned' });
      managed = true;
    }
  }

  // 4. rolling update
  if (!managed && (spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
    for (const pod of rollingUpdateDeletions(ds, nodeToPods, eligibility, hash, generation, now)) actions.push({ type: 'deletePod', pod, reason: 'update' });
  }

  // 5. history truncation
  const live = new Set<string>([plan.update.metadata.name!]);
  const hashes = new Set(claimed.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]).filter((h): h is string => !!h));
  for (const r of owned) if (hashes.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '')) live.add(r.metadata.name!);
  for (const revision of revisionsToTruncate(owned, live, spec.revisionHistoryLimit ?? 10)) actions.push({ type: 'deleteRevision', revision });
  return finish(true);
}

/** rollingUpdate without surge: just enough old pods to stay within maxUnavailable. */
function rollingUpdateDeletions(
  ds: KubeObject,
  nodeToPods: ReadonlyMap<string, KubeObject[]>,
  eligibility: ReadonlyMap<string, { shouldRun: boolean }>,
  hash: string,
  generation: string | undefined,
  now: number,
): KubeObject[] {
  const spec = dsSpec(ds);
  const minReadySeconds = spec.minReadySeconds ?? 0;
  const desired = [...eligibility.values()].filter((e) => e.shouldRun).length;
  let maxUnavailable = scaledValue(spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true);
  if (desired > 0 && maxUnavailable === 0) maxUnavailable = 1;
  let unavailable = 0;
  const replace: KubeObject[] = [];
  const candidates: KubeObject[] = [];
  for (const name of [...nodeToPods.keys()].sort()) {
    const live = nodeToPods.get(name)!.filter((p) => !p.metadata.deletionTimestamp);
    const updated = live.filter((p) => isPodUpdated(p, hash, generation));
    const old = live.filter((p) => !isPodUpdated(p, hash, generation));
    if (updated.length > 1 || old.length > 1 || (updated.length === 0) === (old.length === 0)) {
      // Manage sorts this node out (or a pod is on its way out): it counts as unavailable.
      unavailable++;
      continue;
    }
    if (updated.length === 1) {
      if (!isPodAvailable(updated[0]!, minReadySeconds, now)) unavailable++;
      continue;
    }
    const pod = old[0]!;
    if (!isPodAvailable(pod, minReadySeconds, now)) replace.push(pod);
    else if (unavailable < maxUnavailable) candidates.push(pod);
  }
  const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
  return [...replace, ...candidates.slice(0, room)];
}
