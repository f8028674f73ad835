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
 * the decision at any of the `window` revisions before it asks for it (the caches as they
 * were at each of those steps). A write none of them asks for is a difference, reported
 * with what the decisions asked of the same object instead. The decision functions are
 * an input: a test swaps one in. Pure: no I/O.
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
  /** The decision functions to re-run (default: the current controllers'); a test swaps one in. */
  decisions?: Partial<Decisions>;
  /** Check writes from this revision on (the state before it is folded, unchecked). */
  fromSeq?: number;
  /** ... up to this revision. */
  toSeq?: number;
}

export interface Decisions {
  replicaset: typeof decideReplicaSet;
  deployment: typeof decideDeployment;
}

export const CURRENT_DECISIONS: Decisions = { replicaset: decideReplicaSet, deployment: decideDeployment };

/**
 * A point where the decisions differ from the log: a recorded controller write they no
 * longer ask for ('unexplained', with what they asked of the same object instead), or,
 * at the end of a log, writes they still ask for that the recorded controllers never made
 * ('pending': recorded is undefined, wouldNow lists them).
 */
export interface DecisionDifference {
  kind: 'unexplained' | 'pending';
  seq: number;
  time: number;
  controller: Controller;
  /** The write the log recorded. */
  recorded?: string;
  /** What the decisions asked of the same object at the state just before it (empty: nothing). */
  wouldNow: string[];
}

const REPLICASET_ACTIONS = new Set(['createPod', 'deletePod', 'adoptPod', 'releasePod', 'rsStatus']);
const controllerOfKey = (key: string): Controller => (REPLICASET_ACTIONS.has(key.split(' ')[0]!) ? 'replicaset' : 'deployment');

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

/** Every write the two controllers decide at this state, as keys (namespace given: only there). */
export function decidedKeys(store: ObjectStore, now: number, decisions: Decisions = CURRENT_DECISIONS, namespace?: string): Set<string> {
  const keys = new Set<string>();
  const pods = new Map<string, KubeObject[]>();
  const podsIn = (ns: string) => pods.get(ns) ?? pods.set(ns, store.list(PODS, ns).items).get(ns)!;
  for (const rs of store.list(REPLICASETS, namespace).items) {
    const decision = decisions.replicaset(rs, podsIn(rs.metadata.namespace ?? ''), now, { expectationsSatisfied: true });
    for (const a of decision.actions) keys.add(podKey(a, rs));
  }
  for (const d of store.list(DEPLOYMENTS, namespace).items) {
    const ns = d.metadata.namespace ?? '';
    for (const a of decisions.deployment(d, store.list(REPLICASETS, ns).items, podsIn(ns), now).actions) keys.add(deploymentKey(a, d));
  }
  return keys;
}

/**
 * The decisions at each step, kept per namespace (a workload controller's decision reads
 * only its namespace): a step recomputes the namespaces its predecessor changed, and every
 * namespace once the log's clock has moved a second (availability and progress deadlines
 * read the clock). A snapshot shares the unchanged namespaces' sets with the one before.
 */
class DecisionTracker {
  private readonly current = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private lastFull = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: ObjectStore,
    private readonly decisions: Decisions,
  ) {}

  changed(key: { resource: string; namespace: string }): void {
    if (key.resource === PODS || key.resource === REPLICASETS || key.resource === DEPLOYMENTS) this.dirty.add(key.namespace);
  }

  snapshot(now: number): ReadonlyMap<string, Set<string>> {
    if (now - this.lastFull >= 1000) {
      this.lastFull = now;
      this.dirty.clear();
      this.current.clear();
      const namespaces = new Set([...this.store.namespaces(REPLICASETS), ...this.store.namespaces(DEPLOYMENTS)]);
      for (const ns of namespaces) this.current.set(ns, decidedKeys(this.store, now, this.decisions, ns));
    } else {
      for (const ns of this.dirty) this.current.set(ns, decidedKeys(this.store, now, this.decisions, ns));
      this.dirty.clear();
    }
    return new Map(this.current);
  }
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

/** Folds the log and checks every controller write it finds (in [fromSeq, toSeq]) against the decisions before it. */
export async function checkDecisions(entries: Iterable<LogEntry> | AsyncIterable<LogEntry>, options: ReplayOptions = {}): Promise<WriteCheck[]> {
  return (await replayDecisions(entries, options)).checks;
}

/** Every point in [fromSeq, toSeq] where the decisions would now differ from what the log recorded. */
export async function decisionDifferences(
  entries: Iterable<LogEntry> | AsyncIterable<LogEntry>,
  options: ReplayOptions = {},
): Promise<{ checked: number; differences: DecisionDifference[] }> {
  const { checks, differences } = await replayDecisions(entries, options);
  return { checked: checks.length, differences };
}

async function replayDecisions(entries: Iterable<LogEntry> | AsyncIterable<LogEntry>, options: ReplayOptions) {
  const window = options.window ?? 64;
  const decisions = { ...CURRENT_DECISIONS, ...options.decisions };
  const fromSeq = options.fromSeq ?? 1;
  const toSeq = options.toSeq ?? Number.POSITIVE_INFINITY;
  const store = new ObjectStore();
  const tracker = new DecisionTracker(store, decisions);
  const recent: ReadonlyMap<string, Set<string>>[] = [];
  const checks: WriteCheck[] = [];
  const differences: DecisionDifference[] = [];
  let cutShort = false;
  let last: LogEntry | undefined;
  for await (const entry of entries) {
    if (entry.seq > toSeq) {
      cutShort = true;
      break;
    }
    last = entry;
    // Before the range only the caches matter: the decisions are needed from window revisions before it.
    if (entry.seq + window >= fromSeq) {
      recent.push(tracker.snapshot(entry.time));
      if (recent.length > window) recent.shift();
    }
    const change = store.apply(entry);
    if (!change) continue;
    tracker.changed(change.key);
    if (entry.seq < fromSeq) continue;
    const recorded = recordedKey(store, change);
    if (!recorded) continue;
    const ns = change.key.namespace;
    const explained = recent.some((step) => step.get(ns)?.has(recorded.key) === true);
    checks.push({ seq: entry.seq, ...recorded, explained });
    if (!explained) {
      const target = recorded.key.split(' ')[1];
      const before = recent[recent.length - 1]?.get(ns) ?? new Set<string>();
      differences.push({
        kind: 'unexplained',
        seq: entry.seq,
        time: entry.time,
        controller: recorded.controller,
        recorded: recorded.key,
        wouldNow: [...before].filter((k) => k.split(' ')[1] === target || k.includes(`=${target}`)).sort(),
      });
    }
  }
  // A log read to its end: the controllers had every chance to act, so what the decisions
  // still ask for at the final state is a difference too. (A range with an end is not
  // judged so: the log after it says whether they acted.)
  if (options.toSeq === undefined && !cutShort && last && last.seq >= fromSeq) {
    const final = tracker.snapshot(last.time);
    for (const [, keys] of [...final].sort(([a], [b]) => a.localeCompare(b))) {
      for (const key of [...keys].sort()) {
        differences.push({ kind: 'pending', seq: last.seq, time: last.time, controller: controllerOfKey(key), wouldNow: [key] });
      }
    }
  }
  return { checks, differences };
}
