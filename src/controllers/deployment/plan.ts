/**
 * The working state of one Deployment decision: copies of its ReplicaSets that the steps
 * scale, annotate, create and delete (each step reads the copies the earlier ones left,
 * as Kubernetes' sync reads the objects its earlier writes returned), the status being
 * built, and the revision the Deployment should carry. actions() turns what changed
 * into one write per object. Also getAllReplicaSetsAndSyncRevision and the new
 * ReplicaSet's shape (name, hash label, selector, annotations). Pure.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { newControllerRef } from '../runtime/owner.ts';
import { computeHash, canonicalJson } from './hash.ts';
import { newCondition, REASON, hasProgressDeadline, getCondition, setCondition, type DeploymentStatus } from './status.ts';
import {
  byCreation, deploymentSpec, desiredReplicas, DESIRED_REPLICAS, equalIgnoreHash, HASH_LABEL, MAX_REPLICAS, maxSurge, NOT_COPIED,
  replicasOf, REVISION, REVISION_HISTORY, revisionOf, rsSpec,
} from './util.ts';

export type DeploymentAction =
  /** ClaimReplicaSets: the ReplicaSet's ownerReferences become these, pinned to the resourceVersion seen. */
  | { type: 'adoptReplicaSet'; rs: KubeObject; ownerReferences: OwnerReference[] }
  | { type: 'releaseReplicaSet'; rs: KubeObject; ownerReferences: OwnerReference[] }
  | { type: 'createReplicaSet'; rs: KubeObject }
  | { type: 'updateReplicaSet'; rs: KubeObject }
  | { type: 'deleteReplicaSet'; rs: KubeObject }
  /** The Deployment's own annotations (its revision): a write of the object, not of status. */
  | { type: 'updateDeployment'; annotations: Record<string, string> }
  | { type: 'updateStatus'; status: DeploymentStatus };

export class Plan {
  private readonly copies = new Map<string, KubeObject>();
  private readonly original = new Map<string, string>();
  private readonly deleted = new Set<string>();
  private createdName?: string;
  newName?: string;
  /** A ReplicaSet with the new one's name but not its template: collisionCount moved, stop here. */
  collided = false;
  status: DeploymentStatus;
  revision?: string;

  constructor(
    readonly d: KubeObject,
    owned: readonly KubeObject[],
    private readonly inNamespace: readonly KubeObject[],
    readonly now: number,
  ) {
    for (const rs of owned) {
      this.copies.set(rs.metadata.name!, structuredClone(rs));
      this.original.set(rs.metadata.name!, canonicalJson(rs));
    }
    this.status = structuredClone((d.status ?? {}) as DeploymentStatus);
    this.revision = d.metadata.annotations?.[REVISION];
  }

  all(): KubeObject[] {
    return [...this.copies.values()].filter((rs) => !this.deleted.has(rs.metadata.name!)).sort(byCreation);
  }
  newRS(): KubeObject | undefined {
    return this.newName ? this.copies.get(this.newName) : undefined;
  }
  oldRSs(): KubeObject[] {
    return this.all().filter((rs) => rs.metadata.name !== this.newName);
  }
  get(name: string): KubeObject {
    return this.copies.get(name)!;
  }
  delete(rs: KubeObject): void {
    this.deleted.add(rs.metadata.name!);
  }

  /** scaleReplicaSet: the size and the desired/max annotations; true when the size changed. */
  scale(rs: KubeObject, replicas: number): boolean {
    const copy = this.get(rs.metadata.name!);
    const sized = replicasOf(copy) !== replicas;
    (copy.spec as Record<string, unknown>).replicas = replicas;
    setReplicasAnnotations(copy, desiredReplicas(this.d), desiredReplicas(this.d) + maxSurge(this.d));
    return sized;
  }

  /** getAllReplicaSetsAndSyncRevision without creating: find the new RS and bring its annotations up to date. */
  syncRevision(): void {
    const template = deploymentSpec(this.d).template;
    const found = this.all().find((rs) => equalIgnoreHash(rsSpec(rs).template, template));
    if (!found) return;
    this.newName = found.metadata.name;
    setNewReplicaSetAnnotations(this.d, found, this.nextRevision(), true);
    const minReady = deploymentSpec(this.d).minReadySeconds ?? 0;
    if ((rsSpec(found).minReadySeconds ?? 0) !== minReady) (found.spec as Record<string, unknown>).minReadySeconds = minReady;
    this.revision = found.metadata.annotations?.[REVISION];
    if (hasProgressDeadline(this.d) && !getCondition(this.status, 'Progressing')) {
      setCondition(this.status, newCondition('Progressing', 'True', REASON.FoundNewReplicaSet, `Found new replica set "${found.metadata.name}"`, this.now));
    }
  }

  /** The new ReplicaSet, created from the template with `replicasFor` it; undefined on a name collision. */
  createNewRS(replicasFor: (plan: Plan, rs: KubeObject) => number): KubeObject | undefined {
    const { d } = this;
    const spec = deploymentSpec(d);
    const hash = computeHash(spec.template, this.status.collisionCount);
    const name = `${d.metadata.name}-${hash}`;
    if (this.inNamespace.some((rs) => rs.metadata.name === name)) {
      this.status.collisionCount = (this.status.collisionCount ?? 0) + 1;
      this.collided = true;
      return undefined;
    }
    const template = structuredClone(spec.template ?? {});
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = structuredClone(spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: d.metadata.namespace, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d)] },
      spec: { replicas: 0, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
    };
    this.copies.set(name, rs);
    this.createdName = name;
    this.newName = name;
    (rs.spec as Record<string, unknown>).replicas = replicasFor(this, rs);
    setNewReplicaSetAnnotations(d, rs, this.nextRevision(), false);
    this.revision = rs.metadata.annotations![REVISION];
    if (hasProgressDeadline(d)) {
      setCondition(this.status, newCondition('Progressing', 'True', REASON.NewReplicaSetCreated, `Created new replica set "${name}"`, this.now));
    }
    return rs;
  }

  private nextRevision(): string {
    return String(Math.max(0, ...this.oldRSs().map(revisionOf)) + 1);
  }

  actions(): DeploymentAction[] {
    const actions: DeploymentAction[] = [];
    for (const [name, rs] of this.copies) {
      if (this.deleted.has(name)) actions.push({ type: 'deleteReplicaSet', rs });
      else if (name === this.createdName) actions.push({ type: 'createReplicaSet', rs });
      else if (canonicalJson(rs) !== this.original.get(name)) actions.push({ type: 'updateReplicaSet', rs });
    }
    if (this.revision !== undefined && this.revision !== this.d.metadata.annotations?.[REVISION]) {
      actions.push({ type: 'updateDeployment', annotations: { ...(this.d.metadata.annotations ?? {}), [REVISION]: this.revision } });
    }
    return actions;
  }
}

function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): void {
  rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), [DESIRED_REPLICAS]: String(desired), [MAX_REPLICAS]: String(max) };
}

/** Copies the Deployment's annotations, moves the revision up (keeping the old one in the history: a rollback). */
function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: string, exists: boolean): void {
  const annotations = { ...(rs.metadata.annotations ?? {}) };
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) annotations[k] = v;
  const oldRevision = annotations[REVISION];
  if (oldRevision === undefined || Number(oldRevision) < Number(newRevision)) {
    annotations[REVISION] = newRevision;
    if (oldRevision !== undefined) {
      const history = annotations[REVISION_HISTORY];
      annotations[REVISION_HISTORY] = history ? `${history},${oldRevision}` : oldRevision;
    }
  }
  rs.metadata.annotations = annotations;
  if (!exists) setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d));
}
