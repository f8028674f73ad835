/**
 * Deployment facts the decision reads (Kubernetes' deploymentutil): the spec's defaults,
 * maxSurge and maxUnavailable resolved against the replica count (surge rounds up,
 * unavailable rounds down, never both 0), revisions, template equality ignoring the
 * pod-template-hash label, and the orderings the rollout steps use. Pure.
 */
import type { KubeObject } from '../../api/object.ts';
import type { LabelSelector } from '../../api/selectors.ts';
import { canonicalJson } from './hash.ts';

export const HASH_LABEL = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
/** Annotations a Deployment never copies to its ReplicaSets. */
export const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

export type IntOrPercent = number | string;
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: unknown;
}
export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  strategy?: { type?: 'RollingUpdate' | 'Recreate'; rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
}
export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
}
export interface RsStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
}

export const deploymentSpec = (d: KubeObject) => (d.spec ?? {}) as DeploymentSpec;
export const rsSpec = (rs: KubeObject) => (rs.spec ?? {}) as ReplicaSetSpec;
export const rsStatus = (rs: KubeObject) => (rs.status ?? {}) as RsStatus;
export const desiredReplicas = (d: KubeObject) => deploymentSpec(d).replicas ?? 1;
export const replicasOf = (rs: KubeObject) => rsSpec(rs).replicas ?? 1;
export const isRollingUpdate = (d: KubeObject) => (deploymentSpec(d).strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** GetScaledValueFromIntOrPercent: "25%" of total, rounded up or down; a number as is. */
export function scaledValue(value: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) {
    const n = Number(value);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: ${value}`);
  }
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both 0 makes unavailable 1. */
export function resolveFenceposts(d: KubeObject): { maxSurge: number; maxUnavailable: number } {
  const rolling = deploymentSpec(d).strategy?.rollingUpdate ?? {};
  const replicas = desiredReplicas(d);
  const maxSurge = scaledValue(rolling.maxSurge ?? '25%', replicas, true);
  let maxUnavailable = scaledValue(rolling.maxUnavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).maxSurge : 0;
}

export function maxUnavailable(d: KubeObject): number {
  if (!isRollingUpdate(d) || desiredReplicas(d) === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, desiredReplicas(d));
}

export function revisionOf(rs: KubeObject): number {
  const n = Number.parseInt(rs.metadata.annotations?.[REVISION] ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/** EqualIgnoreHash: the templates agree once the pod-template-hash label is dropped. */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  const strip = (t: PodTemplate | undefined) => {
    const copy = structuredClone(t ?? {});
    const labels = { ...(copy.metadata?.labels ?? {}) };
    delete labels[HASH_LABEL];
    copy.metadata = { ...(copy.metadata ?? {}), labels };
    if (Object.keys(labels).length === 0) delete copy.metadata.labels;
    if (Object.keys(copy.metadata).length === 0) delete copy.metadata;
    return canonicalJson(copy);
  };
  return strip(a) === strip(b);
}

const created = (o: KubeObject) => Date.parse(o.metadata.creationTimestamp ?? '') || 0;
const byName = (a: KubeObject, b: KubeObject) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
/** ReplicaSetsByCreationTimestamp: oldest first. */
export const byCreation = (a: KubeObject, b: KubeObject) => created(a) - created(b) || byName(a, b);
/** ReplicaSetsByRevision: lowest revision first. */
export const byRevision = (a: KubeObject, b: KubeObject) => revisionOf(a) - revisionOf(b) || byCreation(a, b);
/** ReplicaSetsBySizeNewer / BySizeOlder: largest first, ties by age. */
export const bySizeNewer = (a: KubeObject, b: KubeObject) => replicasOf(b) - replicasOf(a) || byCreation(b, a);
export const bySizeOlder = (a: KubeObject, b: KubeObject) => replicasOf(b) - replicasOf(a) || byCreation(a, b);

export const sumOf = (rss: readonly KubeObject[], f: (rs: KubeObject) => number | undefined) => rss.reduce((n, rs) => n + (f(rs) ?? 0), 0);
export const activeOnly = (rss: readonly KubeObject[]) => rss.filter((rs) => replicasOf(rs) > 0);
