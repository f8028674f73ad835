/**
 * `why pod/<name>`: a pod's fate in plain words, from the log alone. One line per step,
 * oldest first: the owner chain (the Deployment's revision that made the ReplicaSet, the
 * ReplicaSet scale that asked for the pod), the create, the scheduler's binding (or its
 * refusals), the kubelet's status writes (phase, container starts, exits, restarts,
 * readiness), the deletion and why (a DisruptionTarget condition names eviction, the
 * taint manager, preemption or pod GC; otherwise a scale-down of the owning ReplicaSet,
 * or the garbage collector after its owner went; otherwise a client, unnamed: there is no
 * audit stream yet), then the removal. Events about the pod (FailedScheduling, BackOff,
 * Killing, ...) are folded in where the log recorded them. A name reused after a delete
 * starts a new story in the same listing. Pure over the entries: no I/O.
 */
import type { KubeObject } from '../api/object.ts';
import { controllerRef } from '../controllers/runtime/owner.ts';
import type { LogEntry } from '../store/log-entry.ts';
import { ObjectStore } from '../store/object-store.ts';
import { formatWriters, historyStep } from './history.ts';

export interface WhyLine {
  seq: number;
  time: number;
  text: string;
}

const REPLICASETS = 'replicasets.apps';
const DEPLOYMENTS = 'deployments.apps';
const REVISION = 'deployment.kubernetes.io/revision';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string; signal?: number };
}
interface ContainerStatus {
  name: string;
  state?: ContainerState;
  lastState?: ContainerState;
  restartCount?: number;
  ready?: boolean;
}
interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

interface Scale {
  seq: number;
  time: number;
  from: number;
  to: number;
  by: string;
}

const statusOf = (pod: KubeObject | undefined): PodStatus => (pod?.status ?? {}) as PodStatus;
const conditionOf = (pod: KubeObject | undefined, type: string) => statusOf(pod).conditions?.find((c) => c.type === type);
const replicasOf = (rs: KubeObject | undefined) => ((rs?.spec ?? {}) as { replicas?: number }).replicas ?? (rs ? 1 : 0);
const imagesOf = (o: KubeObject) => {
  const spec = (o.kind === 'Pod' ? o.spec : (o.spec as { template?: { spec?: unknown } } | undefined)?.template?.spec) as
    | { containers?: { image?: string }[] }
    | undefined;
  return (spec?.containers ?? []).map((c) => c.image ?? '?').join(', ');
};

const DISRUPTION_CAUSES: Record<string, string> = {
  EvictionByEvictionAPI: 'evicted through the Eviction API',
  DeletionByTaintManager: "deleted by the taint manager (its node's NoExecute taint)",
  PreemptionByScheduler: 'preempted by the scheduler for a higher-priority pod',
  DeletionByPodGC: 'deleted by the pod garbage collector',
  TerminationByKubelet: 'terminated by the kubelet (node pressure or shutdown)',
};

/** Tells a pod's fate from the log; empty when the log never held the pod. */
export async function whyPod(entries: AsyncIterable<LogEntry> | Iterable<LogEntry>, namespace: string, name: string): Promise<WhyLine[]> {
  const store = new ObjectStore();
  const lines: WhyLine[] = [];
  const scales = new Map<string, Scale[]>(); // ReplicaSet uid -> its scale changes
  const rsCreated = new Map<string, { seq: number; time: number }>();
  const told = new Set<string>(); // chain lines already told (by RS uid + seq)
  const say = (entry: { seq: number; time: number }, text: string) => lines.push({ seq: entry.seq, time: entry.time, text });

  for await (const entry of entries) {
    const previous = store.get(entry.key.resource, entry.key.namespace, entry.key.name);
    if (entry.key.resource === REPLICASETS && entry.type !== 'DELETED') {
      const from = entry.type === 'ADDED' ? 0 : replicasOf(previous);
      const to = replicasOf(entry.object);
      const uid = entry.object.metadata.uid ?? '';
      if (entry.type === 'ADDED') rsCreated.set(uid, { seq: entry.seq, time: entry.time });
      if (from !== to) {
        const by = formatWriters(historyStep(previous, entry));
        const list = scales.get(uid) ?? scales.set(uid, []).get(uid)!;
        list.push({ seq: entry.seq, time: entry.time, from, to, by });
      }
    }
    if (entry.key.resource === 'pods' && entry.key.namespace === namespace && entry.key.name === name) {
      tellPodStep(store, previous, entry, say, scales, rsCreated, told);
    } else if (isEventAbout(entry, namespace, name)) {
      tellEvent(previous, entry, say);
    }
    store.apply(entry);
  }
  return lines.sort((a, b) => a.seq - b.seq);
}

