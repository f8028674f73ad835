/**
 * Re-running the workload controllers' decisions over a recorded log: fold the log in
 * order into an ObjectStore and, at each revision where a controller wrote, check that
 * the write is one the pure decision asks for over the state folded before it.
 *
 * Which entries are controller writes is read from their shape (the log does not say who
 * wrote): a pod created with a ReplicaSet controller ref, a pod's ownerRefs changed, a
 * pod deleted (or marked deleted) while its controlling ReplicaSet exists, a ReplicaSet
 * created with a Deployment controller ref, a ReplicaSet's spec or annotations changed,
 * deleted, or its status written; a Deployment's revision annotation or status written.
 * A Deployment's spec and a pod's status are the user's and the kubelet's: not checked.
 *
 * Writes are compared by a key, with what is not deterministic left out (generated pod
 * names, timestamps): the action, the target's uid (its owner's for a create), and
 *   createPod: pod labels | deletePod, adoptPod, releasePod: pod uid |
 *   ReplicaSet status: replicas, fullyLabeled, ready, available, observedGeneration |
 *   createReplicaSet: name, replicas, template | updateReplicaSet: replicas, revision,
 *   desired/max annotations | adoptRS, releaseRS: RS uid | Deployment status: counts, observedGeneration, conditions'
 *   type/status/reason | updateDeployment: revision.
 * A controller decides from caches that may lag the log, so a write is explained when
 * the decision at any of the `window` revisions before it asks for it. Pure: no I/O.
 */
import type { KubeObject } from '../api/object.ts';
import { canonicalJson } from '../controllers/deployment/hash.ts';
import { decideDeployment, type DeploymentAction } from '../controllers/deployment/decide.ts';
import { decideReplicaSet, type ReplicaSetAction } from '../controllers/replicaset/decide.ts';
import { controllerRef } from '../controllers/runtime/owner.ts';
import type { LogEntry } from '../store/log-entry.ts';
import { ObjectStore, type StoreChange } from '../store/object-store.ts';

export const PODS = 'pods';
export const REPLICASETS = 'replicasets.apps';
export const DEPLOYMENTS = 'deployments.apps';
const REVISION = 'deployment.kubernetes.io/revision';

export type Controller = 'deployment' | 'replicaset';

export interface WriteCheck {
  seq: number;
  controller: Controller;
  key: string;
  explained: boolean;
}

export interface ReplayOptions {
  /** How many revisions back a controller's caches may lag (default 64). */
  window?: number;
}

const podKey = (a: ReplicaSetAction, rs: KubeObject): string => {
  switch (a.type) {
    case 'createPod':
      return `createPod ${rs.metadata.uid} labels=${canonicalJson(a.pod.metadata.labels ?? {})}`;
    case 'deletePod':
    case 'adoptPod':
    case 'releasePod':
      return `${a.type} ${rs.metadata.uid} pod=${a.pod.metadata.uid}`;
    case 'updateStatus':
      return rsStatusKey(rs.metadata.uid!, a.status);
  }
};

function rsStatusKey(uid: string, s: Record<string, unknown>): string {
  const f = (k: string) => (s[k] as number | undefined) ?? 0;
  return `rsStatus ${uid} ${['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'].map(f).join(',')}`;
}

function rsSpecKey(rs: KubeObject): string {
  const spec = (rs.spec ?? {}) as { replicas?: number };
  const a = rs.metadata.annotations ?? {};
  return `replicas=${spec.replicas ?? 1} rev=${a[REVISION]} desired=${a['deployment.kubernetes.io/desired-replicas']} max=${a['deployment.kubernetes.io/max-replicas']}`;
}

function dStatusKey(uid: string, s: Record<string, unknown>): string {
  const counts = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'].map((k) => (s[k] as number | undefined) ?? 0);
  const conditions = ((s.conditions ?? []) as { type: string; status: string; reason?: string }[]).map((c) => `${c.type}=${c.status}/${c.reason}`).sort();
  return `dStatus ${uid} ${counts.join(',')} ${conditions.join(';')}`;
}

const deploymentKey = (a: DeploymentAction, d: KubeObject): string => {
  switch (a.type) {
    case 'createReplicaSet':
      return `createRS ${d.metadata.uid} ${a.rs.metadata.name} ${rsSpecKey(a.rs)} template=${canonicalJson((a.rs.spec as { template?: unknown }).template)}`;
    case 'updateReplicaSet':
      return `updateRS ${a.rs.metadata.uid} ${rsSpecKey(a.rs)}`;
    case 'deleteReplicaSet':
      return `deleteRS ${a.rs.metadata.uid}`;
    case 'adoptReplicaSet':
      return `adoptRS ${d.metadata.uid} rs=${a.rs.metadata.uid}`;
    case 'releaseReplicaSet':
      return `releaseRS ${d.metadata.uid} rs=${a.rs.metadata.uid}`;
    case 'updateDeployment':
      return `dRevision ${d.metadata.uid} ${a.annotations[REVISION]}`;
    case 'updateStatus':
      return dStatusKey(d.metadata.uid!, a.status as Record<string, unknown>);
  }
};

