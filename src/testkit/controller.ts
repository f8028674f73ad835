/**
 * What the testkit runs: a controller's pure decision. Given the cluster as the API
 * serves it now, which writes? The harness performs the writes against the in-memory
 * API as the API server would (a write that fails, 404 or 409, is dropped: a real
 * controller requeues and decides again from fresher state on its next round).
 */
import type { KubeObject } from '../api/object.ts';
import type { ClusterView, MemoryApi, WriteOutcome } from './memory-api.ts';

export type ControllerWrite =
  /** Create (generateName allowed). */
  | { type: 'create'; object: KubeObject }
  /** Compare-and-set update on the object's resourceVersion (a stale one is a 409). */
  | { type: 'update'; object: KubeObject; subresource?: 'status' }
  /** Replace the status of the object as it is now (a status write after a fresh read). */
  | { type: 'updateStatus'; resource: string; namespace: string; name: string; status: unknown }
  /** Replace metadata fields of the object as it is now (labels, annotations, ownerReferences). */
  | { type: 'updateMetadata'; resource: string; namespace: string; name: string; metadata: Partial<KubeObject['metadata']> }
  | { type: 'delete'; resource: string; namespace: string; name: string; uid?: string };

export interface TestController {
  readonly name: string;
  reconcile(view: ClusterView): readonly ControllerWrite[];
}

export function performWrite(api: MemoryApi, write: ControllerWrite): WriteOutcome {
  switch (write.type) {
    case 'create':
      return api.create(write.object);
    case 'update':
      return api.update(write.object, write.subresource ? { subresource: write.subresource } : {});
    case 'updateStatus':
    case 'updateMetadata': {
      const current = api.get(write.resource, write.namespace, write.name);
      if (!current) return { ok: false, code: 404, reason: `${write.resource} "${write.name}" not found` };
      if (write.type === 'updateStatus') return api.update({ ...current, status: write.status }, { subresource: 'status' });
      return api.update({ ...current, metadata: { ...current.metadata, ...write.metadata } });
    }
    case 'delete':
      return api.delete(write.resource, write.namespace, write.name, write.uid !== undefined ? { uid: write.uid } : {});
  }
}

export function describeWrite(write: ControllerWrite): string {
  switch (write.type) {
    case 'create':
      return `create ${write.object.kind} ${write.object.metadata.name ?? `${write.object.metadata.generateName ?? ''}*`}`;
    case 'update':
      return `update${write.subresource ? ` ${write.subresource}` : ''} ${write.object.kind} ${write.object.metadata.name}`;
    case 'updateStatus':
    case 'updateMetadata':
      return `${write.type} ${write.resource} ${write.name}`;
    case 'delete':
      return `delete ${write.resource} ${write.name}`;
  }
}