function tellPodStep(
  store: ObjectStore,
  previous: KubeObject | undefined,
  entry: LogEntry,
  say: (at: { seq: number; time: number }, text: string) => void,
  scales: Map<string, Scale[]>,
  rsCreated: Map<string, { seq: number; time: number }>,
  told: Set<string>,
): void {
  const pod = entry.object;
  const step = historyStep(previous, entry);
  const by = formatWriters(step);
  if (entry.type === 'ADDED') {
    const ref = controllerRef(pod);
    const rs = ref?.kind === 'ReplicaSet' ? store.get(REPLICASETS, entry.key.namespace, ref.name) : undefined;
    if (rs) tellOwnerChain(store, rs, entry.seq, say, scales, rsCreated, told);
    const owner = ref ? `${ref.kind} ${ref.name}` : undefined;
    say(entry, `pod created${owner ? ` by ${owner}` : ''} (uid ${pod.metadata.uid ?? '?'}, ${imagesOf(pod) || 'no containers'}) ${by}`);
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (node) say(entry, `created already bound to node ${node} (no scheduler involved)`);
    return;
  }
  if (entry.type === 'DELETED') {
    say(entry, `removed from the store (uid ${pod.metadata.uid ?? '?'}): its finalizers were done and the grace period over`);
    return;
  }
  const known = step.writers.length > 0 ? ` ${by}` : undefined;
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  for (const t of podTransitions(previous, pod, store, entry.seq, scales)) {
    say(entry, `${t.text}${known ?? inferredActor(t.actor, node)}`);
  }
}

/** The Deployment revision and ReplicaSet scale behind a pod, once per chain step. */
function tellOwnerChain(
  store: ObjectStore,
  rs: KubeObject,
  beforeSeq: number,
  say: (at: { seq: number; time: number }, text: string) => void,
  scales: Map<string, Scale[]>,
  rsCreated: Map<string, { seq: number; time: number }>,
  told: Set<string>,
): void {
  const uid = rs.metadata.uid ?? '';
  const dRef = controllerRef(rs);
  const deployment = dRef?.kind === 'Deployment' ? store.get(DEPLOYMENTS, rs.metadata.namespace ?? '', dRef.name) : undefined;
  const revision = rs.metadata.annotations?.[REVISION];
  const created = rsCreated.get(uid);
  if (created && !told.has(`created ${uid}`)) {
    told.add(`created ${uid}`);
    say(
      created,
      deployment
        ? `Deployment ${dRef!.name} created ReplicaSet ${rs.metadata.name} for its revision ${revision ?? '?'} (${imagesOf(rs)})`
        : `ReplicaSet ${rs.metadata.name} created (${imagesOf(rs)})`,
    );
  }
  const scale = [...(scales.get(uid) ?? [])].reverse().find((s) => s.seq < beforeSeq);
  if (scale && !told.has(`scale ${uid} ${scale.seq}`)) {
    told.add(`scale ${uid} ${scale.seq}`);
    const who = deployment ? `Deployment ${dRef!.name} (revision ${revision ?? '?'}) scaled` : 'scaled';
    say(scale, `${who} ReplicaSet ${rs.metadata.name} from ${scale.from} to ${scale.to} replicas ${scale.by}`);
  }
}

/**
 * Who makes a kind of pod change, when the write itself does not say (pod status writes
 * and bindings leave managedFields as they were): only a binding sets nodeName after the
 * create, the scheduler writes PodScheduled, and the kubelet of the pod's node writes the
 * rest of the status. Said as inferred.
 */
export type PodActor = 'scheduler' | 'kubelet' | 'deleter';

