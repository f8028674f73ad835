/**
 * A pure simulated world for the workload controllers: Deployments, ReplicaSets and Pods
 * held in maps with uids, resourceVersions and ownerRefs, and a step that runs the pure
 * decisions over it and applies their writes as the API server would (creates get a
 * name, uid, resourceVersion and creationTimestamp; updates are compare-and-set on
 * resourceVersion, a conflict is dropped as the real controller's retry would be). The
 * garbage collector deletes dependents whose owner is gone, and a fake kubelet makes
 * every pod Ready at the end of a step. `observe` is called after each batch of writes,
 * so a test can check invariants that must hold between any two writes.
 */
import type { KubeObject } from '../../src/api/object.ts';
import { decideDeployment, type DeploymentAction } from '../../src/controllers/deployment/decide.ts';
import { decideDependent, type OwnerView } from '../../src/controllers/garbage-collector/decide.ts';
import { decideReplicaSet, type ReplicaSetAction } from '../../src/controllers/replicaset/decide.ts';
import { controllerRef, newControllerRef } from '../../src/controllers/runtime/owner.ts';

export const NS = 'default';

type Kind = 'Deployment' | 'ReplicaSet' | 'Pod';

export class ControllerWorld {
  readonly deployments = new Map<string, KubeObject>();
  readonly replicaSets = new Map<string, KubeObject>();
  readonly pods = new Map<string, KubeObject>();
  now = Date.parse('2026-01-01T00:00:00Z');
  private rv = 0;
  private uid = 0;
  private names = 0;
  observe: (world: ControllerWorld) => void = () => {};

  private mapOf(kind: Kind): Map<string, KubeObject> {
    return kind === 'Deployment' ? this.deployments : kind === 'ReplicaSet' ? this.replicaSets : this.pods;
  }

  private stamp(o: KubeObject): KubeObject {
    o.metadata.resourceVersion = String(++this.rv);
    return o;
  }

  create(o: KubeObject): KubeObject | undefined {
    const copy = structuredClone(o);
    const name = copy.metadata.name ?? `${copy.metadata.generateName ?? ''}${(++this.names).toString(36).padStart(5, 'x')}`;
    const map = this.mapOf(copy.kind as Kind);
    if (map.has(name)) return undefined; // AlreadyExists
    copy.metadata = { ...copy.metadata, name, namespace: NS, uid: `uid-${++this.uid}`, creationTimestamp: new Date(this.now).toISOString() };
    if (copy.kind !== 'Pod') copy.metadata.generation = 1;
    map.set(name, this.stamp(copy));
    return copy;
  }

  /** A compare-and-set update of the whole object (spec changes move the generation). */
  update(o: KubeObject, subresource?: 'status'): boolean {
    const map = this.mapOf(o.kind as Kind);
    const current = map.get(o.metadata.name!);
    if (!current || current.metadata.resourceVersion !== o.metadata.resourceVersion) return false;
    const next: KubeObject = structuredClone(subresource === 'status' ? { ...current, status: o.status } : { ...o, status: current.status });
    if (subresource !== 'status' && JSON.stringify(current.spec) !== JSON.stringify(next.spec) && current.metadata.generation !== undefined) {
      next.metadata.generation = current.metadata.generation + 1;
    }
    map.set(o.metadata.name!, this.stamp(next));
    return true;
  }

  delete(kind: Kind, name: string, uid?: string): void {
    const map = this.mapOf(kind);
    if (uid === undefined || map.get(name)?.metadata.uid === uid) map.delete(name);
  }

  /** The user edits a Deployment's spec. */
  editDeployment(name: string, edit: (spec: Record<string, unknown>) => void): void {
    const d = structuredClone(this.deployments.get(name)!);
    edit(d.spec as Record<string, unknown>);
    this.update(d);
  }

