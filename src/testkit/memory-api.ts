/**
 * An in-memory API for the testkit: the object store folded from a log the kit writes
 * itself, with a fake clock. Every successful write appends one LogEntry (seq = the
 * global revision = the object's resourceVersion, time = the fake clock), so the log is
 * exactly what `jetkube export` writes and `jetkube replay --file` reads.
 *
 * Writes go through the API server's own pure steps (prepareCreate/prepareUpdate and
 * applyDefaults: generateName, uid, creationTimestamp, generation, initial status, a Job's
 * selector; status kept on a main-resource write and the rest on a status write) and
 * answer as it does: 409 AlreadyExists, 409 Conflict on a stale resourceVersion, 404.
 * Not here: admission and validation (a controller's invalid object is written), graceful
 * deletion and finalizers (a delete is immediate; it honours uid and resourceVersion
 * preconditions). Deterministic: names and uids come from
 * counters. Pure apart from its own state: no I/O.
 */
import type { KubeObject, ObjectKey } from '../api/object.ts';
import { applyDefaults } from '../api/defaults.ts';
import { canonicalJson } from '../controllers/deployment/hash.ts';
import { prepareCreate, prepareUpdate } from '../api/metadata.ts';
import { resourceForKind, resourceByKey } from '../api/registry.ts';
import type { LogEntry } from '../store/log-entry.ts';
import { ObjectStore } from '../store/object-store.ts';

export const START_TIME = Date.parse('2026-01-01T00:00:00Z');

export type WriteOutcome = { ok: true; object: KubeObject } | { ok: false; code: 404 | 409 | 422; reason: string };

/** What a controller reads: the cluster as the API serves it now. Items must not be mutated. */
export interface ClusterView {
  readonly now: number;
  readonly revision: number;
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): readonly KubeObject[];
}

const canonical = (value: unknown) => canonicalJson(value ?? null);

export function resourceKeyOf(o: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const rt = resourceForKind(o.apiVersion, o.kind);
  if (!rt) throw new Error(`testkit: unknown kind ${o.apiVersion} ${o.kind}`);
  return rt.key;
}

export class MemoryApi implements ClusterView {
  readonly store = new ObjectStore();
  readonly log: LogEntry[] = [];
  now: number;
  private uids = 0;
  private names = 0;
  /** Each object's resourceVersion before its last write: what a stale reader still holds. */
  private readonly previousVersion = new Map<string, string>();

  constructor(start = START_TIME) {
    this.now = start;
  }

  get revision(): number {
    return this.store.revision;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.store.get(resource, namespace, name);
  }

  list(resource: string, namespace?: string): readonly KubeObject[] {
    return this.store.list(resource, namespace).items;
  }

  advance(ms: number): void {
    this.now += ms;
  }

  /** The resourceVersion a reader who read just before the object's last write holds. */
  staleVersionOf(resource: string, namespace: string, name: string): string | undefined {
    return this.previousVersion.get(`${resource}/${namespace}/${name}`);
  }

  create(object: KubeObject): WriteOutcome {
    const resource = resourceKeyOf(object);
    const rt = resourceByKey(resource)!;
    const namespace = rt.namespaced ? (object.metadata.namespace ?? 'default') : '';
    const suffix = (++this.names).toString(36).padStart(5, 'x');
    const prepared = prepareCreate(rt, { ...object, metadata: { ...object.metadata, ...(rt.namespaced ? { namespace } : {}) } }, { now: this.timestamp(), uid: `uid-${this.uids + 1}`, nameSuffix: suffix });
    const name = prepared.metadata.name;
    if (!name) return { ok: false, code: 422, reason: 'name or generateName is required' };
    if (this.get(resource, namespace, name)) return { ok: false, code: 409, reason: `${resource} "${name}" already exists` };
    this.uids++;
    return this.append('ADDED', { resource, namespace, name }, applyDefaults(rt, prepared));
  }

  update(object: KubeObject, options: { subresource?: 'status' } = {}): WriteOutcome {
    const resource = resourceKeyOf(object);
    const rt = resourceByKey(resource)!;
    const namespace = rt.namespaced ? (object.metadata.namespace ?? 'default') : '';
    const name = object.metadata.name ?? '';
    const current = this.get(resource, namespace, name);
    if (!current) return { ok: false, code: 404, reason: `${resource} "${name}" not found` };
    if (object.metadata.uid && object.metadata.uid !== current.metadata.uid) return { ok: false, code: 409, reason: 'uid precondition failed' };
    if (object.metadata.resourceVersion !== undefined && object.metadata.resourceVersion !== current.metadata.resourceVersion) {
      return { ok: false, code: 409, reason: `the object has been modified (resourceVersion ${object.metadata.resourceVersion}, now ${current.metadata.resourceVersion})` };
    }
    const next = applyDefaults(rt, prepareUpdate(rt, current, object, options.subresource ? { subresource: options.subresource } : {}));
    const { resourceVersion: _rv, ...metadata } = next.metadata;
    // A write that changes nothing is not a new revision (as the API server answers a no-op update).
    if (canonical({ ...next, metadata: { ...metadata, resourceVersion: current.metadata.resourceVersion } }) === canonical(current)) return { ok: true, object: current };
    this.previousVersion.set(`${resource}/${namespace}/${name}`, current.metadata.resourceVersion!);
    return this.append('MODIFIED', { resource, namespace, name }, { ...next, metadata });
  }

  delete(resource: string, namespace: string, name: string, preconditions: { uid?: string; resourceVersion?: string } = {}): WriteOutcome {
    const current = this.get(resource, namespace, name);
    if (!current) return { ok: false, code: 404, reason: `${resource} "${name}" not found` };
    if (preconditions.uid !== undefined && preconditions.uid !== current.metadata.uid) return { ok: false, code: 409, reason: 'uid precondition failed' };
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== current.metadata.resourceVersion) {
      return { ok: false, code: 409, reason: 'resourceVersion precondition failed' };
    }
    const { resourceVersion: _ignored, ...metadata } = current.metadata;
    return this.append('DELETED', { resource, namespace, name }, { ...current, metadata });
  }

  private timestamp(): string {
    return new Date(this.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private append(type: LogEntry['type'], key: ObjectKey, object: KubeObject): WriteOutcome {
    const entry: LogEntry = { seq: this.store.revision + 1, time: this.now, type, key, object };
    this.log.push(entry);
    const change = this.store.apply(entry)!;
    return { ok: true, object: change.object };
  }
}