function inferredActor(actor: PodActor, node: string | undefined): string {
  switch (actor) {
    case 'scheduler':
      return ' (by kube-scheduler, inferred)';
    case 'kubelet':
      return node ? ` (by the kubelet of ${node}, inferred)` : ' (by the kubelet, inferred)';
    case 'deleter':
      return '';
  }
}

export interface PodTransition {
  text: string;
  actor: PodActor;
}

/** What changed in one write of the pod, in words, with who makes such a change. */
export function podTransitions(
  before: KubeObject | undefined,
  after: KubeObject,
  store?: ObjectStore,
  seq?: number,
  scales?: Map<string, Scale[]>,
): PodTransition[] {
  const out: PodTransition[] = [];
  const push = (actor: PodActor) => (text: string) => out.push({ text, actor });
  const scheduler = push('scheduler');
  const kubelet = push('kubelet');
  const deleter = push('deleter');
  const wasNode = (before?.spec as { nodeName?: string } | undefined)?.nodeName;
  const node = (after.spec as { nodeName?: string } | undefined)?.nodeName;
  if (node && !wasNode) scheduler(`scheduled to node ${node}`);
  const scheduled = conditionOf(after, 'PodScheduled');
  const wasScheduled = conditionOf(before, 'PodScheduled');
  if (scheduled?.status === 'False' && (wasScheduled?.status !== 'False' || wasScheduled?.message !== scheduled.message)) {
    scheduler(`not schedulable: ${scheduled.reason ?? 'Unschedulable'}${scheduled.message ? `: ${scheduled.message}` : ''}`);
  }
  const phase = statusOf(after).phase;
  const wasPhase = statusOf(before).phase;
  if (phase && phase !== wasPhase) {
    const why = statusOf(after).reason ? ` (${statusOf(after).reason}${statusOf(after).message ? `: ${statusOf(after).message}` : ''})` : '';
    kubelet(wasPhase ? `phase ${wasPhase} -> ${phase}${why}` : `phase ${phase}${why}`);
  }
  const containers = (s: PodStatus) => [...(s.initContainerStatuses ?? []).map((c) => ({ ...c, init: true })), ...(s.containerStatuses ?? []).map((c) => ({ ...c, init: false }))];
  const old = new Map(containers(statusOf(before)).map((c) => [`${c.init}/${c.name}`, c]));
  for (const c of containers(statusOf(after))) {
    const was = old.get(`${c.init}/${c.name}`);
    const label = `${c.init ? 'init container' : 'container'} ${c.name}`;
    const restarts = c.restartCount ?? 0;
    if (restarts > (was?.restartCount ?? 0)) {
      const last = c.lastState?.terminated;
      kubelet(`${label} restarted (restart ${restarts})${last ? `: it had exited with code ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}` : ''}`);
    }
    const state = c.state ?? {};
    const wasState = was?.state ?? {};
    if (state.waiting && (wasState.waiting?.reason !== state.waiting.reason || !wasState.waiting)) {
      kubelet(`${label} waiting: ${state.waiting.reason ?? 'Waiting'}${state.waiting.message ? ` (${state.waiting.message})` : ''}`);
    }
    if (state.running && (!wasState.running || wasState.running.startedAt !== state.running.startedAt)) {
      kubelet(`${label} running (started ${state.running.startedAt ?? '?'})`);
    }
    if (state.terminated && (!wasState.terminated || wasState.terminated.exitCode !== state.terminated.exitCode || wasState.terminated.reason !== state.terminated.reason)) {
      const t = state.terminated;
      kubelet(`${label} terminated with exit code ${t.exitCode ?? '?'}${t.reason ? ` (${t.reason})` : ''}${t.signal ? ` by signal ${t.signal}` : ''}`);
    }
  }
  const ready = conditionOf(after, 'Ready');
  const wasReady = conditionOf(before, 'Ready');
  if (ready && ready.status !== wasReady?.status) kubelet(ready.status === 'True' ? 'ready' : `not ready${ready.reason ? ` (${ready.reason})` : ''}`);
  const disruption = conditionOf(after, 'DisruptionTarget');
  if (disruption?.status === 'True' && conditionOf(before, 'DisruptionTarget')?.status !== 'True') {
    deleter(`marked as a disruption target: ${disruption.reason ?? '?'}${disruption.message ? ` (${disruption.message})` : ''}`);
  }
  if (after.metadata.deletionTimestamp && !before?.metadata.deletionTimestamp) {
    const grace = after.metadata.deletionGracePeriodSeconds;
    deleter(`deletion started${grace !== undefined ? ` (grace period ${grace}s)` : ''}: ${deletionCause(after, store, seq, scales)}`);
  }
  return out;
}

