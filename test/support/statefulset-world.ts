/**
 * A pure simulated namespace for the StatefulSet and DaemonSet decisions: pods,
 * ControllerRevisions, claims and nodes in maps, and `apply`, which performs a
 * decision's writes as the API server would (names, uids, resourceVersions, creation
 * times; AlreadyExists and NotFound are answers, not crashes; a pod delete is graceful:
 * the pod is Terminating until `finishTerminating`). A test plays kubelet with
 * `setReady`/`setPhase`, and the scheduler is not needed: pods are bound by hand or not.
 */
import type { KubeObject } from '../../src/api/object.ts';
import type { DaemonSetAction } from '../../src/controllers/daemonset/decide.ts';
import type { StatefulSetAction } from '../../src/controllers/statefulset/decide.ts';

export const NS = 'default';

export class WorkloadWorld {
  readonly pods = new Map<string, KubeObject>();
  readonly revisions = new Map<string, KubeObject>();
  readonly claims = new Map<string, KubeObject>();
  readonly nodes = new Map<string, KubeObject>();
  owner: KubeObject;
  now = Date.parse('2026-01-01T00:00:00Z');
  private rv = 0;
  private uid = 0;
  private names = 0;
  /** Every write applied, in order, for assertions on order. */
  readonly log: string[] = [];

  constructor(owner: KubeObject) {
    this.owner = structuredClone(owner);
    this.owner.metadata = { namespace: NS, uid: 'owner-uid', generation: 1, resourceVersion: String(++this.rv), creationTimestamp: this.time(), ...this.owner.metadata };
  }

  time(): string {
    return new Date(this.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  view() {
    return { pods: [...this.pods.values()], revisions: [...this.revisions.values()], claims: [...this.claims.values()], nodes: [...this.nodes.values()] };
  }

  /** The user edits the owner's spec (the generation moves). */
  editSpec(edit: (spec: Record<string, unknown>) => void): void {
    const next = structuredClone(this.owner);
    edit(next.spec as Record<string, unknown>);
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    next.metadata.resourceVersion = String(++this.rv);
    this.owner = next;
  }

  private create(map: Map<string, KubeObject>, o: KubeObject): KubeObject | undefined {
    const copy = structuredClone(o);
    const name = copy.metadata.name ?? `${copy.metadata.generateName ?? ''}${(++this.names).toString(36).padStart(5, 'x')}`;
    if (map.has(name)) return undefined;
    copy.metadata = { ...copy.metadata, name, namespace: NS, uid: `uid-${++this.uid}`, resourceVersion: String(++this.rv), creationTimestamp: this.time() };
    map.set(name, copy);
    return copy;
  }

  addNode(name: string, extra: { labels?: Record<string, string>; taints?: unknown[] } = {}): void {
    this.nodes.set(name, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
      spec: extra.taints ? { taints: extra.taints } : {},
    });
  }

  apply(actions: readonly (StatefulSetAction | DaemonSetAction)[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'createRevision':
          if (this.create(this.revisions, action.revision)) this.log.push(`createRevision ${action.revision.metadata.name}`);
          break;
        case 'renumberRevision': {
          const r = this.revisions.get(action.revision.metadata.name!);
          if (r && r.metadata.resourceVersion === action.revision.metadata.resourceVersion) {
            this.revisions.set(r.metadata.name!, { ...r, revision: action.to, metadata: { ...r.metadata, resourceVersion: String(++this.rv) } } as KubeObject);
          }
          break;
        }
        case 'deleteRevision':
          this.revisions.delete(action.revision.metadata.name!);
          this.log.push(`deleteRevision ${action.revision.metadata.name}`);
          break;
        case 'adoptPod':
        case 'releasePod': {
          const pod = this.pods.get(action.pod.metadata.name!);
          if (pod) pod.metadata.ownerReferences = action.ownerReferences;
          break;
        }
        case 'createClaim':
          if (this.create(this.claims, action.claim)) this.log.push(`createClaim ${action.claim.metadata.name}`);
          break;
        case 'setClaimOwners': {
          const claim = this.claims.get(action.claim.metadata.name!);
          if (claim) claim.metadata.ownerReferences = action.ownerReferences;
          break;
        }
        case 'createPod': {
          const created = this.create(this.pods, action.pod);
          if (created) {
            created.status = { phase: 'Pending' };
            this.log.push(`createPod ${created.metadata.name}`);
          }
          break;
        }
        case 'deletePod': {
          const pod = this.pods.get(action.pod.metadata.name!);
          if (pod && pod.metadata.uid === action.pod.metadata.uid && !pod.metadata.deletionTimestamp) {
            pod.metadata.deletionTimestamp = this.time();
            this.log.push(`deletePod ${pod.metadata.name}`);
          }
          break;
        }
        case 'labelPod': {
          const pod = this.pods.get(action.pod.metadata.name!);
          if (pod) pod.metadata.labels = { ...(pod.metadata.labels ?? {}), ...action.labels };
          break;
        }
        case 'updateStatus':
          this.owner = { ...this.owner, status: structuredClone(action.status) };
          break;
        default: {
          const never: never = action;
          throw new Error(`unknown action ${JSON.stringify(never)}`);
        }
      }
    }
  }

  /** Terminating pods finish and are gone (the kubelet and the API server's final delete). */
  finishTerminating(): void {
    for (const [name, pod] of this.pods) if (pod.metadata.deletionTimestamp) this.pods.delete(name);
  }

  setReady(name: string, ready: boolean): void {
    const pod = this.pods.get(name);
    if (!pod) return;
    pod.status = {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: this.time() }],
    };
  }

  setPhase(name: string, phase: string): void {
    const pod = this.pods.get(name);
    if (pod) pod.status = { ...(pod.status ?? {}), phase };
  }

  /** Every live pod becomes Running and Ready. */
  readyAll(): void {
    for (const [name, pod] of this.pods) if (!pod.metadata.deletionTimestamp) this.setReady(name, true);
  }

  livePodNames(): string[] {
    return [...this.pods.values()].filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!).sort();
  }
}