  /** One round: every Deployment's decision, then every ReplicaSet's, then the GC, then the kubelet. Returns how many writes. */
  step(): number {
    let writes = 0;
    for (const name of [...this.deployments.keys()]) {
      const d = this.deployments.get(name);
      if (!d) continue;
      const { actions } = decideDeployment(d, [...this.replicaSets.values()], [...this.pods.values()], this.now);
      writes += this.applyDeployment(d, actions);
      this.observe(this);
    }
    for (const name of [...this.replicaSets.keys()]) {
      const rs = this.replicaSets.get(name);
      if (!rs) continue;
      const { actions } = decideReplicaSet(rs, [...this.pods.values()], this.now, { expectationsSatisfied: true });
      writes += this.applyReplicaSet(rs, actions);
      this.observe(this);
    }
    writes += this.collectGarbage();
    this.observe(this);
    writes += this.kubelet();
    this.observe(this);
    this.now += 1000;
    return writes;
  }

  /** Steps until a step writes nothing; returns the steps taken, or -1 if `max` were not enough. */
  settle(max = 60): number {
    for (let i = 1; i <= max; i++) if (this.step() === 0) return i;
    return -1;
  }

  private applyDeployment(d: KubeObject, actions: DeploymentAction[]): number {
    let current = d;
    for (const action of actions) {
      switch (action.type) {
        case 'adoptReplicaSet':
        case 'releaseReplicaSet':
          this.update({ ...action.rs, metadata: { ...action.rs.metadata, ownerReferences: action.ownerReferences } });
          break;
        case 'createReplicaSet':
          this.create(action.rs);
          break;
        case 'updateReplicaSet':
          this.update(action.rs);
          break;
        case 'deleteReplicaSet':
          this.delete('ReplicaSet', action.rs.metadata.name!, action.rs.metadata.uid);
          break;
        case 'updateDeployment': {
          const next = { ...current, metadata: { ...current.metadata, annotations: action.annotations } };
          if (this.update(next)) current = this.deployments.get(d.metadata.name!)!;
          break;
        }
        case 'updateStatus':
          this.update({ ...current, status: action.status }, 'status');
          break;
      }
    }
    return actions.length;
  }

  private applyReplicaSet(rs: KubeObject, actions: ReplicaSetAction[]): number {
    for (const action of actions) {
      switch (action.type) {
        case 'adoptPod':
          this.update({ ...action.pod, metadata: { ...action.pod.metadata, ownerReferences: [...(action.pod.metadata.ownerReferences ?? []), newControllerRef(rs)] } });
          break;
        case 'releasePod':
          this.update({ ...action.pod, metadata: { ...action.pod.metadata, ownerReferences: (action.pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid) } });
          break;
        case 'createPod':
          this.create(action.pod);
          break;
        case 'deletePod':
          this.delete('Pod', action.pod.metadata.name!, action.pod.metadata.uid);
          break;
        case 'updateStatus':
          this.update({ ...rs, status: action.status }, 'status');
          break;
      }
    }
    return actions.length;
  }

  /** Dependents whose owners are all gone are deleted (background). */
  private collectGarbage(): number {
    let writes = 0;
    const lookup = (kind: string, uid: string) => [...this.mapOf(kind as Kind).values()].some((o) => o.metadata.uid === uid);
    for (const map of [this.replicaSets, this.pods]) {
      for (const o of [...map.values()]) {
        const owners: OwnerView[] = (o.metadata.ownerReferences ?? []).map((ref) => ({ ref, state: lookup(ref.kind, ref.uid) ? 'present' : 'absent' }));
        for (const action of decideDependent(o, owners)) {
          writes++;
          if (action.type === 'deleteObject') this.delete(o.kind as Kind, o.metadata.name!, o.metadata.uid);
          else if (action.type === 'removeOwnerRefs') this.update({ ...o, metadata: { ...o.metadata, ownerReferences: action.keep } });
        }
      }
    }
    return writes;
  }

  /** Every pod not yet Ready becomes Running and Ready now. */
  private kubelet(): number {
    let writes = 0;
    const at = new Date(this.now).toISOString();
    for (const pod of [...this.pods.values()]) {
      if ((pod.status as { phase?: string } | undefined)?.phase === 'Running') continue;
      this.update({ ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] } }, 'status');
      writes++;
    }
    return writes;
  }

  /** The ReplicaSets a Deployment controls. */
  ownedBy(owner: KubeObject, map: Map<string, KubeObject>): KubeObject[] {
    return [...map.values()].filter((o) => controllerRef(o)?.uid === owner.metadata.uid);
  }
}