function deletionCause(pod: KubeObject, store?: ObjectStore, seq?: number, scales?: Map<string, Scale[]>): string {
  const disruption = conditionOf(pod, 'DisruptionTarget');
  if (disruption?.status === 'True' && disruption.reason) return DISRUPTION_CAUSES[disruption.reason] ?? `disruption: ${disruption.reason}`;
  const ref = controllerRef(pod);
  if (ref?.kind === 'ReplicaSet' && store) {
    const rs = store.get(REPLICASETS, pod.metadata.namespace ?? '', ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return `garbage collected: its owner ReplicaSet ${ref.name} is gone`;
    if (rs.metadata.deletionTimestamp) return `garbage collected: its owner ReplicaSet ${ref.name} is being deleted`;
    const scale = [...(scales?.get(ref.uid) ?? [])].reverse().find((s) => seq === undefined || s.seq < seq);
    if (scale && scale.to < scale.from) {
      const dRef = controllerRef(rs);
      const rollout = dRef?.kind === 'Deployment' ? deploymentContext(store, rs, dRef.name, dRef.uid) : '';
      return `ReplicaSet ${ref.name} scaled down from ${scale.from} to ${scale.to} at revision ${scale.seq}${rollout}, and chose this pod`;
    }
  }
  return 'deleted by a client (the log does not say who deletes: `jetkube audit --verb delete` does)';
}

/** Why a Deployment scaled a ReplicaSet down: a rollout to a newer revision, or a scale of the Deployment. */
function deploymentContext(store: ObjectStore, rs: KubeObject, deployment: string, uid: string): string {
  const revision = Number(rs.metadata.annotations?.[REVISION] ?? 0);
  const newest = store
    .list(REPLICASETS, rs.metadata.namespace ?? '')
    .items.filter((other) => controllerRef(other)?.uid === uid)
    .reduce((best, other) => Math.max(best, Number(other.metadata.annotations?.[REVISION] ?? 0)), 0);
  return newest > revision
    ? ` (Deployment ${deployment} rolling out its revision ${newest}; this ReplicaSet is revision ${revision})`
    : ` (Deployment ${deployment} scaled down, at its revision ${revision})`;
}

function isEventAbout(entry: LogEntry, namespace: string, name: string): boolean {
  if (entry.key.resource !== 'events' && entry.key.resource !== 'events.events.k8s.io') return false;
  if (entry.type === 'DELETED') return false;
  const o = entry.object as KubeObject & { involvedObject?: { kind?: string; name?: string; namespace?: string }; regarding?: { kind?: string; name?: string; namespace?: string } };
  const about = o.involvedObject ?? o.regarding;
  return about?.kind === 'Pod' && about.name === name && (about.namespace ?? o.metadata.namespace) === namespace;
}

function tellEvent(previous: KubeObject | undefined, entry: LogEntry, say: (at: { seq: number; time: number }, text: string) => void): void {
  const e = entry.object as KubeObject & { type?: string; reason?: string; message?: string; note?: string; count?: number; series?: { count?: number }; source?: { component?: string }; reportingController?: string };
  const count = e.count ?? e.series?.count ?? 1;
  const wasCount = previous ? ((previous as typeof e).count ?? (previous as typeof e).series?.count ?? 1) : 0;
  if (previous && count === wasCount) return;
  const from = e.source?.component ?? e.reportingController;
  const again = previous ? ` (seen ${count} times)` : '';
  say(entry, `event ${e.type ?? 'Normal'} ${e.reason ?? '?'}${from ? ` from ${from}` : ''}: ${e.message ?? e.note ?? ''}${again}`);
}