/** Every write the two controllers decide at this state, as keys. */
export function decidedKeys(store: ObjectStore, now: number): Set<string> {
  const keys = new Set<string>();
  const pods = new Map<string, KubeObject[]>();
  const podsIn = (ns: string) => pods.get(ns) ?? pods.set(ns, store.list(PODS, ns).items).get(ns)!;
  for (const rs of store.list(REPLICASETS).items) {
    const decision = decideReplicaSet(rs, podsIn(rs.metadata.namespace ?? ''), now, { expectationsSatisfied: true });
    for (const a of decision.actions) keys.add(podKey(a, rs));
  }
  for (const d of store.list(DEPLOYMENTS).items) {
    const ns = d.metadata.namespace ?? '';
    for (const a of decideDeployment(d, store.list(REPLICASETS, ns).items, podsIn(ns), now).actions) keys.add(deploymentKey(a, d));
  }
  return keys;
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const rsSpecOf = (rs: KubeObject) => ({ spec: rs.spec, annotations: rs.metadata.annotations });

/** The controller write a log entry records, as its key; undefined when no controller of ours made it. */
export function recordedKey(store: ObjectStore, change: StoreChange): { controller: Controller; key: string } | undefined {
  const { object: o, previous: prev, key } = change;
  const ref = controllerRef(o);
  if (key.resource === PODS) {
    const ownerRS = ref?.kind === 'ReplicaSet' ? store.list(REPLICASETS, key.namespace).items.find((rs) => rs.metadata.uid === ref.uid) : undefined;
    if (change.type === 'ADDED') return ref?.kind === 'ReplicaSet' ? { controller: 'replicaset', key: `createPod ${ref.uid} labels=${canonicalJson(o.metadata.labels ?? {})}` } : undefined;
    if (!prev) return undefined;
    const deleting = (change.type === 'DELETED' || !!o.metadata.deletionTimestamp) && !prev.metadata.deletionTimestamp;
    if (deleting) return ownerRS ? { controller: 'replicaset', key: `deletePod ${ownerRS.metadata.uid} pod=${o.metadata.uid}` } : undefined;
    if (change.type === 'MODIFIED' && !same(prev.metadata.ownerReferences, o.metadata.ownerReferences)) {
      const before = controllerRef(prev);
      if (!before && ref) return { controller: 'replicaset', key: `adoptPod ${ref.uid} pod=${o.metadata.uid}` };
      if (before && !ref) return { controller: 'replicaset', key: `releasePod ${before.uid} pod=${o.metadata.uid}` };
    }
    return undefined;
  }
  if (key.resource === REPLICASETS) {
    if (ref?.kind !== 'Deployment' && change.type !== 'MODIFIED') return undefined;
    if (change.type === 'ADDED') return { controller: 'deployment', key: `createRS ${ref!.uid} ${o.metadata.name} ${rsSpecKey(o)} template=${canonicalJson((o.spec as { template?: unknown }).template)}` };
    if (!prev) return undefined;
    if (change.type === 'DELETED') return prev.metadata.deletionTimestamp ? undefined : { controller: 'deployment', key: `deleteRS ${o.metadata.uid}` };
    if (change.type === 'MODIFIED' && !same(prev.metadata.ownerReferences, o.metadata.ownerReferences)) {
      const before = controllerRef(prev);
      if (!before && ref) return { controller: 'deployment', key: `adoptRS ${ref.uid} rs=${o.metadata.uid}` };
      if (before && !ref) return { controller: 'deployment', key: `releaseRS ${before.uid} rs=${o.metadata.uid}` };
    }
    if (!same(prev.status, o.status)) return { controller: 'replicaset', key: rsStatusKey(o.metadata.uid!, (o.status ?? {}) as Record<string, unknown>) };
    if (ref?.kind === 'Deployment' && !same(rsSpecOf(prev), rsSpecOf(o))) return { controller: 'deployment', key: `updateRS ${o.metadata.uid} ${rsSpecKey(o)}` };
    return undefined;
  }
  if (key.resource === DEPLOYMENTS && change.type === 'MODIFIED' && prev) {
    if (!same(prev.status, o.status)) return { controller: 'deployment', key: dStatusKey(o.metadata.uid!, (o.status ?? {}) as Record<string, unknown>) };
    const rev = o.metadata.annotations?.[REVISION];
    if (same(prev.spec, o.spec) && rev !== prev.metadata.annotations?.[REVISION]) return { controller: 'deployment', key: `dRevision ${o.metadata.uid} ${rev}` };
  }
  return undefined;
}

/** Folds the log and checks every controller write it finds against the decisions before it. */
export async function checkDecisions(entries: Iterable<LogEntry> | AsyncIterable<LogEntry>, options: ReplayOptions = {}): Promise<WriteCheck[]> {
  const window = options.window ?? 64;
  const store = new ObjectStore();
  const recent: Set<string>[] = [];
  const checks: WriteCheck[] = [];
  for await (const entry of entries) {
    recent.push(decidedKeys(store, entry.time));
    if (recent.length > window) recent.shift();
    const change = store.apply(entry);
    if (!change) continue;
    const recorded = recordedKey(store, change);
    if (recorded) checks.push({ seq: entry.seq, ...recorded, explained: recent.some((keys) => keys.has(recorded.key)) });
  }
  return checks;
}
